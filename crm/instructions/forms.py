"""Instruction forms: writing one, recording 办理情况, closing and reopening."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Optional

from crm.targets.forms import DateInputField


class InstructionForm(FlaskForm):
    content = TextAreaField(_l("批示内容"), render_kw={"rows": 4, "maxlength": 2000})
    zone_id = SelectField(_l("承办开发区"), choices=[], validate_choice=False)
    assignee_id = SelectField(
        _l("承办人"),
        choices=[],
        validate_choice=False,
        description=_l("可不指定：不指定时由该开发区负责人和招商专员办理"),
    )
    due_on = DateInputField(_l("时限"), validators=[Optional()])


class ReportForm(FlaskForm):
    note = TextAreaField(_l("办理情况"), render_kw={"rows": 3, "maxlength": 2000})
    reported_on = DateInputField(_l("办理日期"), validators=[Optional()])


class CloseForm(FlaskForm):
    note = TextAreaField(_l("办结意见"), render_kw={"rows": 2, "maxlength": 2000})
