"""Marshmallow schemas of the enterprise, target and activity API (messages in Chinese)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from crm.core.boundary import BoundedInt, Id
from crm.enterprises.models import LABELS, OWNERSHIPS, TIERS
from crm.targets.models import ACTIVITY_KINDS, ATTRACTION_MODES, PRIORITIES, TARGET_STATUSES
from crm.targets.queries import SORTS
from crm.targets.services import is_stale

MAX_PER_PAGE = 200
_INVALID = {
    fields.Date: "日期格式应为 YYYY-MM-DD",
    fields.Integer: "应为整数",
    fields.Boolean: "应为 true 或 false",
    fields.String: "应为字符串",
    fields.List: "应为数组",
}


def _zh_messages(field: fields.Field) -> dict[str, str]:
    messages = {
        "required": "必填字段",
        "null": "不能为 null",
        "validator_failed": "取值无效",
        "type": "应为 JSON 对象",
    }
    for kind, text in _INVALID.items():
        if isinstance(field, kind):
            messages.update(invalid=text, format=text, too_large="数值过大")
    return messages


def one_of(choices: Any) -> validate.OneOf:
    return validate.OneOf(list(choices), error="只能是：{choices}")


def max_len(limit: int) -> validate.Length:
    return validate.Length(max=limit, error="不能超过 {max} 个字符")


def utc_iso(moment: datetime | None) -> str | None:
    """A stored naive-UTC datetime as ISO 8601 with its offset."""
    return moment.replace(tzinfo=UTC).isoformat() if moment else None


class ZhSchema(Schema):
    """A schema whose validation messages are Chinese; unknown fields are refused."""

    error_messages = {"unknown": "不允许的字段", "type": "应为 JSON 对象"}  # noqa: RUF012

    strict_types = True  # a JSON body: true is a boolean and 5 a number, not 0, "yes" or "5"

    @pre_load
    def _json_types(self, data: Any, **_kwargs: Any) -> Any:
        if not self.strict_types or not isinstance(data, dict):
            return data
        errors = {}
        for name, field in self.load_fields.items():
            key = field.data_key or name
            value = data.get(key)
            if key not in data or value is None:
                continue
            if isinstance(field, fields.Boolean) and not isinstance(value, bool):
                errors[key] = [_INVALID[fields.Boolean]]
            elif isinstance(field, fields.Integer) and (
                isinstance(value, bool) or not isinstance(value, int)
            ):
                errors[key] = [_INVALID[fields.Integer]]
        if errors:
            raise ValidationError(errors)
        return data

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        field_obj.error_messages = {**field_obj.error_messages, **_zh_messages(field_obj)}
        inner = getattr(field_obj, "inner", None)
        if inner is not None:
            inner.error_messages = {**inner.error_messages, **_zh_messages(inner)}


# --- small nested pieces ---------------------------------------------------------------


class ZoneBriefSchema(Schema):
    id = fields.Int()
    code = fields.Str()
    name = fields.Str()
    short_name = fields.Str()


class PersonSchema(Schema):
    id = fields.Int()
    display_name = fields.Str()


class PageSchema(Schema):
    page = fields.Int()
    per_page = fields.Int()
    total = fields.Int(metadata={"description": "符合条件的总条数"})
    pages = fields.Int()


class PageArgsSchema(ZhSchema):
    strict_types = False  # a query string: everything arrives as text
    page = BoundedInt(load_default=1, minimum=1, maximum=1_000_000)
    per_page = fields.Int(
        load_default=50,
        validate=validate.Range(min=1, max=MAX_PER_PAGE, error="应在 {min} 到 {max} 之间"),
    )


# --- enterprises -----------------------------------------------------------------------


class EnterpriseSummarySchema(Schema):
    id = fields.Int()
    name = fields.Str()
    uscc = fields.Str(allow_none=True, metadata={"description": "统一社会信用代码"})
    industry = fields.Str()
    hq_province = fields.Str()
    hq_city = fields.Str()
    tier = fields.Str()
    labels = fields.List(fields.Str())
    is_local = fields.Bool()


class TargetBriefSchema(Schema):
    id = fields.Int()
    zone = fields.Nested(
        ZoneBriefSchema, allow_none=True, metadata={"description": "null：市级储备库"}
    )
    status = fields.Str()
    status_label = fields.Str()


class EnterpriseSchema(EnterpriseSummarySchema):
    aliases = fields.Str()
    ownership = fields.Str()
    website = fields.Str()
    description = fields.Str()
    created_at = fields.Function(lambda e: utc_iso(e.created_at))
    updated_at = fields.Function(lambda e: utc_iso(e.updated_at))


class EnterpriseDetailSchema(EnterpriseSchema):
    targets = fields.List(
        fields.Nested(TargetBriefSchema),
        metadata={"description": "哪些开发区（或市级储备库）在跟进该企业"},
    )


class EnterprisePageSchema(PageSchema):
    items = fields.List(fields.Nested(EnterpriseSchema))


class EnterpriseListArgsSchema(PageArgsSchema):
    q = fields.Str(
        load_default="",
        validate=max_len(100),
        metadata={"description": "名称、别名、拼音全拼或首字母、信用代码的任意片段"},
    )


class EnterpriseUpdateSchema(ZhSchema):
    name = fields.Str(validate=validate.Length(min=1, max=200, error="应为 {min} 到 {max} 个字符"))
    aliases = fields.Str(validate=max_len(500), metadata={"description": "以顿号或逗号分隔"})
    uscc = fields.Str(allow_none=True, metadata={"description": "统一社会信用代码（18 位）"})
    hq_province = fields.Str(validate=max_len(40))
    hq_city = fields.Str(validate=max_len(40))
    industry = fields.Str(validate=max_len(100))
    ownership = fields.Str(validate=one_of(["", *OWNERSHIPS]))
    labels = fields.List(fields.Str(validate=one_of(LABELS)))
    tier = fields.Str(validate=one_of(["", *TIERS]))
    is_local = fields.Bool()
    website = fields.Str(validate=max_len(200))
    description = fields.Str(validate=max_len(5000))


class EnterpriseCreateSchema(EnterpriseUpdateSchema):
    name = fields.Str(
        required=True, validate=validate.Length(min=1, max=200, error="应为 {min} 到 {max} 个字符")
    )
    confirm_duplicate = fields.Bool(
        load_default=False,
        metadata={"description": "确认创建名称相似的企业（信用代码相同时无效）"},
    )


class DuplicateHitSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    uscc = fields.Str(allow_none=True)
    reason = fields.Str(metadata={"enum": ["uscc", "name", "similar"]})
    reason_label = fields.Str()
    score = fields.Float()


class DuplicateErrorSchema(Schema):
    code = fields.Int()
    status = fields.Str(metadata={"description": "Conflict"})
    message = fields.Str()
    can_confirm = fields.Bool(metadata={"description": "true：可带 confirm_duplicate 重新提交"})
    duplicates = fields.List(fields.Nested(DuplicateHitSchema))


# --- targets ---------------------------------------------------------------------------


class TargetSchema(Schema):
    id = fields.Int()
    enterprise = fields.Nested(EnterpriseSummarySchema)
    zone = fields.Nested(
        ZoneBriefSchema, allow_none=True, metadata={"description": "null：市级储备库"}
    )
    owner = fields.Nested(PersonSchema, allow_none=True)
    chain_position = fields.Str()
    attraction_modes = fields.List(fields.Str())
    priority = fields.Str()
    status = fields.Str(metadata={"enum": list(TARGET_STATUSES)})
    status_label = fields.Str()
    next_follow_up = fields.Date(allow_none=True)
    last_activity_on = fields.Date(allow_none=True)
    is_stale = fields.Function(is_stale, metadata={"description": "超过设定天数无跟进"})
    source = fields.Str()
    note = fields.Str()
    created_at = fields.Function(lambda t: utc_iso(t.created_at))
    updated_at = fields.Function(lambda t: utc_iso(t.updated_at))


class TargetPageSchema(PageSchema):
    items = fields.List(fields.Nested(TargetSchema))


class ChainArgsSchema(ZhSchema):
    """The list filters by chain map: any node of a chain, or one node."""

    strict_types = False

    chain = Id(metadata={"description": "产业链 id"})
    node = Id(metadata={"description": "产业链环节 id"})


class TargetListArgsSchema(PageArgsSchema, ChainArgsSchema):
    q = fields.Str(validate=max_len(100), metadata={"description": "同企业搜索"})
    zone = fields.Str(
        validate=validate.Regexp(r"^(pool|\d+)$", error="应为开发区 id 或 pool"),
        metadata={"description": "开发区 id；pool 为市级储备库"},
    )
    status = fields.Str(validate=one_of(TARGET_STATUSES))
    priority = fields.Str(validate=one_of(PRIORITIES))
    mode = fields.Str(validate=one_of(ATTRACTION_MODES), metadata={"description": "招商方式"})
    owner = fields.Str(
        validate=validate.Regexp(r"^(none|\d+)$", error="应为用户 id 或 none"),
        metadata={"description": "负责人 id；none 为未分配"},
    )
    industry = fields.Str(validate=max_len(100))
    label = fields.Str(validate=one_of(LABELS))
    stale = fields.Bool(metadata={"description": "true：只看停滞目标"})
    capital_min = fields.Int(
        validate=validate.Range(0, 2**31 - 1),
        metadata={"description": "注册资本 ≥（万元，人民币）"},
    )
    founded = fields.Str(
        validate=validate.Regexp(r"^(\d{4})?-?(\d{4})?$", error="应为年份，如 2015 或 2010-2020"),
        metadata={"description": "成立年份：2015、2010-2020、2015-、-2010"},
    )
    province = fields.Str(validate=max_len(40), metadata={"description": "省份，如 河南"})
    gb = fields.Str(
        validate=validate.Regexp(r"^([A-Ta-t]|\d{2})$", error="应为门类字母或两位大类代码"),
        metadata={"description": "国标行业（GB/T 4754-2017）门类字母或大类代码"},
    )
    business_status = fields.Str(validate=max_len(20), metadata={"description": "经营状态"})
    sort = fields.Str(validate=one_of(SORTS))


class TargetUpdateSchema(ZhSchema):
    chain_position = fields.Str(validate=max_len(200))
    attraction_modes = fields.List(fields.Str(validate=one_of(ATTRACTION_MODES)))
    priority = fields.Str(validate=one_of(PRIORITIES))
    status = fields.Str(validate=one_of(TARGET_STATUSES))
    owner_id = Id(allow_none=True)
    next_follow_up = fields.Date(allow_none=True)
    source = fields.Str(validate=max_len(100))
    note = fields.Str(validate=max_len(5000))


class TargetCreateSchema(TargetUpdateSchema):
    enterprise_id = Id(metadata={"description": "已有企业；或用 enterprise 同时新建"})
    enterprise = fields.Nested(EnterpriseCreateSchema)
    zone_id = Id(
        allow_none=True,
        metadata={"description": "市级用户可指定（null：市级储备库）；开发区用户只能是本区"},
    )

    @validates_schema
    def _one_enterprise(self, data: dict, **_kwargs: Any) -> None:
        if ("enterprise_id" in data) == ("enterprise" in data):
            raise ValidationError("请提供 enterprise_id 或 enterprise 之一", "enterprise_id")


# --- activities ------------------------------------------------------------------------


class ActivitySchema(Schema):
    id = fields.Int()
    target_id = fields.Int(allow_none=True, metadata={"description": "null：项目的跟进记录"})
    kind = fields.Str(metadata={"enum": list(ACTIVITY_KINDS)})
    kind_label = fields.Str()
    occurred_on = fields.Date()
    participants = fields.Str()
    summary = fields.Str()
    next_step = fields.Str()
    next_follow_up = fields.Date(allow_none=True)
    created_by = fields.Nested(PersonSchema, allow_none=True)
    created_at = fields.Function(lambda a: utc_iso(a.created_at))


class ActivityPageSchema(PageSchema):
    items = fields.List(fields.Nested(ActivitySchema))


class ActivityCreateSchema(ZhSchema):
    kind = fields.Str(required=True, validate=one_of(ACTIVITY_KINDS))
    occurred_on = fields.Date(required=True)
    participants = fields.Str(validate=max_len(300))
    summary = fields.Str(
        required=True,
        validate=validate.Length(min=1, max=5000, error="请填写跟进情况（不超过 {max} 个字符）"),
    )
    next_step = fields.Str(validate=max_len(500))
    next_follow_up = fields.Date(allow_none=True)
