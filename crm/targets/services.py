"""Target-list rules: who may change what, activities, claims, staleness and bulk changes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, select

from crm.auth.models import User
from crm.core.access import scope_rule, scoped_select, zone_clause
from crm.core.audit import apply_changes, record_audit
from crm.core.boundary import parse_id
from crm.core.conflicts import conflict_as
from crm.core.i18n import join_words
from crm.core.roles import CITY_ROLES
from crm.core.settings import define_section, define_setting, get_setting
from crm.core.timeutil import local_today, utcnow
from crm.enterprises.models import Enterprise
from crm.enterprises.services import MERGE_HOOKS
from crm.extensions import db
from crm.targets.activities import ActivityError, build_activity, follow_subject
from crm.targets.conflicts import detect_conflict
from crm.targets.models import (
    ATTRACTION_MODES,
    OPEN_STATUSES,
    PRIORITIES,
    TARGET_STATUSES,
    Activity,
    Conflict,
    Target,
)
from crm.zones.models import Zone

define_section("targets", _l("目标企业"))
define_setting(
    "targets.stale_days",
    int,
    30,
    _l("目标企业多少天无跟进视为停滞"),
    _l("超过这个天数没有跟进记录的目标企业在清单和周报中标为停滞。"),
    minimum=1,
    maximum=365,
)

TARGET_FIELDS = (
    "chain_position",
    "attraction_modes",
    "priority",
    "status",
    "owner_id",
    "next_follow_up",
    "source",
    "note",
)
MAX_FUTURE = timedelta(days=3 * 366)


class TargetError(ValueError):
    """A target-list rule was broken; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@scope_rule(Target)
def _target_scope(user: Any):
    return None  # the target list is shared city-wide


@scope_rule(Activity)
def _activity_scope(user: Any):
    return zone_clause(Activity.zone_id, user)  # timelines stay in their zone and the city


@scope_rule(Conflict)
def _conflict_scope(user: Any):
    from crm.targets.models import ConflictZone

    if user.role in CITY_ROLES:
        return None
    if user.zone_id is None:
        return false()
    return Conflict.id.in_(
        select(ConflictZone.conflict_id).where(ConflictZone.zone_id == user.zone_id)
    )


def open_target_for(enterprise_id: int, zone_id: int | None, user: Any) -> Target | None:
    """The open target (待接触 / 已接触 / 有意向) of this enterprise in this zone that the user
    may change: creating a project for the enterprise offers to convert it."""
    if zone_id is None:
        return None
    stmt = scoped_select(Target, user).where(
        Target.enterprise_id == enterprise_id,
        Target.zone_id == zone_id,
        Target.deleted_at.is_(None),
        Target.status.in_(OPEN_STATUSES),
    )
    target = db.session.scalars(stmt.order_by(Target.id)).first()
    return target if target is not None and can_write_target(user, target) else None


def can_write_target(user: Any, target: Target) -> bool:
    """Coordinators and admins change any target; managers their zone's; staff the ones they
    own (or unowned ones of their zone)."""
    if user.role in ("coordinator", "admin"):
        return True
    if user.role == "manager":
        return target.zone_id is not None and target.zone_id == user.zone_id
    if user.role == "staff":
        return target.zone_id == user.zone_id and target.owner_id in (None, user.id)
    return False


def writable_target_or_404(target_id: Any, user: Any) -> Target:
    """A target the user may change, else 404 (the row is left as it was)."""
    ident = parse_id(target_id)
    target = db.session.get(Target, ident) if ident is not None else None
    if target is None or target.deleted_at is not None or not can_write_target(user, target):
        abort(404)
    return target


def _check_owner(owner_id: int | None, zone_id: int | None, actor: Any) -> None:
    if owner_id is None:
        return
    owner = db.session.get(User, owner_id)
    if owner is None or not owner.active:
        raise TargetError(_l("负责人不存在或已停用"), "owner_id")
    if zone_id is None or owner.zone_id != zone_id:
        raise TargetError(_l("负责人必须是该开发区的人员"), "owner_id")
    if actor.role == "staff" and owner_id != actor.id:
        raise TargetError(_l("招商专员只能把目标分配给自己"), "owner_id")


