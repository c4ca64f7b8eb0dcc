"""The monthly progress form on the project page (amounts as typed; the rules parse them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Optional

from crm.enterprises.forms import maxlen
from crm.progress.services import MAX_TEXT

FORM_FIELDS = (
    "period",
    "month_investment_wan",
    "total_investment_wan",
    "month_funds_wan",
    "total_funds_wan",
    "image_progress",
    "problems",
    "coordination",
    "note",
)
AMOUNT_HINT = _l("单位万元，也可写“1.2亿”；留空按上月累计推算")


class ProgressForm(FlaskForm):
    period = StringField(_l("月份"), validators=[maxlen(20)], description=_l("如 2026-11"))
    month_investment_wan = StringField(
        _l("本月完成投资"), validators=[Optional(), maxlen(40)], description=AMOUNT_HINT
    )
    total_investment_wan = StringField(
        _l("累计完成投资"), validators=[Optional(), maxlen(40)], description=_l("固定资产投资")
    )
    month_funds_wan = StringField(
        _l("本月到位资金"), validators=[Optional(), maxlen(40)], description=AMOUNT_HINT
    )
    total_funds_wan = StringField(_l("累计到位资金"), validators=[Optional(), maxlen(40)])
    image_progress = TextAreaField(_l("形象进度"), validators=[Optional(), maxlen(MAX_TEXT)])
    problems = TextAreaField(_l("存在问题"), validators=[Optional(), maxlen(MAX_TEXT)])
    coordination = TextAreaField(_l("需协调事项"), validators=[Optional(), maxlen(MAX_TEXT)])
    note = StringField(
        _l("修订说明"),
        validators=[Optional(), maxlen(500)],
        description=_l("更正已锁定月份时填写，记入修改记录"),
    )
