"""Chain-map forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from crm.chains.models import ENTERPRISE_ROLES, MILESTONE_STATUSES, SEGMENTS, STATUSES, STRATEGIES
from crm.core.forms import choices


class NodeForm(FlaskForm):
    name = StringField(
        _l("环节名称"), validators=[DataRequired(_l("请填写环节名称")), Length(max=100)]
    )
    segment = SelectField(_l("位置"), choices=choices((k, _l(v)) for k, v in SEGMENTS.items()))
    parent_id = SelectField(
        _l("上级环节"),
        choices=[],
        validate_choice=False,
        render_kw={
            "data-picker": "",  # chosen by name as you type (pickers.js)
            "data-placeholder": _l("输入环节名称查找"),
            "data-no-results": _l("没有这个环节"),
        },
    )
    strategy = SelectField(
        _l("策略"),
        choices=choices([("", "—"), *((k, _l(v)) for k, v in STRATEGIES.items())]),
        validate_choice=True,
    )
    key_products = StringField(_l("重点产品"), validators=[Optional(), Length(max=500)])
    priority = IntegerField(
        _l("优先级（1 最高）"),
        default=3,
        validators=[NumberRange(1, 5, _l("优先级应为 1 到 5"))],
    )
    notes = TextAreaField(_l("备注"), validators=[Optional(), Length(max=2000)])


class OverrideForm(FlaskForm):
    status = SelectField(
        _l("手动状态"),
        choices=choices(
            [("", _l("按覆盖情况自动计算")), *((k, _l(v)) for k, v in STATUSES.items())]
        ),
    )
    reason = StringField(_l("原因"), validators=[Optional(), Length(max=500)])


class LinkEnterpriseForm(FlaskForm):
    """An enterprise for a node: picked (its id, from the search-as-you-type picker) or, without
    JavaScript, typed by name or credit code."""

    enterprise_id = SelectField(_l("企业"), choices=[], validate_choice=False)
    enterprise_name = StringField(
        _l("企业名称或信用代码"), validators=[Optional(), Length(max=200)]
    )
    role = SelectField(_l("角色"), choices=choices((k, _l(v)) for k, v in ENTERPRISE_ROLES.items()))


class GapTargetsForm(FlaskForm):
    names = TextAreaField(_l("企业名称（每行一家）"), validators=[Optional(), Length(max=5000)])
    enterprise_ids = SelectMultipleField(_l("已有企业"), choices=[], validate_choice=False)
    zone_id = SelectField(_l("负责开发区"), choices=[], validate_choice=False)


class MilestoneForm(FlaskForm):
    # the quarter is read by crm.chains.milestones.parse_quarter (2027Q1, 2027年一季度, …)
    quarter = StringField(
        _l("季度"),
        validators=[DataRequired(_l("请填写季度")), Length(max=30)],
        description=_l("如 2027Q1、2027年一季度、2027年第1季度"),
    )
    title = StringField(
        _l("里程碑"), validators=[DataRequired(_l("请填写里程碑")), Length(max=200)]
    )
    status = SelectField(
        _l("状态"), choices=choices((k, _l(v)) for k, v in MILESTONE_STATUSES.items())
    )


class ChainLinksForm(FlaskForm):
    """The chain nodes a target or project serves (choices: nodes of the visible chains)."""

    node_ids = SelectMultipleField(_l("产业链环节"), choices=[], validate_choice=False)


class DefinitionsForm(FlaskForm):
    """Chain definitions to load (.json or .xlsx, as exported)."""

    file = FileField(
        _l("产业链定义文件（.json 或 .xlsx）"), validators=[FileRequired(_l("请选择要导入的文件"))]
    )
