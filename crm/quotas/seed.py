"""The plan's quota: each manufacturing zone, each year, 1 × ≥ 30亿元 and 5 × ≥ 10亿元."""

from __future__ import annotations

from sqlalchemy import select

from crm.extensions import db
from crm.quotas.models import Quota, QuotaTier
from crm.zones.models import Zone

PLAN_YEARS = (2026, 2027)
PLAN_TIERS = (("30亿元以上制造业项目", 300000, 1), ("10亿元以上制造业项目", 100000, 5))


def seed_quotas() -> int:
    """Create the plan's quotas for 高新区 and 经开区 where none exists (edits are kept)."""
    created = 0
    zones = db.session.scalars(select(Zone).where(Zone.code.in_(("gxq", "jkq")))).all()
    for zone in zones:
        for year in PLAN_YEARS:
            exists = db.session.scalar(
                select(Quota.id).where(Quota.zone_id == zone.id, Quota.year == year)
            )
            if exists:
                continue
            quota = Quota(zone_id=zone.id, year=year, note="济源示范区开发区高质量发展实施方案")
            quota.tiers = [
                QuotaTier(label=label, threshold_wan=threshold, required=required)
                for label, threshold, required in PLAN_TIERS
            ]
            db.session.add(quota)
            created += 1
    db.session.flush()
    return created
