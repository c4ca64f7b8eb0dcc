"""Target-list forms: a target's fields, a new target, an activity, a conflict settlement."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from crm.core.forms import choices
from crm.core.timeutil import local_today
from crm.enterprises.forms import CheckboxesField, ChoiceField, EnterpriseForm, maxlen
from crm.targets.conflicts import RESOLUTIONS
from crm.targets.models import ACTIVITY_KINDS, ATTRACTION_MODES, TARGET_STATUSES
from crm.targets.queries import POOL

PRIORITY_LABELS = {"A": _l("A（重点）"), "B": _l("B（一般）"), "C": _l("C（储备）")}
# labels translated when rendered: the Chinese words are also the import vocabulary
EDITABLE_STATUSES = {k: _l(v) for k, v in TARGET_STATUSES.items() if k != "converted"}


class DateInputField(DateField):
    """A date typed as 2026-03-05 or 2026/3/5, with a Chinese message when it is not one."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("format", ["%Y-%m-%d", "%Y/%m/%d"])
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("日期格式不正确，请按 2026-03-05 填写")) from exc


class TargetFieldsForm(FlaskForm):
    """The fields a target has on the list (shared by create and edit)."""

    attraction_modes = CheckboxesField(
        _l("招商方式"), choices=choices((m, _l(m)) for m in ATTRACTION_MODES)
    )
    priority = ChoiceField(_l("优先级"), choices=choices(PRIORITY_LABELS.items()), default="B")
    status = ChoiceField(_l("状态"), choices=choices(EDITABLE_STATUSES.items()), default="new")
    owner_id = ChoiceField(_l("负责人"), choices=[], default="")
    next_follow_up = DateInputField(_l("下次跟进日期"), validators=[Optional()])
    chain_position = StringField(
        _l("产业链位置"),
        validators=[Optional(), maxlen(200)],
        description=_l("如：铅锌冶炼 / 下游 / 再生资源"),
    )
    source = StringField(
        _l("线索来源"),
        validators=[Optional(), maxlen(100)],
        description=_l("如：商会推介、展会、以商招商"),
    )
    note = TextAreaField(_l("备注"), validators=[Optional(), maxlen(5000)])


TARGET_FORM_FIELDS = (
    "attraction_modes",
    "priority",
    "status",
    "next_follow_up",
    "chain_position",
    "source",
    "note",
)


class TargetCreateForm(EnterpriseForm, TargetFieldsForm):
    """A new target: an existing enterprise (``enterprise_id``) or a new one typed here."""

    name = StringField(_l("企业名称"), validators=[Optional(), maxlen(200)])
    enterprise_id = HiddenField()
    zone = ChoiceField(_l("加入"), choices=[], default="")
    confirm_duplicate = BooleanField(_l("确认不是同一家企业，继续创建"))


class ActivityForm(FlaskForm):
    kind = ChoiceField(
        _l("跟进方式"),
        choices=choices((k, _l(v)) for k, v in ACTIVITY_KINDS.items()),
        default="visit",
    )
    occurred_on = DateInputField(
        _l("跟进日期"), validators=[InputRequired(_l("请填写跟进日期"))], default=local_today
    )
    participants = StringField(_l("参与人员"), validators=[Optional(), maxlen(300)])
    summary = TextAreaField(
        _l("跟进情况"), validators=[DataRequired(_l("请填写跟进情况")), maxlen(5000)]
    )
    next_step = StringField(_l("下一步计划"), validators=[Optional(), maxlen(500)])
    next_follow_up = DateInputField(_l("下次跟进日期"), validators=[Optional()])


ACTIVITY_FIELDS = (
    "kind",
    "occurred_on",
    "participants",
    "summary",
    "next_step",
    "next_follow_up",
)


class SettleForm(FlaskForm):
    resolution = RadioField(
        _l("处理方式"),
        choices=choices(RESOLUTIONS.items()),
        invalid_choice_message=_l("请选择处理方式"),
        validators=[DataRequired(_l("请选择处理方式"))],
    )
    kept_zone_id = ChoiceField(_l("保留跟进的开发区"), choices=[], default="")
    note = TextAreaField(
        _l("协调说明"),
        validators=[Optional(), maxlen(2000)],
        description=_l("共同跟进时必填，写明分工"),
    )


POOL_LABEL = _l("市级储备库")


def zone_choices(zones: list[Any], *, pool: bool = True) -> list[SelectChoice]:
    """Zones (and the city pool) as select choices; the pool's value is ``pool``."""
    rows = [(POOL, POOL_LABEL)] if pool else []
    return choices([*rows, *((str(z.id), z.short_name) for z in zones)])


def owner_choices(people: list[Any], blank: Any = None) -> list[SelectChoice]:
    """People as select choices, grouped by zone when they come from several zones."""
    grouped = len({p.zone_id for p in people}) > 1
    options = [SelectChoice("", blank or _l("（暂不指定）"))]
    for person in people:
        group = person.zone.short_name if grouped and person.zone else None
        options.append(SelectChoice(str(person.id), person.display_name, optgroup=group))
    return options
