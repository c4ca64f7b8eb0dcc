"""Demo users for `flask demo` (never loaded in production)."""

from __future__ import annotations

from sqlalchemy import select

from crm.auth.models import User
from crm.auth.services import create_user
from crm.extensions import db
from crm.zones.models import Zone

CITY_USERS = [
    ("admin", "系统管理员", "admin"),
    ("city", "王统筹", "coordinator"),
    ("leader", "李领导", "viewer"),
]
ZONE_PEOPLE = {
    "gxq": ("张高新", "赵一帆", "钱二宝"),
    "jkq": ("孙经开", "周三思", "吴四海"),
    "xdfw": ("郑服务", "冯五洲", "陈六合"),
}


def demo_logins() -> list[tuple[str, str]]:
    """(login, description) of every demo user, for the README and `make run`."""
    rows = [(login, name) for login, name, _role in CITY_USERS]
    for code, (manager, staff1, staff2) in ZONE_PEOPLE.items():
        rows += [
            (f"{code}-manager", manager),
            (f"{code}-staff1", staff1),
            (f"{code}-staff2", staff2),
        ]
    return rows


def load_demo_users(password: str) -> int:
    """Create the demo users that are missing; returns how many were created."""
    created = 0
    existing = set(db.session.scalars(select(User.login)))

    def add(login: str, name: str, role: str, zone: Zone | None) -> None:
        nonlocal created
        if login in existing:
            return
        create_user(
            login=login,
            display_name=name,
            password=password,
            role=role,
            zone_id=zone.id if zone else None,
            email=f"{login}@example.gov.cn",
            must_change_password=False,
        )
        created += 1

    for login, name, role in CITY_USERS:
        add(login, name, role, None)
    zones = {z.code: z for z in db.session.scalars(select(Zone))}
    for code, (manager, staff1, staff2) in ZONE_PEOPLE.items():
        zone = zones.get(code)
        if zone is None:
            continue
        add(f"{code}-manager", manager, "manager", zone)
        add(f"{code}-staff1", staff1, "staff", zone)
        add(f"{code}-staff2", staff2, "staff", zone)
    return created
