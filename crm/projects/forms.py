"""Project forms: money fields with a unit, the project fields, creation, stage changes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, ValidationError

from crm.core.boundary import parse_id
from crm.core.forms import choices
from crm.core.money import YI, AmountError, parse_amount
from crm.enterprises.forms import ChoiceField, maxlen
from crm.projects.models import PROJECT_TYPES
from crm.projects.services import PROJECT_FIELDS
from crm.projects.stages import Evidence
from crm.targets.forms import ActivityForm, DateInputField

__all__ = ["ActivityForm", "AmountField", "ProjectCreateForm", "ProjectForm", "stage_form"]

UNITS = (("亿元", _l("亿元")), ("万元", _l("万元")))


def amount_text(wan: int, unit: str) -> str:
    """A stored amount as an input value in ``unit``, exact (no rounding) and with its unit."""
    if unit == "万元":
        return f"{wan}万元"
    yi = (Decimal(wan) / YI).normalize()
    return f"{yi:f}亿元"


class AmountField(StringField):
    """Money in integer 万元, typed as "30亿", "3,000,000,000元", "300000万" or a plain number
    in the unit chosen in the form's ``amount_unit`` select. What was typed is kept for the
    re-rendered form; ``data`` is the parsed 万元 integer (None when blank)."""

    unit = "亿元"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.raw: str | None = None

    def process_data(self, value: Any) -> None:
        ok = isinstance(value, int) and not isinstance(value, bool)
        self.data = value if ok else None

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.raw = str(valuelist[0])
            self.data = None

    def _value(self) -> str:
        if self.raw is not None:
            return self.raw
        return "" if self.data is None else amount_text(self.data, self.unit)

    def pre_validate(self, form: Any) -> None:
        if self.raw is None:
            return  # not posted: the stored value stays
        if not self.raw.strip():
            self.data = None
            return
        try:
            self.data = parse_amount(self.raw, self.unit)
        except AmountError as exc:
            self.data = None
            raise ValidationError(str(exc)) from exc


class MoneyForm(FlaskForm):
    """A form whose amount fields read plain numbers in the unit picked in ``amount_unit``."""

    amount_unit = ChoiceField(
        _l("金额单位"),
        choices=choices(UNITS),
        default="亿元",
        description=_l("只写数字时按此单位理解；也可直接写“30亿”“300000万”“3,000,000,000元”"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.amount_unit.data if self.amount_unit.data in dict(UNITS) else "亿元"
        for field in self:
            if isinstance(field, AmountField):
                field.unit = unit


class ProjectForm(MoneyForm):
    """A project's own fields (shared by create and edit); the stage has its own form."""

    name = StringField(_l("项目名称"), validators=[DataRequired(_l("请填写项目名称")), maxlen(200)])
    code_name = StringField(
        _l("项目代号"),
        validators=[Optional(), maxlen(60)],
        description=_l("填写代号即为保密项目：看板、列表和导出只显示代号，不显示真实名称和企业"),
    )
    owner_id = ChoiceField(_l("负责人"), choices=[], default="")
    industry = StringField(_l("所属行业"), validators=[Optional(), maxlen(100)])
    is_manufacturing = BooleanField(_l("制造业项目"), default=True)
    project_type = ChoiceField(
        _l("项目类型"),
        choices=choices((code, _l(word)) for code, word in PROJECT_TYPES.items()),
        default="new",
        description=_l("增资扩产项目的投资额只填增加的部分"),
    )
    planned_total_wan = AmountField(_l("计划总投资"))
    contract_amount_wan = AmountField(_l("合同投资额"))
    actual_in_place_wan = AmountField(_l("累计实际到位"))
    expected_landing_on = DateInputField(_l("预计落地日期"), validators=[Optional()])
    land_need_mu = StringField(_l("用地需求（亩）"), validators=[Optional(), maxlen(20)])
    first_reported = BooleanField(_l("已向省里首报"))
    first_reported_on = DateInputField(_l("首报日期"), validators=[Optional()])
    next_step = StringField(_l("下一步计划"), validators=[Optional(), maxlen(500)])
    description = TextAreaField(_l("项目简介"), validators=[Optional(), maxlen(5000)])
    version = HiddenField()


