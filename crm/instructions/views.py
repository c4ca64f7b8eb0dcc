"""批示 pages: the list with its filters, one instruction with its timeline, the form that
writes one on a project, a target or a zone, and the 办理情况 / 办结 / 重新打开 actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.access import ISSUERS, SIGNED_IN, allow, get_or_404
from crm.core.boundary import parse_id
from crm.core.pagination import paginate
from crm.core.roles import CITY_ROLES
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.instructions import queries, services
from crm.instructions.forms import CloseForm, InstructionForm, ReportForm
from crm.instructions.models import STATES, Instruction
from crm.projects.models import Project
from crm.targets.models import Target
from crm.zones.models import Zone
from crm.zones.services import visible_zones

bp = Blueprint("instructions", __name__, url_prefix="/instructions")
SUBJECT_MODELS = {"project": Project, "target": Target, "zone": Zone}


def subject_url(subject: str, record_id: int | None) -> str | None:
    if record_id is None:
        return None
    if subject == "project":
        return url_for("projects.detail", project_id=record_id)
    if subject == "target":
        return url_for("targets.detail", target_id=record_id)
    return url_for("dashboard.zone", zone_id=record_id)


def record_of(instruction: Instruction) -> tuple[str, int]:
    if instruction.subject == "project":
        return "project", instruction.project_id
    if instruction.subject == "target":
        return "target", instruction.target_id
    return "zone", instruction.zone_id


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"instruction_subject_url": subject_url, "may_issue": services.can_issue}


@bp.get("/")
@allow(*SIGNED_IN)
def index():
    """Instructions the user may see; filters: state, zone (city level), overdue."""
    today = local_today()
    state = request.args.get("state", "")
    state = state if state in queries.STATE_FILTERS else ""
    city = current_user.role in CITY_ROLES
    zone_id = parse_id(request.args.get("zone")) if city else None
    overdue = request.args.get("overdue") == "1"
    page = paginate(queries.filtered(current_user, state, zone_id, overdue, today), per_page=30)
    total, late = queries.counts(current_user, today)
    return render_template(
        "instructions/index.html",
        page=page,
        rows=[queries.item(i, today) for i in page.items],
        state=state,
        zone_id=zone_id,
        overdue=overdue,
        zones=visible_zones() if city else [],
        states=STATES,
        today=today,
        open_count=total,
        overdue_count=late,
    )


def _detail(instruction: Instruction, report_form=None, close_form=None, status: int = 200):
    subject, record_id = record_of(instruction)
    return render_template(
        "instructions/detail.html",
        instruction=instruction,
        name=queries.subject_name(instruction),
        subject_link=subject_url(subject, record_id),
        today=local_today(),
        report_form=report_form or ReportForm(formdata=None),
        close_form=close_form or CloseForm(formdata=None),
        may_report=services.may_report(instruction, current_user),
        may_close=services.may_close(instruction, current_user),
    ), status


@bp.get("/<id:instruction_id>")
@allow(*SIGNED_IN)
def detail(instruction_id: int):
    """One instruction with its timeline (another zone's answers 404)."""
    return _detail(get_or_404(Instruction, instruction_id))


def _record(subject: str, record_id: int) -> Any:
    model = SUBJECT_MODELS.get(subject)
    if model is None:
        abort(404)
    record = get_or_404(model, record_id)
    if subject == "zone" and not record.active:
        abort(404)
    return record


def _picked(value: str | None) -> int | None:
    """A picked id: None when nothing is picked, -1 (refused by the service) when not an id."""
    if not value:
        return None
    number = parse_id(value)
    return -1 if number is None else number


def _zone_choices(fixed: Zone | None) -> list[tuple[str, str]]:
    zones = [fixed] if fixed is not None else visible_zones()
    return [("", _("请选择"))] * (fixed is None) + [(str(z.id), z.short_name) for z in zones]


@bp.route("/new/<subject>/<id:record_id>", methods=["GET", "POST"])
@allow(*ISSUERS)
def create(subject: str, record_id: int):
    """批示 on a project, a target or a zone; what was typed stays when it is refused."""
    record = _record(subject, record_id)
    fixed = services.subject_zone(subject, record)
    form = InstructionForm()
    form.zone_id.choices = _zone_choices(fixed)
    people = services.zone_people([fixed.id] if fixed else None)
    form.assignee_id.choices = [("", _("不指定（开发区办理）"))] + [
        (str(p.id), f"{p.zone.short_name} · {p.display_name}") for p in people
    ]
    if form.validate_on_submit():
        try:
            instruction = services.create_instruction(
                current_user,
                subject,
                record,
                content=form.content.data,
                due_on=form.due_on.data,
                zone_id=_picked(form.zone_id.data),
                assignee_id=_picked(form.assignee_id.data),
            )
        except services.InstructionError as exc:
            db.session.rollback()
            field = getattr(form, exc.field or "", None) or form.content
            field.errors = [*field.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("批示已交办"), "success")
            return redirect(url_for("instructions.detail", instruction_id=instruction.id))
    return render_template(
        "instructions/form.html",
        form=form,
        subject=subject,
        record=record,
        name=_subject_name(subject, record),
        back=subject_url(subject, record.id),
    ), (400 if form.errors else 200)


def _subject_name(subject: str, record: Any) -> str:
    if subject == "zone":
        return record.short_name
    return record.display_name() if subject == "project" else record.enterprise.name


@bp.post("/<id:instruction_id>/report")
@allow("staff", "manager")
def report(instruction_id: int):
    """Record 办理情况 (the assignees); a refused entry keeps what was typed."""
    instruction = get_or_404(Instruction, instruction_id)
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.add_report(instruction, current_user, form.note.data, form.reported_on.data)
        except services.InstructionError as exc:
            db.session.rollback()
            field = getattr(form, exc.field or "", None) or form.note
            field.errors = [*field.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("办理情况已记录"), "success")
            return redirect(url_for("instructions.detail", instruction_id=instruction.id))
    return _detail(instruction, report_form=form, status=400)


def _switch(instruction_id: int, change, done: str):
    instruction = get_or_404(Instruction, instruction_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return _detail(instruction, close_form=form, status=400)
    try:
        change(instruction, current_user, form.note.data)
    except services.InstructionError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return _detail(instruction, close_form=form, status=400)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("instructions.detail", instruction_id=instruction.id))


@bp.post("/<id:instruction_id>/close")
@allow(*ISSUERS)
def close(instruction_id: int):
    """办结 (the issuer or a coordinator)."""
    return _switch(instruction_id, services.close_instruction, _("批示已办结"))


@bp.post("/<id:instruction_id>/reopen")
@allow(*ISSUERS)
def reopen(instruction_id: int):
    """Reopen a closed instruction (the issuer or a coordinator)."""
    return _switch(instruction_id, services.reopen_instruction, _("批示已重新打开"))