def clean_target_values(raw: dict[str, Any], zone_id: int | None, actor: Any) -> dict[str, Any]:
    """Validated target values (only the keys given)."""
    values = {k: raw[k] for k in TARGET_FIELDS if k in raw}
    if "attraction_modes" in values:
        modes = values["attraction_modes"] or []
        unknown = [m for m in modes if m not in ATTRACTION_MODES]
        if unknown:
            raise TargetError(
                _l("未知的招商方式：%(join)s", join=join_words(unknown)), "attraction_modes"
            )
        values["attraction_modes"] = [m for m in ATTRACTION_MODES if m in modes]
    if "priority" in values and values["priority"] not in PRIORITIES:
        raise TargetError(_l("优先级只能是 A、B 或 C"), "priority")
    if "status" in values and values["status"] not in TARGET_STATUSES:
        raise TargetError(_l("未知的目标状态"), "status")
    if values.get("status") == "converted":
        raise TargetError(_l("“已转项目”由“转为项目”操作设置"), "status")
    follow_up = values.get("next_follow_up")
    if follow_up is not None and not (date(2000, 1, 1) <= follow_up <= local_today() + MAX_FUTURE):
        raise TargetError(_l("下次跟进日期不在合理范围内"), "next_follow_up")
    if "owner_id" in values:
        _check_owner(values["owner_id"], zone_id, actor)
    for field, limit in (("chain_position", 200), ("source", 100)):
        if field in values:
            values[field] = (values[field] or "").strip()[:limit]
    return values


def _already_listed(enterprise: Enterprise, zone_id: int | None) -> TargetError:
    """The refusal of a second target for one enterprise and zone (or the city pool)."""
    zone = db.session.get(Zone, zone_id) if zone_id is not None else None
    where = zone.short_name if zone else "市级储备库"
    return TargetError(f"“{enterprise.name}”已在{where}的目标清单中", "enterprise")


def create_target(
    enterprise: Enterprise, zone_id: int | None, raw: dict[str, Any], actor: Any
) -> Target:
    """Put an enterprise on a zone's list (or the city pool); raises a conflict when another
    zone already pursues it."""
    if actor.role in ("staff", "manager"):
        zone_id = actor.zone_id  # zone users add to their own zone only
    elif actor.role == "viewer":
        raise TargetError(_l("只读用户不能添加目标企业"))
    existing = db.session.scalar(
        select(Target).where(
            Target.enterprise_id == enterprise.id,
            Target.deleted_at.is_(None),
            Target.zone_id.is_(None) if zone_id is None else Target.zone_id == zone_id,
        )
    )
    if existing is not None:
        where = existing.zone.short_name if existing.zone else "市级储备库"
        raise TargetError(
            _l("“%(name)s”已在%(where)s的目标清单中", name=enterprise.name, where=where),
            "enterprise",
        )
    values = clean_target_values(raw, zone_id, actor)
    if actor.role == "staff" and "owner_id" not in values:
        values["owner_id"] = actor.id
    target = Target(
        enterprise_id=enterprise.id,
        zone_id=zone_id,
        created_by_id=getattr(actor, "id", None),
        attraction_modes=[],
    )
    with conflict_as(lambda: _already_listed(enterprise, zone_id)):
        apply_changes(target, values, TARGET_FIELDS)
        db.session.add(target)
    record_audit(
        "create",
        "target",
        target.id,
        {"enterprise_id": enterprise.id, "zone_id": zone_id},
        actor=actor,
    )
    if zone_id is not None:
        detect_conflict(enterprise, actor)
    return target


def update_target(target: Target, raw: dict[str, Any], actor: Any) -> dict[str, list]:
    """Edit a target's fields, audited."""
    values = clean_target_values(raw, target.zone_id, actor)
    changes = apply_changes(target, values, TARGET_FIELDS)
    if changes:
        record_audit("update", "target", target.id, changes, actor=actor)
    return changes


