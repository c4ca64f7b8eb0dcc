"""The 月度进展 card of the project page and its form (the page itself is the projects area's).

The card is registered as a project page section; a refused save re-renders the project page
with the form keeping what was typed and the reason at the field.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.core.access import WRITERS, allow
from crm.core.money import format_wan, format_yi
from crm.core.timeutil import local_today
from crm.enterprises.forms import field_error, form_values
from crm.extensions import db
from crm.progress.forms import FORM_FIELDS, ProgressForm
from crm.progress.models import MonthlyProgress
from crm.progress.queries import funds_rate, project_history
from crm.progress.recording import save_progress
from crm.progress.services import ProgressError, parse_figures, parse_period, reportable
from crm.projects.blueprint import project_helpers
from crm.projects.detail_views import render_detail
from crm.projects.sections import MAINTAINED, register_section
from crm.projects.services import writable_project_or_404

bp = Blueprint("progress", __name__, url_prefix="/progress")
bp.context_processor(project_helpers)  # a refused save re-renders the project page


def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _blank_form() -> ProgressForm:
    """The form, for the current month."""
    today = local_today()
    return ProgressForm(formdata=None, data={"period": f"{today.year:04d}-{today.month:02d}"})


def _kept_by_progress(project: Any) -> set[str]:
    """累计实际到位 follows the newest month once a project reports monthly progress."""
    reported = db.session.scalar(
        select(MonthlyProgress.id).where(MonthlyProgress.project_id == project.id).limit(1)
    )
    return {"actual_in_place_wan"} if reported is not None else set()


if _kept_by_progress not in MAINTAINED:
    MAINTAINED.append(_kept_by_progress)


@register_section
def progress_section(project: Any, user: Any, writable: bool) -> str:
    """The card: 累计完成投资, 累计到位资金 and 资金到位率, the months, the form."""
    history = project_history(project)
    if not history and not reportable(project):
        return ""
    form = g.pop("progress_form", None) or _blank_form()
    newest = history[0].row if history else None
    in_place = newest.total_funds_wan if newest else project.actual_in_place_wan
    return render_template(
        "progress/_section.html",
        project=project,
        history=history,
        newest=newest,
        rate=percent(funds_rate(in_place, project)),
        in_place=in_place,
        form=form,
        writable=writable and reportable(project),
        format_wan=format_wan,
        format_yi=format_yi,
    )


@bp.post("/projects/<id:project_id>")
@allow(*WRITERS)
def save(project_id: int):
    """Save a month of a project the user may edit (another zone's project: 404)."""
    project = writable_project_or_404(project_id, current_user)
    if not reportable(project):  # no card on its page: say why on the page
        flash(_("项目签约后才填报月度进展"), "danger")
        return render_detail(project, status=400)
    form = ProgressForm()
    if form.validate_on_submit():
        raw = form_values(form, FORM_FIELDS)
        try:
            period = parse_period(raw["period"])
            saved = save_progress(
                project, period, parse_figures(raw), current_user, note=raw["note"] or ""
            )
        except ProgressError as exc:
            db.session.rollback()
            field_error(form, exc.field, str(exc), fallback="period")
        else:
            db.session.commit()
            if saved.action == "revised":
                flash(
                    _(
                        "%(period)s 已锁定，更正已保存为第 %(n)s 版",
                        period=period,
                        n=saved.row.revision,
                    ),
                    "warning",
                )
            elif saved.action == "unchanged":
                flash(_("%(period)s 的月度进展没有变化", period=period), "info")
            else:
                flash(_("%(period)s 的月度进展已保存", period=period), "success")
            for _field, reason in saved.warnings:
                flash(reason, "warning")
            return redirect(url_for("projects.detail", project_id=project.id, _anchor="progress"))
    g.progress_form = form
    db.session.refresh(project)
    return render_detail(project, status=400)
