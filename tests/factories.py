"""make_<model>(**overrides) helpers with unique sequences."""

from __future__ import annotations

import itertools
from functools import cache

from werkzeug.security import generate_password_hash

from crm.auth.models import User
from crm.extensions import db
from crm.zones.models import Zone

PASSWORD = "Correct-Horse-7"
_seq = itertools.count(1)


@cache
def _password_hash(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def make_zone(**overrides) -> Zone:
    n = next(_seq)
    values = {
        "code": f"z{n}",
        "name": f"测试开发区{n}",
        "short_name": f"测试{n}",
        "kind": "manufacturing",
        "sort_order": n * 10,
    }
    values.update(overrides)
    zone = Zone(**values)
    db.session.add(zone)
    db.session.commit()
    return zone


def make_user(role: str = "staff", zone: Zone | None = None, **overrides) -> User:
    n = next(_seq)
    if zone is None and role in ("staff", "manager"):
        zone = make_zone()
    password = overrides.pop("password", PASSWORD)
    values = {
        "login": f"user{n}",
        "display_name": f"用户{n}",
        "email": f"user{n}@example.gov.cn",
        "role": role,
        "zone_id": zone.id if zone else None,
        "password_hash": _password_hash(password),
    }
    values.update(overrides)
    user = User(**values)
    db.session.add(user)
    db.session.commit()
    return user
