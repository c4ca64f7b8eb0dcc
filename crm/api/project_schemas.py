"""Marshmallow schemas of the project API (messages in Chinese; amounts in integer 万元)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from crm.api.target_schemas import (
    ActivitySchema,
    ChainArgsSchema,
    EnterpriseCreateSchema,
    EnterpriseSummarySchema,
    PageArgsSchema,
    PageSchema,
    PersonSchema,
    ZhSchema,
    ZoneBriefSchema,
    max_len,
    one_of,
    utc_iso,
)
from crm.core.boundary import BoundedInt, Id
from crm.core.money import MAX_WAN, AmountError, parse_amount, wan_to_yi_str
from crm.projects.models import PROJECT_TYPES
from crm.projects.queries import SIGNALS, SORT_LABELS
from crm.projects.services import INITIAL_STAGES, project_signals
from crm.projects.stages import ALL_STAGES, stage_label

NAME_LENGTH = "应为 {min} 到 {max} 个字符"
AMOUNT_HELP = '整数万元，或带单位的字符串，如 "30亿"、"300000万"、"3,000,000,000元"'
DECIMAL_STRING = {"type": "string", "format": "decimal", "description": "亩，十进制字符串"}
AREA_ERRORS = {"invalid": "应为数字（亩）", "special": "应为有限的数字（亩）"}


class Amount(fields.Field):
    """An amount in integer 万元; also accepts a string with its unit, parsed exactly."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "description": AMOUNT_HELP,
            "oneOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_WAN},
                {"type": "string", "minLength": 1, "maxLength": 40},
            ],
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise ValidationError(f"金额应为{AMOUNT_HELP}")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int):
            if value < 0:
                raise ValidationError("金额不能为负数")
            return value
        if isinstance(value, str):
            try:
                return parse_amount(value)
            except AmountError as exc:
                raise ValidationError(str(exc)) from None
        raise ValidationError(f"金额应为{AMOUNT_HELP}")

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


# --- output ----------------------------------------------------------------------------


class SignalsSchema(Schema):
    overdue = fields.Bool(metadata={"description": "下次跟进日期已过"})
    no_next_step = fields.Bool(metadata={"description": "没有下一步计划"})
    rotting = fields.Bool(metadata={"description": "在当前阶段停留过久"})
    first_report_missing = fields.Bool(metadata={"description": "达到首报门槛但未首报"})
    confidential = fields.Bool()
    days_in_stage = fields.Int()


def _enterprise_unless_confidential(project: Any) -> Any:
    if project.is_confidential:
        return None
    return EnterpriseSummarySchema().dump(project.enterprise)


class ProjectSchema(Schema):
    """A project as lists show it: a confidential project appears under its code name."""

    id = fields.Int()
    name = fields.Function(lambda p: p.display_name(), metadata={"description": "保密项目显示代号"})
    confidential = fields.Function(lambda p: p.is_confidential)
    enterprise = fields.Function(
        _enterprise_unless_confidential,
        metadata={"description": "企业；保密项目在列表中为 null"},
    )
    zone = fields.Nested(ZoneBriefSchema)
    owner = fields.Nested(PersonSchema, allow_none=True)
    stage = fields.Str(metadata={"enum": list(ALL_STAGES)})
    stage_label = fields.Function(lambda p: stage_label(p.stage))
    stage_since = fields.Date()
    is_manufacturing = fields.Bool()
    project_type = fields.Str(metadata={"enum": list(PROJECT_TYPES)})
    project_type_label = fields.Function(lambda p: PROJECT_TYPES.get(p.project_type, ""))
    planned_total_wan = fields.Int(allow_none=True, metadata={"description": "计划总投资（万元）"})
    contract_amount_wan = fields.Int(allow_none=True, metadata={"description": "合同投资额"})
    actual_in_place_wan = fields.Int(metadata={"description": "累计实际到位（万元）"})
    quota_amount_wan = fields.Int(
        allow_none=True, metadata={"description": "考核口径金额：合同投资额，否则计划总投资"}
    )
    quota_amount_yi = fields.Function(
        lambda p: wan_to_yi_str(p.quota_amount_wan) or None,
        metadata={"description": "考核口径金额（亿元，两位小数）"},
    )
    expected_landing_on = fields.Date(allow_none=True)
    first_reported = fields.Bool(metadata={"description": "已向省里首报"})
    next_step = fields.Str()
    next_follow_up = fields.Date(allow_none=True)
    last_activity_on = fields.Date(allow_none=True)
    signals = fields.Function(lambda p: SignalsSchema().dump(project_signals(p)))
    version = fields.Int(metadata={"description": "修改和变更阶段时原样提交"})
    updated_at = fields.Function(lambda p: utc_iso(p.updated_at))


