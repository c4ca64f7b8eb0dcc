"""The Zone model."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.timeutil import utcnow
from crm.extensions import db

ZONE_KINDS = ("manufacturing", "services")


class Zone(db.Model):
    """A development zone (开发区): manufacturing zones carry the yearly quota."""

    __tablename__ = "zone"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20), default="manufacturing")
    sort_order: Mapped[int] = mapped_column(default=0)
    lead_industries: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_manufacturing(self) -> bool:
        return self.kind == "manufacturing"

    def __repr__(self) -> str:
        return f"<Zone {self.code}>"
