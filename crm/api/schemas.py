"""Marshmallow schemas of the core API resources."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class ZoneSchema(Schema):
    id = fields.Int(dump_only=True)
    code = fields.Str()
    name = fields.Str()
    short_name = fields.Str()
    kind = fields.Str(metadata={"enum": ["manufacturing", "services"]})
    sort_order = fields.Int()
    lead_industries = fields.Str()


class MeSchema(Schema):
    id = fields.Int(dump_only=True)
    login = fields.Str(dump_only=True)
    display_name = fields.Str()
    email = fields.Email(allow_none=True)
    role = fields.Str(dump_only=True)
    zone = fields.Nested(ZoneSchema, dump_only=True, allow_none=True)
    locale = fields.Str()


class MeUpdateSchema(Schema):
    display_name = fields.Str(validate=validate.Length(min=1, max=60))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    locale = fields.Str(validate=validate.OneOf(["zh_CN", "en"]))
