"""Land forms: a parcel, a building, a status move, a reservation or supply, an upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional

from crm.core.boundary import coerce_id
from crm.core.forms import choices
from crm.enterprises.forms import ChoiceField, maxlen
from crm.land.models import (
    BUILDING_KINDS,
    CLAIM_KINDS,
    LAND_USES,
    PARCEL_STATUSES,
)
from crm.targets.forms import DateInputField


def labelled(values: dict[str, str]) -> list:
    return choices((code, _l(name)) for code, name in values.items())


class ParcelForm(FlaskForm):
    zone_id = ChoiceField(_l("开发区"), choices=[], coerce=coerce_id, validate_choice=False)
    code = StringField(_l("地块编号"), validators=[maxlen(40)])
    name = StringField(_l("地块名称"), validators=[maxlen(200)])
    location = StringField(_l("位置"), validators=[Optional(), maxlen(200)])
    area_mu = StringField(_l("面积（亩）"), validators=[maxlen(20)])
    land_use = ChoiceField(_l("用地性质"), choices=labelled(LAND_USES), default="industrial")
    status = ChoiceField(_l("状态"), choices=labelled(PARCEL_STATUSES), default="approved")
    effective_on = DateInputField(
        _l("状态日期"), validators=[Optional()], description=_l("留空即为今天")
    )
    batch = StringField(_l("批次"), validators=[Optional(), maxlen(100)])
    approval_no = StringField(_l("批复文号"), validators=[Optional(), maxlen(100)])
    approved_on = DateInputField(_l("批复日期"), validators=[Optional()])
    constraints = TextAreaField(_l("限制条件"), validators=[Optional(), maxlen(5000)])
    notes = TextAreaField(_l("备注"), validators=[Optional(), maxlen(5000)])
    polygon = HiddenField(validators=[Optional(), maxlen(20000)])  # drawn on the map, JSON


class BuildingForm(FlaskForm):
    zone_id = ChoiceField(_l("开发区"), choices=[], coerce=coerce_id, validate_choice=False)
    name = StringField(_l("载体名称"), validators=[maxlen(200)])
    kind = ChoiceField(_l("类型"), choices=labelled(BUILDING_KINDS), default="standard")
    parcel_id = ChoiceField(_l("所在地块"), choices=[], coerce=coerce_id, validate_choice=False)
    floor_area_sqm = StringField(_l("建筑面积（㎡）"), validators=[maxlen(20)])
    floors = IntegerField(
        _l("层数"),
        default=1,
        validators=[NumberRange(1, 200, message=_l("层数应为 1 到 200 的整数"))],
    )
    floor_load_kn = StringField(_l("楼面荷载（kN/㎡）"), validators=[Optional(), maxlen(20)])
    clear_height_m = StringField(_l("净高（米）"), validators=[Optional(), maxlen(20)])
    rent_yuan = StringField(_l("租金（元/㎡·月）"), validators=[Optional(), maxlen(20)])
    notes = TextAreaField(_l("备注"), validators=[Optional(), maxlen(5000)])


class StatusForm(FlaskForm):
    status = ChoiceField(_l("新状态"), choices=[])
    effective_on = DateInputField(
        _l("生效日期"), validators=[Optional()], description=_l("留空即为今天")
    )
    note = TextAreaField(_l("说明"), validators=[Optional(), maxlen(2000)])


def status_form(statuses: dict[str, str], **kwargs) -> StatusForm:
    form = StatusForm(**kwargs)
    form.status.choices = labelled(statuses)
    return form


class ClaimForm(FlaskForm):
    project_id = ChoiceField(_l("项目"), choices=[], coerce=coerce_id, validate_choice=False)
    kind = ChoiceField(_l("方式"), choices=labelled(CLAIM_KINDS), default="reserve")
    effective_on = DateInputField(
        _l("生效日期"), validators=[Optional()], description=_l("留空即为今天")
    )
    note = StringField(_l("说明"), validators=[Optional(), maxlen(2000)])


class UploadForm(FlaskForm):
    file = FileField(_l("选择文件"), validators=[FileRequired(_l("请选择要上传的文件"))])
