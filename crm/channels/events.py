"""Alerts from other areas' events, without those areas knowing: a flush that inserts a stage
event into 签约 / 终止 of a project of at least ``channels.big_deal_wan`` (10亿元), or the zones
of a new cross-zone conflict, adds outbox rows in the same transaction (so a rolled-back change
sends nothing). The rows' keys (``stage-<event id>``, ``conflict-<id>``) make each alert once
per group and person; the channel scan (every minute) queues them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from crm.channels.groups import big_deal_text, conflict_text
from crm.channels.models import ChannelLink, RobotGroup
from crm.channels.prefs import wants_app
from crm.channels.scans import enabled_channels, group_row, insert_rows, row
from crm.core.settings import define_section, define_setting, get_setting
from crm.core.timeutil import utcnow
from crm.enterprises.models import Enterprise
from crm.projects.models import Project, StageEvent
from crm.reminders.periods import local_now
from crm.targets.models import OPEN_STATUSES, Conflict, ConflictZone, Target
from crm.zones.models import Zone

ALERT_DAYS = 3
define_section("channels", _l("企业微信 / 钉钉消息"))
define_setting(
    "channels.big_deal_wan",
    int,
    100000,
    _l("重大项目提醒门槛（万元）"),
    _l("项目签约或终止时投资额达到此数，向订阅的群发送提醒。"),
    minimum=1,
    maximum=100_000_000,
)


def _groups(session: Session, event_name: str, zone_ids: set[int]) -> list[RobotGroup]:
    groups = session.scalars(select(RobotGroup).where(RobotGroup.active.is_(True))).all()
    return [
        g
        for g in groups
        if event_name in (g.events or []) and (g.zone_id is None or g.zone_id in zone_ids)
    ]


def _personal(session: Session, user_ids: set[int], key: str, text: tuple, moment) -> list[dict]:
    if not user_ids:
        return []
    channels = enabled_channels()
    rows = []
    for link in session.scalars(select(ChannelLink).where(ChannelLink.user_id.in_(user_ids))):
        if not wants_app(link, "alert"):
            continue
        for channel, userid in (("wecom", link.wecom_userid), ("dingtalk", link.dingtalk_userid)):
            if channel in channels and userid:
                rows.append(
                    row(
                        channel,
                        f"u{link.user_id}",
                        "alert",
                        key,
                        moment,
                        recipient_id=link.user_id,
                        address=userid,
                        title=text[0][:200],
                        body=text[1],
                        expires_at=utcnow() + timedelta(days=ALERT_DAYS),
                    )
                )
    return rows


def stage_rows(session: Session, stage_event: StageEvent, moment) -> list[dict]:
    if stage_event.to_stage not in ("signed", "terminated"):
        return []
    project = session.get(Project, stage_event.project_id)
    if project is None:
        return []
    amount = max(int(stage_event.amount_wan or 0), int(project.contract_amount_wan or 0))
    if amount < get_setting("channels.big_deal_wan"):
        return []
    zone = session.get(Zone, project.zone_id)
    text = big_deal_text(project, stage_event.to_stage, amount, zone.short_name if zone else "")
    key = f"stage-{stage_event.id}"
    expiry = utcnow() + timedelta(days=ALERT_DAYS)
    rows = [
        group_row(g, "big_deal", key, moment, text, expires_at=expiry)
        for g in _groups(session, "big_deal", {project.zone_id})
    ]
    owners = {project.owner_id} if project.owner_id else set()
    return rows + _personal(session, owners, key, text, moment)


def conflict_rows(session: Session, conflict_id: int, moment) -> list[dict]:
    conflict = session.get(Conflict, conflict_id)
    zone_ids = set(
        session.scalars(select(ConflictZone.zone_id).where(ConflictZone.conflict_id == conflict_id))
    )
    if conflict is None or len(zone_ids) < 2:
        return []
    names = list(
        session.scalars(
            select(Zone.short_name).where(Zone.id.in_(zone_ids)).order_by(Zone.sort_order)
        )
    )
    enterprise = session.get(Enterprise, conflict.enterprise_id)
    text = conflict_text(conflict_id, enterprise.name if enterprise else "", names)
    key = f"conflict-{conflict_id}"
    expiry = utcnow() + timedelta(days=ALERT_DAYS)
    rows = [
        group_row(g, "conflict", key, moment, text, expires_at=expiry)
        for g in _groups(session, "conflict", zone_ids)
    ]
    owners = set(
        session.scalars(
            select(Target.owner_id).where(
                Target.enterprise_id == conflict.enterprise_id,
                Target.zone_id.in_(zone_ids),
                Target.deleted_at.is_(None),
                Target.status.in_(OPEN_STATUSES),
                Target.owner_id.is_not(None),
            )
        )
    )
    return rows + _personal(session, owners, key, text, moment)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    stages = [o for o in session.new if isinstance(o, StageEvent)]
    conflicts = {o.conflict_id for o in session.new if isinstance(o, ConflictZone)}
    if not stages and not conflicts:
        return
    moment = local_now()
    rows: list[dict] = []
    for stage_event in stages:
        rows += stage_rows(session, stage_event, moment)
    for conflict_id in sorted(conflicts):
        rows += conflict_rows(session, conflict_id, moment)
    insert_rows(rows)
