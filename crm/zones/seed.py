"""The plan's three development zones (济源示范区开发区高质量发展实施方案, 2025-12-16)."""

from __future__ import annotations

from sqlalchemy import select

from crm.extensions import db
from crm.zones.models import Zone

PLAN_ZONES = [
    {
        "code": "gxq",
        "name": "济源高新技术产业开发区",
        "short_name": "高新区",
        "kind": "manufacturing",
        "sort_order": 10,
        "lead_industries": "先进金属材料和装备制造、化工、氢能、电子信息；"
        "培育低空经济、人工智能、生物医药",
    },
    {
        "code": "jkq",
        "name": "济源经济技术开发区",
        "short_name": "经开区",
        "kind": "manufacturing",
        "sort_order": 20,
        "lead_industries": "有色金属材料、绿色建材、新型储能、节能环保",
    },
    {
        "code": "xdfw",
        "name": "济源现代服务业开发区",
        "short_name": "现代服务业开发区",
        "kind": "services",
        "sort_order": 30,
        "lead_industries": "大宗物流、多式联运、快递电商物流；"
        "培育平台经济、供应链管理、现代金融服务",
    },
]


def seed_zones() -> int:
    """Create the plan's zones that are missing (existing ones are left as edited)."""
    created = 0
    for values in PLAN_ZONES:
        exists = db.session.execute(select(Zone.id).where(Zone.code == values["code"])).first()
        if not exists:
            db.session.add(Zone(**values))
            created += 1
    db.session.flush()
    return created
