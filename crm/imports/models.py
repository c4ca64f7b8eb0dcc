"""ImportBatch and the changes it made (so a coordinator can revert it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.timeutil import utcnow
from crm.extensions import db

BATCH_STATUSES = (
    "uploaded",
    "validating",
    "invalid",
    "valid",
    "committing",
    "committed",
    "failed",
    "reverted",
)


class ImportBatch(db.Model):
    """One uploaded file and what became of it."""

    __tablename__ = "import_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # targets | projects
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zone.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(500), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(20), default="uploaded", index=True)
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    header: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    committed_at: Mapped[datetime | None]
    reverted_at: Mapped[datetime | None]
    reverted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class ImportChange(db.Model):
    """A row the batch created or updated, with the values before (for revert)."""

    __tablename__ = "import_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE"), index=True
    )
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(10))  # created | updated
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
