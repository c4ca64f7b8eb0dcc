"""Demo enterprises, targets, activities and conflicts for `flask demo`.

Everything is invented: brand words are rare character pairs, credit codes are random but
valid in format. A fixed seed makes the data the same on every machine (dates are relative to
today); enterprises whose credit code already exists are skipped, so a second run adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import select

from crm.auth.models import User
from crm.core.timeutil import local_today
from crm.enterprises.models import LABELS, Enterprise
from crm.enterprises.services import add_contact, create_enterprise
from crm.enterprises.uscc import generate_uscc
from crm.extensions import db
from crm.targets.conflicts import open_conflict_for, settle_conflict
from crm.targets.models import ATTRACTION_MODES, Target
from crm.targets.services import create_target, log_activity, update_target
from crm.zones.models import Zone

SEED = 20260305
ENTERPRISE_COUNT = 300
CONFLICTS = 5  # enterprises pursued by two zones; the first one is settled
# industry → (zone code or "" for the city pool, words that end a company name)
INDUSTRIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "有色金属材料": ("jkq", ("有色金属", "铜业", "铅锌冶炼", "合金材料", "稀贵金属")),
    "先进钢铁材料": ("gxq", ("特钢", "精密钢管", "金属制品", "钢铁")),
    "高端化工材料": ("gxq", ("精细化工", "化工新材料", "化学")),
    "氢能": ("gxq", ("氢能科技", "氢能源", "燃料电池")),
    "电子信息": ("gxq", ("电子", "微电子", "光电科技", "半导体")),
    "新型储能": ("jkq", ("储能科技", "新能源", "电池")),
    "节能环保": ("jkq", ("环保科技", "节能技术", "再生资源")),
    "绿色建材": ("jkq", ("新型建材", "建材科技", "装配式建筑")),
    "现代物流": ("xdfw", ("物流", "供应链管理", "国际货运", "多式联运")),
    "平台经济": ("xdfw", ("电子商务", "数字科技", "网络科技")),
    "生物医药": ("gxq", ("生物医药", "制药", "生物科技")),
    "低空经济": ("gxq", ("航空科技", "无人机", "飞行器")),
    "装备制造": ("gxq", ("重工", "智能装备", "机械")),
    "纳米新材料": ("", ("纳米科技", "新材料")),
    "人工智能": ("", ("智能科技", "机器人")),
}
# name prefix → (province, city, six-digit division code for the credit code)
PLACES = (
    ("河南", "河南", "郑州", "410100"),
    ("济源", "河南", "济源", "419001"),
    ("洛阳", "河南", "洛阳", "410300"),
    ("江苏", "江苏", "苏州", "320500"),
    ("浙江", "浙江", "杭州", "330100"),
    ("深圳", "广东", "深圳", "440300"),
    ("上海", "上海", "上海", "310115"),
    ("北京", "北京", "北京", "110108"),
    ("山东", "山东", "济南", "370100"),
    ("湖南", "湖南", "长沙", "430100"),
    ("四川", "四川", "成都", "510100"),
    ("", "陕西", "西安", "610100"),
)
# Brand names from the common characters real company names use (华泰, 宏达, 鑫源…), not rare
# ones: demo data should read like a real city's list.
BRAND_FIRST = "华中鑫宏恒金泰瑞天新达盛兴安博通远嘉正宇"
BRAND_SECOND = "源丰通创信邦利科诚和业晟润航荣旺光峰联力"
LEGAL_FORMS = ("有限公司", "股份有限公司", "集团有限公司", "有限责任公司")
OWNERSHIP_WEIGHTS = {"民营": 60, "国有": 18, "混合所有制": 10, "外资": 7, "港澳台": 5}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何罗高林"
TITLES = ("总经理", "董事长", "副总经理", "投资总监", "战略发展部经理")
SUMMARIES = {
    "phone": "电话沟通{topic}，对方表示{reaction}",
    "visit": "上门拜访企业总部，介绍示范区{topic}，对方{reaction}",
    "negotiation": "与企业高层洽谈{topic}，双方{reaction}",
    "inspection": "陪同企业考察团实地考察园区，重点了解{topic}，对方{reaction}",
    "meeting": "参加产业对接会，与企业交流{topic}，对方{reaction}",
    "other": "通过商会了解企业{topic}，对方{reaction}",
}
TOPICS = ("投资意向", "用地和厂房需求", "产业链配套情况", "扶持政策", "项目投资规模", "能耗指标")
REACTIONS = ("有进一步了解的兴趣", "将内部研究后答复", "希望尽快安排实地考察", "暂无扩产计划")
NEXT_STEPS = ("发送政策资料", "安排领导拜访", "邀请来济考察", "准备项目测算", "跟进董事会决议")


def _brands(rng: random.Random) -> list[str]:
    pairs = [a + b for a in BRAND_FIRST for b in BRAND_SECOND]
    rng.shuffle(pairs)
    return pairs


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _enterprise_values(rng: random.Random, brand: str) -> dict[str, Any]:
    industry = rng.choice(list(INDUSTRIES))
    prefix, province, city, region = rng.choice(PLACES)
    word = rng.choice(INDUSTRIES[industry][1])
    legal = rng.choice(LEGAL_FORMS)
    name = f"{prefix}{brand}{word}{legal}"
    labels = [label for label in LABELS if rng.random() < 0.12]
    tier = (
        "龙头"
        if {"世界500强", "中国500强", "链主"} & set(labels)
        else rng.choice(("骨干", "骨干", "配套", "小微"))
    )
    return {
        "name": name,
        "aliases": f"{brand}{word}" if rng.random() < 0.3 else "",
        "uscc": generate_uscc(rng, region),
        "hq_province": province,
        "hq_city": city,
        "industry": industry,
        "ownership": _weighted(rng, OWNERSHIP_WEIGHTS),
        "labels": labels,
        "tier": tier,
        "is_local": prefix == "济源" and rng.random() < 0.7,
    }


def _people() -> dict[str, User]:
    logins = ["city"] + [
        f"{z}-{r}" for z in ("gxq", "jkq", "xdfw") for r in ("manager", "staff1", "staff2")
    ]
    return {u.login: u for u in db.session.scalars(select(User).where(User.login.in_(logins)))}


def _actor_for(rng: random.Random, zone_code: str, people: dict[str, User]) -> User | None:
    """Who adds the target: a staff member (who then owns it) or the manager (unowned)."""
    if not zone_code:
        return people.get("city")
    role = rng.choices(("staff1", "staff2", "manager"), weights=(45, 40, 15))[0]
    return people.get(f"{zone_code}-{role}")


def _target_values(rng: random.Random) -> dict[str, Any]:
    modes = ["企业招商"] if rng.random() < 0.6 else []
    modes += rng.sample(ATTRACTION_MODES[1:], rng.choice((0, 1, 1, 2)))
    return {
        "priority": rng.choices("ABC", weights=(20, 50, 30))[0],
        "attraction_modes": modes or ["链群招商"],
        "source": rng.choice(("产业链图谱", "商会推荐", "展会", "驻地招商", "企业来访", "")),
    }


def _history(rng: random.Random, today: date) -> list[tuple[date, date | None]]:
    """1–6 activity dates in the last 12 months with each one's next follow-up: the latest is
    stale (> 30 days) for about a quarter, and its follow-up overdue, today or next week."""
    stale = rng.random() < 0.25
    latest = today - timedelta(days=rng.randint(31, 200) if stale else rng.randint(0, 25))
    dates = sorted({latest - timedelta(days=rng.randint(7, 330)) for _ in range(rng.randint(0, 5))})
    dates = [d for d in dates if d >= today - timedelta(days=365)] + [latest]
    pairs: list[tuple[date, date | None]] = list(pairwise(dates))
    pick = rng.random()
    if pick < 0.3:
        follow_up = max(latest, today - timedelta(days=rng.randint(1, 20)))  # overdue
    elif pick < 0.45:
        follow_up = today
    elif pick < 0.75:
        follow_up = today + timedelta(days=rng.randint(1, 7))
    elif pick < 0.9:
        follow_up = today + timedelta(days=rng.randint(8, 60))
    else:
        follow_up = None
    return [*pairs, (latest, follow_up)]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def _log_history(rng: random.Random, target: Target, actor: User, today: date) -> None:
    history = _history(rng, today)
    target.created_at = _midnight(history[0][0] - timedelta(days=rng.randint(1, 20)))
    for occurred, follow_up in history:
        kind = rng.choice(list(SUMMARIES))
        summary = SUMMARIES[kind].format(topic=rng.choice(TOPICS), reaction=rng.choice(REACTIONS))
        raw = {
            "kind": kind,
            "occurred_on": occurred,
            "participants": f"{actor.display_name}、{rng.choice(SURNAMES)}总",
            "summary": summary,
            "next_step": rng.choice(NEXT_STEPS),
            "next_follow_up": follow_up,
        }
        log_activity(target, raw, actor)


def _finish(rng: random.Random, target: Target, actor: User) -> None:
    """Move some targets on (interested, paused, dropped); the rest stay as logged."""
    pick = rng.random()
    for status, upto in (("interested", 0.25), ("paused", 0.32), ("dropped", 0.37)):
        if pick < upto:
            update_target(target, {"status": status}, actor)
            return


def load_demo_targets() -> int:
    """Create the demo target list once; returns how many targets were created."""
    people = _people()
    zones = {z.code: z for z in db.session.scalars(select(Zone))}
    known = set(db.session.scalars(select(Enterprise.uscc).where(Enterprise.uscc.is_not(None))))
    today = local_today()
    created = 0
    pursued: list[tuple[Enterprise, str]] = []
    for index, brand in enumerate(_brands(random.Random(SEED))[:ENTERPRISE_COUNT]):
        rng = random.Random(f"{SEED}-{index}")  # each enterprise's data stands on its own
        values = _enterprise_values(rng, brand)
        zone_code = INDUSTRIES[values["industry"]][0]
        if rng.random() < 0.12:
            zone_code = ""  # the city pool
        actor = _actor_for(rng, zone_code, people)
        targeted = rng.random() < 0.85
        if values["uscc"] in known:
            continue
        enterprise = create_enterprise(values, actor)
        if index % 3 == 0:
            add_contact(enterprise, _contact(rng), actor)
        if not targeted or actor is None or (zone_code and zone_code not in zones):
            continue
        zone_id = zones[zone_code].id if zone_code else None
        target = create_target(enterprise, zone_id, _target_values(rng), actor)
        created += 1
        if rng.random() < 0.9:
            _log_history(rng, target, actor, today)
        else:  # never contacted yet, some of them for over a month
            target.created_at = _midnight(today - timedelta(days=rng.randint(1, 90)))
        _finish(rng, target, actor)
        if zone_code in ("gxq", "jkq") and len(pursued) < CONFLICTS and target.status != "dropped":
            pursued.append((enterprise, "jkq" if zone_code == "gxq" else "gxq"))
    created += _second_zones(random.Random(SEED), pursued, zones, people, today)
    return created


def _contact(rng: random.Random) -> dict[str, str]:
    return {
        "name": rng.choice(SURNAMES) + rng.choice("建国志强海燕晓明丽华文博"),
        "title": rng.choice(TITLES),
        "phone": f"0371-{rng.randint(60000000, 69999999)}",
    }


def _second_zones(
    rng: random.Random,
    pursued: list[tuple[Enterprise, str]],
    zones: dict[str, Zone],
    people: dict[str, User],
    today: date,
) -> int:
    """A second zone takes up some enterprises (→ open conflicts); the city settles one."""
    created = 0
    for enterprise, other in pursued:
        actor = people.get(f"{other}-staff1")
        if actor is None or other not in zones:
            continue
        target = create_target(enterprise, zones[other].id, _target_values(rng), actor)
        _log_history(rng, target, actor, today)
        created += 1
    city = people.get("city")
    if pursued and city is not None:
        conflict = open_conflict_for(pursued[0][0].id)
        if conflict is not None:
            kept = conflict.zones[0].id
            settle_conflict(conflict, "keep_one", kept, "按产业定位由主导产业所在开发区跟进", city)
    return created