def log_activity(target: Target, raw: dict[str, Any], actor: Any) -> Activity:
    """Record a contact; the target's next follow-up and last-activity date follow it."""
    try:
        activity = build_activity(raw, actor, target.zone_id)
    except ActivityError as exc:
        raise TargetError(str(exc), exc.field) from exc
    activity.target_id = target.id
    db.session.add(activity)
    follow_subject(target, activity)
    if activity.next_step:  # the latest next step recorded, as for projects
        target.next_step = activity.next_step
    if target.status == "new":
        target.status = "contacted"
    db.session.flush()
    record_audit("create", "activity", activity.id, {"target_id": target.id}, actor=actor)
    return activity


def claim_target(target: Target, actor: Any) -> Target:
    """A zone takes a target from the city pool."""
    if target.zone_id is not None:
        raise TargetError(_l("该目标已有开发区跟进，不在市级储备库中"))
    if actor.role not in ("staff", "manager") or actor.zone_id is None:
        raise TargetError(_l("只有开发区人员可以认领"))
    taken = db.session.scalar(
        select(Target.id).where(
            Target.enterprise_id == target.enterprise_id,
            Target.zone_id == actor.zone_id,
            Target.deleted_at.is_(None),
        )
    )
    if taken is not None:
        raise TargetError(_l("本开发区已在跟进该企业"))
    target.zone_id = actor.zone_id
    target.owner_id = actor.id if actor.role == "staff" else None
    db.session.flush()
    record_audit("claim", "target", target.id, {"zone_id": [None, actor.zone_id]}, actor=actor)
    detect_conflict(target.enterprise, actor)
    return target


def stale_before() -> date:
    """Targets whose last activity is before this date are stale."""
    return local_today() - timedelta(days=get_setting("targets.stale_days"))


def is_stale(target: Target) -> bool:
    if target.status not in ("new", "contacted", "interested"):
        return False
    last = target.last_activity_on or target.created_at.date()
    return last < stale_before()


def soft_delete_target(target: Target, actor: Any) -> None:
    """Remove a target from the list (restorable by an admin)."""
    target.deleted_at = utcnow()
    record_audit("delete", "target", target.id, actor=actor)


def restore_target(target: Target, actor: Any) -> None:
    """Bring a removed target back, unless its zone has re-added the enterprise."""
    clash = db.session.scalar(
        select(Target.id).where(
            Target.enterprise_id == target.enterprise_id,
            Target.deleted_at.is_(None),
            Target.zone_id.is_(None)
            if target.zone_id is None
            else Target.zone_id == target.zone_id,
        )
    )
    if clash is not None:
        raise TargetError(_l("该开发区已重新添加了这家企业，无法恢复"))
    target.deleted_at = None
    record_audit("restore", "target", target.id, actor=actor)


def _move_targets_on_merge(source: Enterprise, kept: Enterprise, actor: Any) -> None:
    kept_zones = {
        t.zone_id: t
        for t in db.session.scalars(
            select(Target).where(Target.enterprise_id == kept.id, Target.deleted_at.is_(None))
        )
    }
    moving = db.session.scalars(
        select(Target).where(Target.enterprise_id == source.id, Target.deleted_at.is_(None))
    ).all()
    for target in moving:
        twin = kept_zones.get(target.zone_id)
        if twin is None:
            target.enterprise_id = kept.id
            kept_zones[target.zone_id] = target
            continue
        for activity in db.session.scalars(select(Activity).where(Activity.target_id == target.id)):
            activity.target_id = twin.id
        if target.last_activity_on and (
            twin.last_activity_on is None or target.last_activity_on > twin.last_activity_on
        ):
            twin.last_activity_on = target.last_activity_on
            twin.next_follow_up = target.next_follow_up
        target.deleted_at = utcnow()
    for conflict in db.session.scalars(select(Conflict).where(Conflict.enterprise_id == source.id)):
        conflict.enterprise_id = kept.id
    db.session.flush()
    detect_conflict(kept, actor)


MERGE_HOOKS.append(_move_targets_on_merge)
