"""Where a project could go: the parcels and buildings of its zone that fit its land need
(用地需求, 亩) and its use, ranked.

A parcel fits when it is available (储备, 批而未供 or 闲置低效), nobody holds it, its land use
suits the project (manufacturing → 工业; other projects → 仓储 or 商服) and its area is within
the tolerance of the need. Ranking: 批而未供 first (the plan: landed projects use it first), then
the closest area, then the code. Buildings: 空置, not held, floor area within the tolerance of
the need converted to ㎡ (1 亩 = 666.67 ㎡), closest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.settings import define_setting, get_setting
from crm.extensions import db
from crm.land.models import Building, LandClaim, Parcel
from crm.projects.models import Project

AVAILABLE = ("approved", "reserve", "idle")
SQM_PER_MU = Decimal("666.67")
LIMIT = 10

define_setting(
    "land.area_tolerance_pct",
    int,
    20,
    _l("地块匹配面积容差（%）"),
    _l("项目页推荐地块和载体时，面积与用地需求相差不超过这个比例的才列出。"),
    minimum=0,
    maximum=100,
)


@dataclass(frozen=True)
class Candidate:
    subject: Any  # Parcel or Building
    difference: Decimal  # |area − need| in the subject's unit

    @property
    def first_use(self) -> bool:
        return isinstance(self.subject, Parcel) and self.subject.status == "approved"


def wanted_uses(project: Project) -> tuple[str, ...]:
    return ("industrial",) if project.is_manufacturing else ("storage", "commercial")


def _bounds(need: Decimal) -> tuple[Decimal, Decimal]:
    tolerance = Decimal(int(get_setting("land.area_tolerance_pct"))) / 100
    return need * (1 - tolerance), need * (1 + tolerance)


def _unheld(column: Any, key: Any):
    """Not held by any project (no open reservation or supply)."""
    return column.not_in(select(key).where(key.is_not(None), LandClaim.released_on.is_(None)))


def parcel_candidates(project: Project, limit: int = LIMIT) -> list[Candidate]:
    need = project.land_need_mu
    if not need or need <= 0:
        return []
    low, high = _bounds(need)
    stmt = select(Parcel).where(
        Parcel.zone_id == project.zone_id,
        Parcel.deleted_at.is_(None),
        Parcel.status.in_(AVAILABLE),
        Parcel.land_use.in_(wanted_uses(project)),
        Parcel.area_mu >= low,
        Parcel.area_mu <= high,
        _unheld(Parcel.id, LandClaim.parcel_id),
    )
    found = [Candidate(p, abs(p.area_mu - need)) for p in db.session.scalars(stmt)]
    found.sort(key=lambda c: (not c.first_use, c.difference, c.subject.code, c.subject.id))
    return found[:limit]


def building_candidates(project: Project, limit: int = LIMIT) -> list[Candidate]:
    need = project.land_need_mu
    if not need or need <= 0:
        return []
    need_sqm = need * SQM_PER_MU
    low, high = _bounds(need_sqm)
    stmt = select(Building).where(
        Building.zone_id == project.zone_id,
        Building.deleted_at.is_(None),
        Building.status == "vacant",
        Building.floor_area_sqm >= low,
        Building.floor_area_sqm <= high,
        _unheld(Building.id, LandClaim.building_id),
    )
    found = [Candidate(b, abs(b.floor_area_sqm - need_sqm)) for b in db.session.scalars(stmt)]
    found.sort(key=lambda c: (c.difference, c.subject.id))
    return found[:limit]