class ProjectDetailSchema(ProjectSchema):
    """One project for users in its scope: the real name and the evidence recorded."""

    name = fields.Str(metadata={"description": "真实名称（仅详情接口返回）"})
    code_name = fields.Str(allow_none=True, metadata={"description": "保密代号"})
    enterprise = fields.Nested(EnterpriseSummarySchema)
    industry = fields.Str()
    land_need_mu = fields.Decimal(as_string=True, allow_none=True, metadata=DECIMAL_STRING)
    first_reported_on = fields.Date(allow_none=True)
    description = fields.Str()
    contract_signed_on = fields.Date(allow_none=True)
    registered_company_name = fields.Str(allow_none=True)
    registered_uscc = fields.Str(allow_none=True)
    land_area_mu = fields.Decimal(as_string=True, allow_none=True, metadata=DECIMAL_STRING)
    started_on = fields.Date(allow_none=True)
    produced_on = fields.Date(allow_none=True)
    full_production_on = fields.Date(allow_none=True)
    terminated_reason = fields.Str(allow_none=True)
    target_id = fields.Int(allow_none=True)
    created_at = fields.Function(lambda p: utc_iso(p.created_at))


class ProjectPageSchema(PageSchema):
    items = fields.List(fields.Nested(ProjectSchema))


class StageEventSchema(Schema):
    id = fields.Int()
    from_stage = fields.Str(allow_none=True)
    from_label = fields.Function(lambda e: stage_label(e.from_stage) if e.from_stage else None)
    to_stage = fields.Str()
    to_label = fields.Function(lambda e: stage_label(e.to_stage))
    effective_on = fields.Date()
    recorded_at = fields.Function(lambda e: utc_iso(e.recorded_at))
    actor = fields.Nested(PersonSchema, allow_none=True)
    note = fields.Str()
    evidence = fields.Dict(allow_none=True)
    amount_wan = fields.Int(allow_none=True, metadata={"description": "变更时的考核口径金额"})


class TimedEventSchema(StageEventSchema):
    days_in_stage = fields.Int(metadata={"description": "在该阶段停留的天数（至下次变更或今天）"})


class StageChangeResultSchema(Schema):
    project = fields.Nested(ProjectDetailSchema)
    event = fields.Nested(StageEventSchema)
    warnings = fields.List(fields.Str(), metadata={"description": "提醒（如未首报）"})


class ProjectActivitySchema(ActivitySchema):
    project_id = fields.Int()


class ProjectActivityPageSchema(PageSchema):
    items = fields.List(fields.Nested(ProjectActivitySchema))


class StaleErrorSchema(Schema):
    code = fields.Int()
    status = fields.Str(metadata={"description": "Conflict"})
    message = fields.Str(metadata={"description": "说明是谁修改了该项目"})
    version = fields.Int(metadata={"description": "当前版本号"})
    updated_by = fields.Nested(PersonSchema, allow_none=True)


# --- input -----------------------------------------------------------------------------


