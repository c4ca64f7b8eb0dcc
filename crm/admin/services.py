"""Admin operations on users, and deleting a zone (other zone operations live in
crm.zones.services)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from crm.auth.models import User
from crm.auth.services import AuthError, end_all_sessions, refuse_weak_password, validate_role_zone
from crm.core.audit import apply_changes, record_audit
from crm.extensions import db
from crm.zones.models import Zone
from crm.zones.services import ZoneError

USER_FIELDS = ("display_name", "email", "role", "zone_id", "active")


def update_user(user: User, values: dict[str, Any], actor: User) -> dict[str, list]:
    """Change a user's details, role, zone or state; disabling ends their sessions."""
    validate_role_zone(values["role"], values["zone_id"])
    if values["zone_id"] is not None and db.session.get(Zone, values["zone_id"]) is None:
        raise AuthError(_l("开发区不存在"))
    if user.id == actor.id and (values["role"] != "admin" or not values["active"]):
        raise AuthError(_l("不能降低或停用自己的管理员账号"))
    values = {**values, "email": (values.get("email") or "").strip() or None}
    changes = apply_changes(user, values, USER_FIELDS)
    if changes:
        if ("active" in changes and not user.active) or "role" in changes or "zone_id" in changes:
            end_all_sessions(user)
        record_audit("update", "user", user.id, changes, actor=actor)
    return changes


def reset_password(user: User, password: str, actor: User) -> None:
    """Set a temporary password the user must change at the next sign-in."""
    refuse_weak_password(password, user.login)
    user.set_password(password)
    user.must_change_password = True
    end_all_sessions(user)
    record_audit("reset_password", "user", user.id, actor=actor)


def delete_zone(zone: Zone, actor: Any) -> None:
    """Delete a zone that holds nothing; a zone with users or records is refused."""
    users = db.session.scalar(select(func.count(User.id)).where(User.zone_id == zone.id))
    if users:
        raise ZoneError(
            _l(
                "开发区“%(name)s”仍有 %(users)s 个用户，不能删除；可以改为停用",
                name=zone.name,
                users=users,
            )
        )
    record_audit("delete", "zone", zone.id, {"code": zone.code, "name": zone.name}, actor=actor)
    db.session.delete(zone)