def project_values(form: ProjectForm) -> dict[str, Any]:
    """The form's project fields as plain values for the services."""
    values = {}
    for name in PROJECT_FIELDS:  # the fields the services accept
        data = getattr(form, name).data
        values[name] = data.strip() if isinstance(data, str) else data
    owner = values["owner_id"]
    values["owner_id"] = parse_id(owner)
    return values


class ProjectCreateForm(ProjectForm):
    """A new project: for an enterprise chosen or typed here (with the duplicate checks)."""

    zone_id = ChoiceField(_l("开发区"), choices=[], default="")
    stage = ChoiceField(_l("起始阶段"), choices=[], default="lead")  # labels are settings
    started_on = DateInputField(
        _l("开始日期"), validators=[Optional()], description=_l("留空即为今天；可以填过去的日期")
    )
    # picked as you type (pickers.js, the enterprise search); without JavaScript, or when the
    # enterprise is new, its name is typed instead
    enterprise_id = ChoiceField(
        _l("企业"),
        choices=[],
        default="",
        validate_choice=False,
        validators=[Optional()],
        description=_l("输入名称、拼音首字母或信用代码查找"),
    )
    enterprise_name = StringField(_l("企业名称"), validators=[Optional(), maxlen(200)])
    enterprise_uscc = StringField(
        _l("统一社会信用代码"), validators=[Optional(), maxlen(30)], description=_l("可留空")
    )
    use_enterprise = RadioField(
        _l("使用已有企业"), choices=[], validate_choice=False, validators=[Optional()]
    )
    confirm_duplicate = BooleanField(_l("确认不是同一家企业，继续新建"))
    # asked when the enterprise is an open target of the zone (see edit_views.create)
    convert_target = RadioField(
        _l("目标企业清单"),
        choices=choices(
            [
                ("convert", _l("由该目标转为项目（目标状态改为“已转项目”）")),
                ("separate", _l("不转换，单独新建项目（目标保持原状态）")),
            ]
        ),
        validate_choice=False,
        validators=[Optional()],
    )
    offered = HiddenField()  # the target the choice above was offered for


class StageFormBase(MoneyForm):
    """A stage change; the evidence fields of the step are added by :func:`stage_form`."""

    to_stage = HiddenField()
    effective_on = DateInputField(_l("生效日期"), validators=[Optional()])
    note = TextAreaField(_l("说明 / 原因"), validators=[Optional(), maxlen(2000)])
    version = HiddenField()


def _evidence_field(item: Evidence) -> Any:
    label = item.label
    if item.kind == "date":
        return DateInputField(label, validators=[Optional()])
    if item.kind == "amount":
        return AmountField(label)
    if item.kind == "area":
        return StringField(label, validators=[Optional(), maxlen(20)])
    if item.kind == "uscc":
        return StringField(label, validators=[Optional(), maxlen(30)])
    return StringField(label, validators=[Optional(), maxlen(200)])


def stage_form(needed: tuple[Evidence, ...], **kwargs: Any) -> StageFormBase:
    """A stage form with one field per piece of evidence the step needs."""
    fields = {item.name: _evidence_field(item) for item in needed}
    form_class = type("StageForm", (StageFormBase,), fields)
    return form_class(**kwargs)


def evidence_values(form: StageFormBase, needed: tuple[Evidence, ...]) -> dict[str, Any]:
    values = {}
    for item in needed:
        data = getattr(form, item.name).data
        values[item.name] = data.strip() if isinstance(data, str) else data
    return values


class AttachmentForm(FlaskForm):
    file = FileField(_l("上传附件"), validators=[FileRequired(_l("请选择要上传的文件"))])


class ConfirmForm(FlaskForm):
    """A POST button with its CSRF token (delete, remove)."""
