"""Quotas: counting settings, tier validation and editing, attainment from the database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.access import scope_rule, zone_clause
from crm.core.audit import record_audit
from crm.core.settings import get_setting
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.projects.stages import PIPELINE, stage_probability
from crm.quotas import quota_settings  # noqa: F401 — declares the settings read below
from crm.quotas.attainment import Attainment, Rules, TierSpec, compute_attainment
from crm.quotas.facts import load_facts, lowest_threshold  # noqa: F401 — lowest_threshold too
from crm.quotas.models import Quota, QuotaTier
from crm.zones.models import Zone

MAX_REQUIRED = 100
YEAR_RANGE = 10


class QuotaError(ValueError):
    """Invalid quota data; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@scope_rule(Quota)
def _quota_scope(user: Any):
    return zone_clause(Quota.zone_id, user)


def counting_rules() -> Rules:
    """The counting rules from the settings (invalid values fall back to the defaults)."""
    stage = get_setting("quota.counting_stage")
    mode = get_setting("quota.matching_mode")
    return Rules(
        counting_stage=stage if stage in PIPELINE else "signed",
        mode=mode if mode in ("disjoint", "cumulative") else "disjoint",
        manufacturing_only=bool(get_setting("quota.manufacturing_only")),
        new_only=bool(get_setting("quota.new_only")),
    )


def check_year(year: Any) -> int:
    """A year within ten years of today, else QuotaError."""
    try:
        value = int(year)
    except (TypeError, ValueError):
        raise QuotaError(_l("年份应为数字"), "year") from None
    current = local_today().year
    if not current - YEAR_RANGE <= value <= current + YEAR_RANGE:
        raise QuotaError(
            _l(
                "年份应在 %(value)s 到 %(value2)s 之间",
                value=current - YEAR_RANGE,
                value2=current + YEAR_RANGE,
            ),
            "year",
        )
    return value


def clean_tiers(rows: list[dict[str, Any]]) -> list[TierSpec]:
    """Validated tiers: positive thresholds, no two alike, 1–100 projects each."""
    tiers: list[TierSpec] = []
    seen: set[int] = set()
    for index, row in enumerate(rows, start=1):
        label = (row.get("label") or "").strip()
        threshold, required = row.get("threshold_wan"), row.get("required")
        if not label:
            raise QuotaError(_l("第 %(index)s 档：请填写名称", index=index), "tiers")
        if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold <= 0:
            raise QuotaError(_l("第 %(index)s 档：金额门槛必须大于 0", index=index), "tiers")
        if threshold in seen:
            raise QuotaError(_l("第 %(index)s 档：与其他档的金额门槛相同", index=index), "tiers")
        if (
            not isinstance(required, int)
            or isinstance(required, bool)
            or not (1 <= required <= MAX_REQUIRED)
        ):
            raise QuotaError(
                _l(
                    "第 %(index)s 档：项目个数应在 1 到 %(max_required)s 之间",
                    index=index,
                    max_required=MAX_REQUIRED,
                ),
                "tiers",
            )
        seen.add(threshold)
        tiers.append(TierSpec(label[:60], threshold, required))
    return tiers


def save_quota(zone: Zone, year: Any, rows: list[dict[str, Any]], actor: Any) -> Quota | None:
    """Set a zone's tiers for a year (no tiers: the quota is removed), audited."""
    year = check_year(year)
    tiers = clean_tiers(rows)
    quota = db.session.scalar(select(Quota).where(Quota.zone_id == zone.id, Quota.year == year))
    old = [(t.label, t.threshold_wan, t.required) for t in quota.tiers] if quota else []
    new = [(t.label, t.threshold_wan, t.required) for t in tiers]
    if quota is not None and not tiers:
        db.session.delete(quota)
        record_audit("delete", "quota", quota.id, {"tiers": [old, []]}, actor=actor)
        return None
    if quota is None:
        if not tiers:
            return None
        quota = Quota(zone_id=zone.id, year=year)
        db.session.add(quota)
    if quota.tiers:  # delete the old rows first: a kept threshold would break the unique key
        quota.tiers = []
        db.session.flush()
    quota.tiers = [QuotaTier(**asdict(t)) for t in tiers]
    quota.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    if old != new:
        record_audit("update", "quota", quota.id, {"tiers": [old, new], "year": year}, actor=actor)
    return quota


def quota_tiers(zone_ids: list[int], year: int) -> dict[int, list[TierSpec]]:
    rows = db.session.execute(
        select(Quota.zone_id, QuotaTier.label, QuotaTier.threshold_wan, QuotaTier.required)
        .join(QuotaTier.quota)
        .where(Quota.year == year, Quota.zone_id.in_(zone_ids))
    ).all()
    result: dict[int, list[TierSpec]] = defaultdict(list)
    for zone_id, label, threshold, required in rows:
        result[zone_id].append(TierSpec(label, threshold, required))
    return result


def zones_attainment(
    zones: list[Zone], year: int, complete: bool = True, withdrawn: bool = True
) -> dict[int, Attainment]:
    """Attainment of each zone for a year, in a constant number of queries. With
    ``complete=False`` (city-wide summaries) the tiers and the forecast (and, with
    ``withdrawn``, the withdrawn list) are the same, read from the projects at or above the
    lowest threshold only; ``counted``, ``below_threshold`` and ``excluded`` then cover only
    the loaded facts (:func:`load_facts`)."""
    rules = counting_rules()
    ids = [zone.id for zone in zones]
    tiers = quota_tiers(ids, year)
    facts = load_facts(ids, year, rules, None if complete else tiers, withdrawn)
    return {
        zone.id: compute_attainment(
            facts.get(zone.id, []), tiers.get(zone.id, []), year, rules, stage_probability
        )
        for zone in zones
    }


def report(zones: list[Zone], year: int) -> dict[str, Any]:
    """The quota report as plain data (CLI --json and the API)."""
    results = zones_attainment(zones, year, complete=False)  # tiers, withdrawn, forecast
    out = []
    for zone in zones:
        result = results[zone.id]
        out.append(
            {
                "zone": zone.code,
                "name": zone.name,
                "tiers": [
                    {
                        "label": t.label,
                        "threshold_wan": t.threshold_wan,
                        "required": t.required,
                        "achieved": t.achieved,
                        "gap": t.gap,
                        "surplus": t.surplus,
                        "projects": t.projects,
                        "surplus_projects": t.surplus_projects,
                    }
                    for t in result.tiers
                ],
                "withdrawn": result.withdrawn,
                "forecast": {
                    t.label: {
                        "expected": t.forecast,
                        "candidates": t.candidates,
                        "at_risk": t.at_risk,
                    }
                    for t in result.tiers
                },
            }
        )
    return {"year": year, "zones": out}
