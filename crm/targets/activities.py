"""Activities (跟进记录) shared by targets and projects: validation and the subject's dates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from crm.core.timeutil import local_today
from crm.targets.models import ACTIVITY_KINDS, Activity

MAX_FUTURE = timedelta(days=3 * 366)


class ActivityError(ValueError):
    """Invalid activity data; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def build_activity(raw: dict[str, Any], actor: Any, zone_id: int | None) -> Activity:
    """A validated, unsaved Activity from form or API values."""
    kind = raw.get("kind")
    if kind not in ACTIVITY_KINDS:
        raise ActivityError(_l("请选择跟进方式"), "kind")
    occurred = raw.get("occurred_on")
    today = local_today()
    if occurred is None:
        raise ActivityError(_l("请填写跟进日期"), "occurred_on")
    if occurred > today:
        raise ActivityError(_l("跟进日期不能晚于今天"), "occurred_on")
    if occurred < date(2000, 1, 1):
        raise ActivityError(_l("跟进日期不在合理范围内"), "occurred_on")
    summary = (raw.get("summary") or "").strip()
    if not summary:
        raise ActivityError(_l("请填写跟进情况"), "summary")
    follow_up = raw.get("next_follow_up")
    if follow_up is not None and not (occurred <= follow_up <= today + MAX_FUTURE):
        raise ActivityError(_l("下次跟进日期应在跟进日期之后、三年之内"), "next_follow_up")
    return Activity(
        zone_id=zone_id,
        kind=kind,
        occurred_on=occurred,
        participants=(raw.get("participants") or "").strip()[:300],
        summary=summary,
        next_step=(raw.get("next_step") or "").strip()[:500],
        next_follow_up=follow_up,
        created_by_id=actor.id,
    )


def follow_subject(subject: Any, activity: Activity) -> None:
    """The newest activity sets the subject's last-activity date and next follow-up."""
    if subject.last_activity_on is None or activity.occurred_on >= subject.last_activity_on:
        subject.last_activity_on = activity.occurred_on
        subject.next_follow_up = activity.next_follow_up
