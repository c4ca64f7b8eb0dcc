"""Months and due dates of 报送: the report of a month is due on the N-th working day of the
next month (Chinese working days with the admin's holiday overrides), reminded a few working
days before; and the area's settings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.period_lock import PERIOD_RE, period_of
from crm.core.settings import define_section, define_setting, get_setting
from crm.core.timeutil import local_today
from crm.core.workdays import is_workday
from crm.extensions import db
from crm.reminders.models import HolidayOverride

define_section("reporting", _l("月报报送"))
define_setting(
    "reporting.due_workday",
    int,
    5,
    _l("月报报送时限（次月第几个工作日）"),
    _l("开发区应在次月第几个工作日前（含当天）报送上月月报，按中国法定工作日计算。"),
    minimum=1,
    maximum=20,
)
define_setting(
    "reporting.remind_days_before",
    int,
    2,
    _l("提前几个工作日提醒报送"),
    _l(
        "到期前这么多个工作日起，向未报或被退回的开发区负责人发送一次报送提醒邮件；逾期后再提醒一次。"
    ),
    minimum=0,
    maximum=10,
)
define_setting(
    "reporting.office",
    str,
    "济源示范区招商引资工作领导小组办公室",
    _l("月报主送机关"),
    _l("开发区月报的主送机关，也是全市月报、周报的落款。"),
)
define_setting(
    "reporting.city_addressee",
    str,
    "济源示范区党工委、管委会",
    _l("全市月报主送机关"),
)


def parse_period(raw: Any) -> str | None:
    """``YYYY-MM`` within ten years of today, else None."""
    text = str(raw or "").strip()
    if not PERIOD_RE.fullmatch(text):
        return None
    if abs(int(text[:4]) - local_today().year) > 10:
        return None
    return text


def previous_period(today: date | None = None) -> str:
    """The month whose report is due now: last month."""
    first = (today or local_today()).replace(day=1)
    last = first - timedelta(days=1)
    return period_of(last.year, last.month)


def period_label(period: str) -> str:
    return str(_l("%(year)s年%(month)s月", year=int(period[:4]), month=int(period[5:])))


def _workdays_of_following_month(period: str) -> list[date]:
    year, month = int(period[:4]), int(period[5:])
    start = date(year + (month == 12), month % 12 + 1, 1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    overrides = dict(
        db.session.execute(
            select(HolidayOverride.day, HolidayOverride.is_workday).where(
                HolidayOverride.day >= start, HolidayOverride.day < end
            )
        ).all()
    )
    days = [start + timedelta(days=n) for n in range((end - start).days)]
    # a month overridden to have no working day at all: the last day stands in
    return [day for day in days if is_workday(day, overrides)] or [days[-1]]


def due_date(period: str) -> date:
    """The N-th working day of the month after ``period`` (setting ``reporting.due_workday``)."""
    workdays = _workdays_of_following_month(period)
    return workdays[min(get_setting("reporting.due_workday"), len(workdays)) - 1]


def remind_from(period: str) -> date:
    """The first day the zone manager is reminded (a few working days before the due date)."""
    workdays = _workdays_of_following_month(period)
    due = min(get_setting("reporting.due_workday"), len(workdays))
    return workdays[max(due - 1 - get_setting("reporting.remind_days_before"), 0)]


def period_of_today(today: date | None = None) -> str:
    today = today or local_today()
    return period_of(today.year, today.month)
