"""Benchmark data for the foundation: zones and users (see ``bench.generate``)."""

from __future__ import annotations

import random

from sqlalchemy import select

from bench.generate import Context, bulk_insert, generator

CITIES = (
    "郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店"
)
ZONE_KINDS = [
    ("高新技术产业开发区", "高新区", "manufacturing"),
    ("经济技术开发区", "经开区", "manufacturing"),
    ("现代服务业开发区", "服务业区", "services"),
    ("先进制造业开发区", "制造业区", "manufacturing"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华建国志红文斌鹏辉玲凯浩宇轩晨"


@generator("zones", order=10)
def generate_zones(ctx: Context) -> int:
    """The plan's three zones (the product's seed), then synthetic ones up to the scale."""
    from crm.extensions import db
    from crm.zones.models import Zone
    from crm.zones.seed import seed_zones

    created = seed_zones()
    cities = CITIES.split()
    rows = []
    for i in range(ctx.scale.count("zones") - created):
        city = cities[i % len(cities)]
        full, short, kind = ZONE_KINDS[(i // len(cities)) % len(ZONE_KINDS)]
        rnd = i // (len(cities) * len(ZONE_KINDS))
        suffix = f"（{rnd + 1}）" if rnd else ""
        rows.append(
            {
                "code": f"z{i + 4:03d}",
                "name": f"{city}{full}{suffix}",
                "short_name": f"{city}{short}{suffix}",
                "kind": kind,
                "sort_order": (i + 4) * 10,
                "lead_industries": "装备制造、新材料、现代物流",
            }
        )
    created += bulk_insert(Zone, rows)
    ctx.ids["zones"] = dict(db.session.execute(select(Zone.code, Zone.id)).all())
    return created


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


@generator("users", order=20)
def generate_users(ctx: Context) -> int:
    """The demo users (same logins and names as `flask demo`), then staff spread over zones:
    one manager per zone, about 5 % city-level viewers, the rest staff."""
    from crm.auth.demo import CITY_USERS, ZONE_PEOPLE
    from crm.auth.models import User
    from crm.extensions import db

    zones: dict[str, int] = ctx.ids["zones"]
    people: list[tuple[str, str, str, int | None]] = [
        (login, name, role, None) for login, name, role in CITY_USERS
    ]
    for code, (manager, staff1, staff2) in ZONE_PEOPLE.items():
        people += [
            (f"{code}-manager", manager, "manager", zones[code]),
            (f"{code}-staff1", staff1, "staff", zones[code]),
            (f"{code}-staff2", staff2, "staff", zones[code]),
        ]
    extra = ctx.scale.count("users") - len(people)
    codes = sorted(zones)
    synthetic = [code for code in codes if code not in ZONE_PEOPLE]
    for i in range(max(extra, 0)):
        if i < len(synthetic):
            code, role = synthetic[i], "manager"
        elif i % 20 == 0:
            code, role = "", "viewer"
        else:
            code, role = codes[i % len(codes)], "staff"
        login = f"{code or 'city'}-u{i:05d}"
        people.append((login, _person(ctx.rng), role, zones.get(code)))
    rows = (
        {
            "login": login,
            "display_name": name,
            "email": f"{login}@example.gov.cn",
            "role": role,
            "zone_id": zone_id,
            "password_hash": ctx.password_hash,
            "must_change_password": False,
        }
        for login, name, role, zone_id in people
    )
    created = bulk_insert(User, rows)
    ctx.ids["users"] = dict(db.session.execute(select(User.login, User.id)).all())
    return created
