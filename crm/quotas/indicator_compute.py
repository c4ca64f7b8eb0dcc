"""Computed indicators: counted from the system's own records, never typed.

高新技术企业, 省级以上专精特新 (专精特新 or 专精特新"小巨人"), 头雁 and 瞪羚 are counts of
enterprises carrying that label (``Enterprise.labels``) among a zone's enterprises: those with a
live project in the zone that has reached the quota's counting stage (签约 by default, the
``quota.counting_stage`` setting) and is not paused or terminated — the projects the quota
counts as landed. The city's figure counts each enterprise once, whatever the number of zones
it landed in. One query whatever the number of indicators.

梯度培育专精特新企业 also counts 创新型中小企业, which the enterprise labels do not hold, so it is
typed like the other indicators.

Other areas register more computed indicators with :func:`register_computed` (a hook, so this
package imports none of them): ``crm.land.goals`` registers 批而未供土地盘活, each zone's
activated area from parcel status events. A registered indicator is computed for the city and
for a zone's own goal alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select

from crm.core.audit import record_audit
from crm.core.timeutil import local_today, utcnow
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.projects.models import Project
from crm.projects.stages import PIPELINE, rank
from crm.quotas.models import Indicator, IndicatorActual
from crm.quotas.services import counting_rules

# indicator code → the enterprise labels it counts (an enterprise with any of them counts once)
COMPUTED: dict[str, tuple[str, ...]] = {
    "high_tech": ("高新技术企业",),
    "srdi_provincial": ("专精特新", "小巨人"),
    "leading_geese": ("头雁",),
    "gazelles": ("瞪羚",),
}
SOURCE_NOTE = "系统计算（落地项目企业中带该标签的企业数）"
LIVE_NOTE = "实时计算（落地项目企业中带该标签的企业数）"


@dataclass(frozen=True)
class ComputedHook:
    """An indicator another area computes: ``values()`` gives {zone id: value, None: the
    city's value} in a fixed number of statements; the notes say where the value comes from
    (stored, live) and ``message`` why it takes no typed value."""

    values: Callable[[], dict[int | None, Decimal]]
    source_note: str
    live_note: str
    message: Any


COMPUTED_HOOKS: dict[str, ComputedHook] = {}


def register_computed(code: str, hook: ComputedHook) -> None:
    """Let an area compute the indicator ``code`` (called when that area is imported)."""
    COMPUTED_HOOKS[code] = hook


def is_computed(indicator: Indicator) -> bool:
    """Whether the indicator's values are counted by the system (a city-wide goal, or any
    goal of a registered indicator)."""
    if indicator.code in COMPUTED_HOOKS:
        return True
    return indicator.code in COMPUTED and indicator.zone_id is None


def live_note(code: str) -> str:
    hook = COMPUTED_HOOKS.get(code)
    return hook.live_note if hook else LIVE_NOTE


def hook_values(codes: Any) -> dict[str, dict[int | None, Decimal]]:
    """{code: {zone id: value}} of the registered indicators among ``codes``."""
    return {code: COMPUTED_HOOKS[code].values() for code in codes if code in COMPUTED_HOOKS}


def landed_stages() -> list[str]:
    """The pipeline stages at or after the quota's counting stage."""
    counting = counting_rules().counting_stage
    return [stage for stage in PIPELINE if rank(stage) >= rank(counting)]


def computed_counts(codes: Any = None) -> dict[str, dict[int | None, int]]:
    """{code: {zone id: count, None: the city's count}} of the computed indicators ``codes``
    (default all); zones without a landed enterprise are absent (count 0)."""
    wanted = [code for code in (codes if codes is not None else COMPUTED) if code in COMPUTED]
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Project.zone_id, Enterprise.id, Enterprise.labels)
        .join(Enterprise, Enterprise.id == Project.enterprise_id)
        .where(
            Project.deleted_at.is_(None),
            Project.stage.in_(landed_stages()),
            Enterprise.deleted_at.is_(None),
            Enterprise.merged_into_id.is_(None),
        )
    ).all()  # not DISTINCT: PostgreSQL has no equality for json; the sets below dedupe
    found: dict[str, dict[int | None, set[int]]] = {code: defaultdict(set) for code in wanted}
    for zone_id, enterprise_id, labels in rows:
        held = set(labels or ())
        for code in wanted:
            if held.intersection(COMPUTED[code]):
                found[code][zone_id].add(enterprise_id)
                found[code][None].add(enterprise_id)
    return {
        code: {zone: len(ids) for zone, ids in by_zone.items()} for code, by_zone in found.items()
    }


def current_period() -> str:
    """This month as a period ("2026-09"): live counts stand for it."""
    today = local_today()
    return f"{today.year}-{today.month:02d}"


def record_counts(actor: Any, period: str | None = None) -> int:
    """Keep this month's counts as actuals (city-wide and per zone with any), so the trend
    has a point per month; a later recount of the same month overwrites it. Audited; returns
    the values written or changed."""
    period = period or current_period()
    city_wide = and_(Indicator.code.in_(list(COMPUTED)), Indicator.zone_id.is_(None))
    indicators = list(
        db.session.scalars(
            select(Indicator).where(or_(city_wide, Indicator.code.in_(list(COMPUTED_HOOKS))))
        )
    )
    codes = {i.code for i in indicators}
    counts: dict[str, Any] = {**computed_counts(codes), **hook_values(codes)}
    stored = {
        (a.indicator_id, a.zone_id): a
        for a in db.session.scalars(
            select(IndicatorActual).where(
                IndicatorActual.indicator_id.in_([i.id for i in indicators]),
                IndicatorActual.period == period,
            )
        )
    }
    changed = 0
    for indicator in indicators:
        by_zone = counts.get(indicator.code, {})
        zones = set(by_zone) | {None} | {z for (i, z) in stored if i == indicator.id}
        if indicator.zone_id is not None:  # a zone's own goal holds that zone's values only
            zones = {indicator.zone_id}
        hook = COMPUTED_HOOKS.get(indicator.code)
        note = hook.source_note if hook else SOURCE_NOTE
        for zone_id in zones:
            value = Decimal(by_zone.get(zone_id, 0))
            row = stored.get((indicator.id, zone_id))
            if row is None:
                row = IndicatorActual(indicator_id=indicator.id, zone_id=zone_id, period=period)
                db.session.add(row)
            elif Decimal(row.value) == value and row.computed:
                continue
            row.value, row.computed, row.source_note = value, True, note
            row.entered_by_id, row.entered_at = getattr(actor, "id", None), utcnow()
            changed += 1
    db.session.flush()
    if changed:
        record_audit(
            "recount", "indicator", None, {"period": period, "values": changed}, actor=actor
        )
    return changed
