"""Reminder forms: preferences, holiday overrides, sending a digest now."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from crm.core.forms import choices
from crm.reminders.recipients import KIND_LABELS


class PreferencesForm(FlaskForm):
    daily = BooleanField(_l("每日跟进提醒（工作日 08:30）"))
    weekly = BooleanField(_l("每周工作周报（每周第一个工作日 08:00）"))


class HolidayForm(FlaskForm):
    day = DateField(_l("日期"), validators=[DataRequired(_l("请填写日期"))])
    is_workday = SelectField(
        _l("当天"),
        choices=choices([("0", _l("休息（节假日）")), ("1", _l("上班（调休工作日）"))]),
    )
    note = StringField(_l("说明"), validators=[Optional(), Length(max=100)])


class SendNowForm(FlaskForm):
    login = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名")), Length(max=60)])
    kind = SelectField(
        _l("类型"), choices=choices((kind, _l(label)) for kind, label in KIND_LABELS.items())
    )


class EmptyForm(FlaskForm):
    """A form with only the CSRF token (revoke, delete, retry)."""
