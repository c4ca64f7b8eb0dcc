"""API: instructions (批示) in the user's scope, with their timeline (read only)."""

from __future__ import annotations

from typing import Any

from flask import g
from marshmallow import Schema, fields

from crm.api.base import API_PREFIX, Blueprint, api_allow
from crm.api.target_schemas import PageArgsSchema, PageSchema, PersonSchema, one_of
from crm.core.access import SIGNED_IN, get_or_404
from crm.core.boundary import Id
from crm.core.pagination import paginate
from crm.core.timeutil import local_today
from crm.instructions.models import ENTRY_KINDS, STATES, SUBJECTS, Instruction
from crm.instructions.queries import STATE_FILTERS, filtered, subject_name

bp = Blueprint("api_instructions", __name__, url_prefix=API_PREFIX, description="批示督办")


class EntrySchema(Schema):
    kind = fields.Str(metadata={"description": "report 办理情况 / close 办结 / reopen 重新打开"})
    kind_label = fields.Function(lambda e: ENTRY_KINDS.get(e.kind, e.kind))
    reported_on = fields.Date()
    note = fields.Str()
    author = fields.Nested(PersonSchema, allow_none=True)


class InstructionSchema(Schema):
    id = fields.Int()
    subject = fields.Str(metadata={"description": "project / target / zone"})
    subject_label = fields.Function(lambda i: SUBJECTS[i.subject])
    subject_name = fields.Function(subject_name, metadata={"description": "保密项目为代号"})
    project_id = fields.Int(allow_none=True)
    target_id = fields.Int(allow_none=True)
    zone = fields.Function(lambda i: i.zone.code, metadata={"description": "承办开发区代码"})
    assignee = fields.Nested(PersonSchema, allow_none=True)
    issued_by = fields.Nested(PersonSchema, allow_none=True)
    content = fields.Str()
    due_on = fields.Date(metadata={"description": "时限"})
    status = fields.Str(metadata={"description": "pending / in_progress / closed"})
    status_label = fields.Function(lambda i: STATES.get(i.status, i.status))
    overdue = fields.Function(lambda i: i.is_overdue(local_today()))


class InstructionDetailSchema(InstructionSchema):
    entries = fields.List(fields.Nested(EntrySchema))


class InstructionPageSchema(PageSchema):
    items = fields.List(fields.Nested(InstructionSchema))


class InstructionListArgsSchema(PageArgsSchema):
    state = fields.Str(validate=one_of(STATE_FILTERS), metadata={"description": "open 为未办结"})
    zone = Id(metadata={"description": "承办开发区 id（市级用户）"})
    overdue = fields.Bool(metadata={"description": "true：只看逾期"})


@bp.get("/instructions")
@api_allow(*SIGNED_IN)
@bp.arguments(InstructionListArgsSchema, location="query")
@bp.response(200, InstructionPageSchema)
def instructions(args: dict[str, Any]):
    """Instructions in the user's scope (zone users: their zone's), open ones first."""
    stmt = filtered(g.api_user, args.get("state", ""), args.get("zone"), args.get("overdue", False))
    return paginate(stmt, per_page=args["per_page"])


@bp.get("/instructions/<id:instruction_id>")
@api_allow(*SIGNED_IN)
@bp.response(200, InstructionDetailSchema)
def instruction(instruction_id: int):
    """One instruction with its timeline (another zone's answers 404)."""
    return get_or_404(Instruction, instruction_id, g.api_user)
