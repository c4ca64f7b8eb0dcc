"""Bulk changes on the target list: assign, status, priority, move zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from crm.core.audit import record_audit
from crm.core.boundary import parse_id
from crm.extensions import db
from crm.targets.conflicts import detect_conflict
from crm.targets.models import PRIORITIES, TARGET_STATUSES, Target
from crm.targets.services import TargetError, _check_owner, can_write_target
from crm.zones.models import Zone

BULK_ACTIONS = {
    "assign": "分配负责人",
    "status": "修改状态",
    "priority": "修改优先级",
    "move_zone": "移交开发区",
}
MAX_BULK = 1000


@dataclass
class BulkResult:
    changed: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _parse_value(action: str, value: str, actor: Any) -> Any:
    if action == "assign":
        if actor.role not in ("manager", "coordinator", "admin"):
            raise TargetError("只有开发区负责人和市级统筹可以批量分配")
        if not value:
            return None
        owner_id = parse_id(value)
        if owner_id is None:
            raise TargetError("负责人不存在")
        return owner_id
    if action == "status":
        if value not in TARGET_STATUSES or value == "converted":
            raise TargetError("请选择有效的状态")
        return value
    if action == "priority":
        if value not in PRIORITIES:
            raise TargetError("优先级只能是 A、B 或 C")
        return value
    if action == "move_zone":
        if actor.role not in ("coordinator", "admin"):
            raise TargetError("只有市级统筹可以移交开发区")
        if not value:
            return None
        zone_id = parse_id(value)
        zone = db.session.get(Zone, zone_id) if zone_id is not None else None
        if zone is None:
            raise TargetError("开发区不存在")
        return zone.id
    raise TargetError("未知的批量操作")


def bulk_update(target_ids: list[int], action: str, raw_value: str, actor: Any) -> BulkResult:
    """Apply one change to many targets; rows the actor may not change are skipped, not 500."""
    if not target_ids:
        raise TargetError("请先勾选目标企业")
    if len(target_ids) > MAX_BULK:
        raise TargetError(f"一次最多处理 {MAX_BULK} 条")
    try:
        value = _parse_value(action, raw_value, actor)
    except ValueError as exc:
        raise TargetError(str(exc) if isinstance(exc, TargetError) else "取值无效") from exc
    result = BulkResult()
    targets = db.session.scalars(
        select(Target).where(Target.id.in_(target_ids), Target.deleted_at.is_(None))
    ).all()
    for target in targets:
        if not can_write_target(actor, target):
            result.skipped.append((target.id, "无权修改"))
            continue
        try:
            old = _apply_one(target, action, value, actor)
        except TargetError as exc:
            result.skipped.append((target.id, str(exc)))
            continue
        if old is not None:
            result.changed.append(target.id)
            record_audit(
                f"bulk_{action}", "target", target.id, {action: [old[0], value]}, actor=actor
            )
    return result


def _apply_one(target: Target, action: str, value: Any, actor: Any) -> tuple[Any] | None:
    if action == "assign":
        _check_owner(value, target.zone_id, actor)
        if target.owner_id == value:
            return None
        old, target.owner_id = target.owner_id, value
        return (old,)
    if action in ("status", "priority"):
        if action == "status" and target.status == "converted":
            raise TargetError("已转项目的目标不能修改状态")
        if getattr(target, action) == value:
            return None
        old = getattr(target, action)
        setattr(target, action, value)
        return (old,)
    # move_zone
    if target.zone_id == value:
        return None
    clash = db.session.scalar(
        select(Target.id).where(
            Target.enterprise_id == target.enterprise_id,
            Target.deleted_at.is_(None),
            Target.zone_id.is_(None) if value is None else Target.zone_id == value,
        )
    )
    if clash is not None:
        raise TargetError("目标开发区已有该企业")
    old, target.zone_id, target.owner_id = target.zone_id, value, None
    db.session.flush()
    detect_conflict(target.enterprise, actor)
    return (old,)
