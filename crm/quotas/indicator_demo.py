"""Demo actuals for the goal list: six months of zone figures for the totals (the city's is
their sum), city-wide figures for shares and counts, and this month's computed counts (each
zone's land activation among them, from the demo parcels' status events) — so the goal list
shows progress and trends by default."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from crm.auth.models import User
from crm.core.timeutil import local_today
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.projects.models import Project
from crm.quotas.indicator_compute import landed_stages, record_counts
from crm.quotas.indicator_entry import record_actual
from crm.quotas.models import Indicator, IndicatorActual
from crm.zones.models import Zone

MONTHS = 6
# code → {zone code: year-to-date value per month at the last month}, grown linearly
ZONE_TOTALS = {
    "revenue": {"gxq": "1450", "jkq": "780", "xdfw": "260"},
    "tax": {"gxq": "34", "jkq": "19", "xdfw": "7.5"},
}
# code → (the last value, the value six months before), city-wide
CITY_VALUES = {
    "industrial_above_size": ("176", "168"),
    "services_above_size": ("49", "44"),
    "patents": ("1210", "1040"),
    "rd_ratio": ("1.28", "1.21"),
    "emerging_share": ("22.6", "21.4"),
}  # land_reserve is computed from the parcels (crm.land.goals)
NOTES = {"revenue": "统计局月度快报", "tax": "税务局提供"}


def _months(today) -> list[str]:
    """The ``MONTHS`` months before this one, oldest first."""
    year, month, out = today.year, today.month, []
    for _ in range(MONTHS):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(f"{year}-{month:02d}")
    return list(reversed(out))


def _step(first: str, last: str, index: int) -> str:
    start, end = Decimal(first), Decimal(last)
    value = start + (end - start) * index / (MONTHS - 1)
    return f"{value.quantize(Decimal('0.01')).normalize():f}"


# labels given to the demo's landed enterprises in turn (the counts then have something to count)
DEMO_LABELS = (
    ["高新技术企业", "头雁"],
    ["高新技术企业", "专精特新"],
    ["瞪羚", "高新技术企业"],
    ["小巨人"],
    ["高新技术企业"],
)


def _label_landed_enterprises() -> None:
    """Give the demo's landed enterprises the qualifications the computed goals count."""
    ids = sorted(
        set(
            db.session.scalars(
                select(Project.enterprise_id).where(
                    Project.deleted_at.is_(None), Project.stage.in_(landed_stages())
                )
            )
        )
    )
    for index, enterprise in enumerate(
        db.session.scalars(select(Enterprise).where(Enterprise.id.in_(ids)).order_by(Enterprise.id))
    ):
        extra = [
            x for x in DEMO_LABELS[index % len(DEMO_LABELS)] if x not in (enterprise.labels or [])
        ]
        if extra:
            enterprise.labels = [*(enterprise.labels or []), *extra]


def load_demo_actuals() -> int:
    """Create the demo actuals once (none may exist yet); returns how many were created."""
    if db.session.scalar(select(func.count()).select_from(IndicatorActual)):
        return 0
    actor = db.session.scalar(select(User).where(User.role == "coordinator").order_by(User.id))
    if actor is None:
        return 0
    goals = {(i.code, i.zone_id): i for i in db.session.scalars(select(Indicator))}
    zones = {z.code: z.id for z in db.session.scalars(select(Zone))}
    months = _months(local_today())
    created = 0
    for code, by_zone in ZONE_TOTALS.items():
        indicator = goals.get((code, None))
        for zone_code, last in by_zone.items():
            if indicator is None or zone_code not in zones:
                continue
            first = Decimal(last) * Decimal("0.5")
            for index, period in enumerate(months):
                value = _step(str(first), last, index)
                note = NOTES.get(code, "")
                record_actual(indicator, period, value, actor, zone_id=zones[zone_code], note=note)
                created += 1
    for code, (last, first) in CITY_VALUES.items():
        indicator = goals.get((code, None))
        for index, period in enumerate(months if indicator else ()):
            record_actual(indicator, period, _step(first, last, index), actor, note="市统计局")
            created += 1
    _label_landed_enterprises()
    db.session.flush()
    created += record_counts(actor)
    db.session.flush()
    return created
