"""Marshmallow schemas of the parcel API (地块台账; areas in 亩 as exact decimal strings)."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate

from crm.api.project_schemas import AREA_ERRORS, DECIMAL_STRING, NAME_LENGTH
from crm.api.target_schemas import (
    PageArgsSchema,
    PageSchema,
    ZhSchema,
    ZoneBriefSchema,
    max_len,
    one_of,
    utc_iso,
)
from crm.core.boundary import Id
from crm.land.models import LAND_USES, PARCEL_STATUSES

MAX_MU = 1_000_000
AREA_META = {"description": "面积（亩）", "minimum": 0.01, "maximum": MAX_MU}


def _area_in_range(value: Decimal) -> None:
    # not validate.Range: its bounds would reach the document as strings (Decimal)
    if not Decimal("0.01") <= value <= MAX_MU:
        raise ValidationError(f"应在 0.01 到 {MAX_MU} 亩之间")


class ParcelSchema(Schema):
    id = fields.Int()
    zone = fields.Nested(ZoneBriefSchema)
    code = fields.Str(metadata={"description": "地块编号（本开发区内唯一）"})
    name = fields.Str()
    location = fields.Str()
    area_mu = fields.Decimal(as_string=True, metadata=DECIMAL_STRING)
    land_use = fields.Str(metadata={"enum": list(LAND_USES)})
    land_use_label = fields.Function(lambda p: LAND_USES.get(p.land_use, ""))
    status = fields.Str(metadata={"enum": list(PARCEL_STATUSES)})
    status_label = fields.Function(lambda p: PARCEL_STATUSES.get(p.status, ""))
    status_since = fields.Date()
    batch = fields.Str(metadata={"description": "批次"})
    approval_no = fields.Str(metadata={"description": "批复文号"})
    approved_on = fields.Date(allow_none=True, metadata={"description": "批复日期"})
    constraints = fields.Str()
    notes = fields.Str()
    updated_at = fields.Function(lambda p: utc_iso(p.updated_at))


class ParcelPageSchema(PageSchema):
    items = fields.List(fields.Nested(ParcelSchema))


class ParcelListArgsSchema(PageArgsSchema):
    zone = fields.Str(validate=max_len(20), metadata={"description": "开发区 id 或代码"})
    status = fields.Str(validate=one_of(PARCEL_STATUSES))


class ParcelUpdateSchema(ZhSchema):
    code = fields.Str(validate=validate.Length(min=1, max=40, error=NAME_LENGTH))
    name = fields.Str(validate=validate.Length(min=1, max=200, error=NAME_LENGTH))
    location = fields.Str(validate=max_len(200))
    area_mu = fields.Decimal(
        validate=_area_in_range, error_messages=AREA_ERRORS, metadata=AREA_META
    )
    land_use = fields.Str(validate=one_of(LAND_USES))
    batch = fields.Str(validate=max_len(100))
    approval_no = fields.Str(validate=max_len(100))
    approved_on = fields.Date(allow_none=True)
    constraints = fields.Str(validate=max_len(5000))
    notes = fields.Str(validate=max_len(5000))


class ParcelPatchSchema(ParcelUpdateSchema):
    status = fields.Str(
        validate=one_of(PARCEL_STATUSES),
        metadata={"description": "新状态：记为一次带日期的状态变更，历史不改写"},
    )
    effective_on = fields.Date(metadata={"description": "状态变更的生效日期（默认今天）"})
    status_note = fields.Str(validate=max_len(2000), metadata={"description": "状态变更原因"})


class ParcelCreateSchema(ParcelUpdateSchema):
    code = fields.Str(required=True, validate=validate.Length(min=1, max=40, error=NAME_LENGTH))
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200, error=NAME_LENGTH))
    area_mu = fields.Decimal(
        required=True,
        validate=_area_in_range,
        error_messages=AREA_ERRORS,
        metadata=AREA_META,
    )
    zone_id = Id(metadata={"description": "市级用户必填；开发区用户只能是本区"})
    status = fields.Str(load_default="approved", validate=one_of(PARCEL_STATUSES))
    effective_on = fields.Date(metadata={"description": "初始状态的日期（默认今天）"})