class ProjectListArgsSchema(PageArgsSchema, ChainArgsSchema):
    zone = fields.Str(validate=max_len(20), metadata={"description": "开发区 id 或代码"})
    stage = fields.Str(validate=one_of(ALL_STAGES))
    owner = fields.Str(
        validate=validate.Regexp(r"^(none|\d+)$", error="应为用户 id 或 none"),
        metadata={"description": "负责人 id；none 为未分配"},
    )
    manufacturing = fields.Bool(metadata={"description": "true：只看制造业项目"})
    type = fields.Str(validate=one_of(PROJECT_TYPES), metadata={"description": "项目类型"})
    min_amount = Amount(metadata={"description": f"考核口径金额下限（含本数）；{AMOUNT_HELP}"})
    q = fields.Str(validate=max_len(100), metadata={"description": "项目名称、代号或企业"})
    signal = fields.Str(validate=one_of(dict(SIGNALS)), metadata={"description": "提醒信号"})
    sort = fields.Str(validate=one_of(dict(SORT_LABELS)), load_default="updated")


class ProjectUpdateSchema(ZhSchema):
    name = fields.Str(validate=validate.Length(min=1, max=200, error=NAME_LENGTH))
    code_name = fields.Str(allow_none=True, validate=max_len(60))
    owner_id = Id(allow_none=True)
    industry = fields.Str(validate=max_len(100))
    is_manufacturing = fields.Bool()
    project_type = fields.Str(validate=one_of(PROJECT_TYPES))
    planned_total_wan = Amount(allow_none=True)
    contract_amount_wan = Amount(allow_none=True)
    actual_in_place_wan = Amount(allow_none=True)
    expected_landing_on = fields.Date(allow_none=True)
    land_need_mu = fields.Decimal(
        allow_none=True, error_messages=AREA_ERRORS, metadata={"description": "用地需求（亩）"}
    )
    first_reported = fields.Bool()
    first_reported_on = fields.Date(allow_none=True)
    next_step = fields.Str(validate=max_len(500))
    description = fields.Str(validate=max_len(5000))


class ProjectPatchSchema(ProjectUpdateSchema):
    version = BoundedInt(required=True, metadata={"description": "读取时的版本号"})


class ProjectCreateSchema(ProjectUpdateSchema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200, error=NAME_LENGTH))
    enterprise_id = Id(metadata={"description": "已有企业；或用 enterprise 同时新建"})
    enterprise = fields.Nested(EnterpriseCreateSchema)
    zone_id = Id(metadata={"description": "市级用户必填；开发区用户只能是本区"})
    target_id = Id(metadata={"description": "由目标企业转为项目（目标状态随之改变）"})
    stage = fields.Str(load_default="lead", validate=one_of(INITIAL_STAGES))
    started_on = fields.Date(metadata={"description": "开始日期（默认今天，不能晚于今天）"})

    @validates_schema
    def _one_enterprise(self, data: dict, **_kwargs: Any) -> None:
        if ("enterprise_id" in data) == ("enterprise" in data):
            raise ValidationError("请提供 enterprise_id 或 enterprise 之一", "enterprise_id")


class EvidenceSchema(ZhSchema):
    contract_signed_on = fields.Date(metadata={"description": "签约：签约日期"})
    contract_amount_wan = Amount(metadata={"description": f"签约：合同投资额；{AMOUNT_HELP}"})
    registered_company_name = fields.Str(
        validate=max_len(200), metadata={"description": "注册：公司名称"}
    )
    registered_uscc = fields.Str(validate=max_len(40), metadata={"description": "注册：信用代码"})
    land_area_mu = fields.Decimal(
        error_messages=AREA_ERRORS, metadata={"description": "供地：面积（亩）"}
    )
    started_on = fields.Date(metadata={"description": "开工：开工日期"})
    produced_on = fields.Date(metadata={"description": "投产：投产日期"})
    full_production_on = fields.Date(metadata={"description": "达产：达产日期"})


class StageChangeSchema(ZhSchema):
    to_stage = fields.Str(required=True, validate=one_of(ALL_STAGES))
    effective_on = fields.Date(
        allow_none=True, metadata={"description": "生效日期（默认取证据日期或今天；不能晚于今天）"}
    )
    evidence = fields.Nested(EvidenceSchema, load_default=dict)
    note = fields.Str(load_default="", validate=max_len(2000), metadata={"description": "原因"})
    version = BoundedInt(required=True)
