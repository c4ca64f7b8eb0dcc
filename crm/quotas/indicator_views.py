"""The goal list (目标清单) pages: progress per indicator, city and zones, with trends; an
actual entered with its source note and file; a stored actual corrected; its file downloaded
through the access scope; computed indicators recounted; a goal's target edited."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.access import SIGNED_IN, allow, get_or_404
from crm.core.boundary import parse_id
from crm.core.downloads import ascii_fallback, download
from crm.core.i18n import label
from crm.enterprises.forms import field_error
from crm.extensions import db
from crm.quotas.forms import GoalTargetForm
from crm.quotas.indicator_compute import COMPUTED, current_period, is_computed, record_counts
from crm.quotas.indicator_entry import (
    CITY_ENTERERS,
    ENTERERS,
    attachment_file,
    computed_message,
    entry_zone,
    may_enter,
    record_actual,
)
from crm.quotas.indicator_forms import CITY, ActualEditForm, ActualEntryForm, zone_choices
from crm.quotas.indicator_progress import COMPARISONS, goal_rows
from crm.quotas.indicator_trend import sparkline
from crm.quotas.indicator_values import IndicatorError, value_text
from crm.quotas.indicators import update_target
from crm.quotas.models import Indicator, IndicatorActual
from crm.zones.models import Zone

bp = Blueprint("goals", __name__, url_prefix="/quotas/goals")
TARGET_EDITORS = ("coordinator", "admin")


def percent(value: Decimal | None) -> str:
    """0.8125 → "81.3%"; None → "—"."""
    if value is None:
        return "—"
    share = Decimal(str(value)) * 100
    return f"{share.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def trend(series: Any) -> Any:
    points = [(a.period, a.value) for a in series.trend()]
    return sparkline(points, series.indicator.target_value, label(series.indicator.unit))


def _helpers() -> dict[str, Any]:
    return {
        "percent": percent,
        "value_text": value_text,
        "trend": trend,
        "comparisons": COMPARISONS,
    }


@bp.get("")
@allow(*SIGNED_IN)
def index():
    """The plan's goals with the latest value, progress toward each target and the trend,
    city-wide and per zone."""
    rows = goal_rows(current_user)
    return render_template(
        "quotas/goals.html",
        rows=rows,
        can_enter=may_enter(current_user),
        can_edit=current_user.role in TARGET_EDITORS,
        can_recount=current_user.role in CITY_ENTERERS,
        city_user=current_user.role in CITY_ENTERERS or current_user.zone_id is None,
        period=current_period(),
        **_helpers(),
    )


def _entry_form(indicator: Indicator, formdata: bool) -> ActualEntryForm:
    if formdata:
        form = ActualEntryForm()
    else:
        asked = request.args.get("zone", "")
        form = ActualEntryForm(formdata=None, data={"period": current_period(), "zone": asked})
    zone_choices(form, indicator, current_user)
    return form


@bp.route("/<id:indicator_id>/actuals", methods=["GET", "POST"])
@allow(*ENTERERS)
def enter(indicator_id: int):
    """Enter an indicator's value for a period and zone, with its source and a file."""
    indicator = get_or_404(Indicator, indicator_id)
    form = _entry_form(indicator, request.method == "POST")
    if is_computed(indicator):
        status = 200 if request.method == "GET" else 400
        return _render_entry(form, indicator, computed_message(indicator)), status
    if request.method == "GET":
        return _render_entry(form, indicator)
    if form.validate_on_submit():
        zone_id = None if form.zone.data == CITY else parse_id(form.zone.data)
        upload = form.attachment.data
        try:
            record_actual(
                indicator,
                form.period.data,
                form.value.data,
                current_user,
                zone_id=zone_id,
                note=form.source_note.data,
                upload=(upload.stream, upload.filename or "") if upload else None,
            )
        except IndicatorError as exc:
            db.session.rollback()
            field_error(form, exc.field, str(exc), fallback="value")
        else:
            db.session.commit()
            flash(_("已记录：%(name)s", name=indicator.name), "success")
            return redirect(url_for("goals.index", _anchor=f"goal-{indicator.id}"))
    return _render_entry(form, indicator), 400


def _render_entry(form: Any, indicator: Indicator, refused: str = "", actual: Any = None) -> Any:
    return render_template(
        "quotas/goal_actual.html",
        form=form,
        indicator=indicator,
        refused=refused,
        actual=actual,
        actual_zone_name=_zone_name(actual),
        **_helpers(),
    )


def _zone_name(actual: Any) -> str:
    if actual is None or actual.zone_id is None:
        return ""
    zone = db.session.get(Zone, actual.zone_id)
    return zone.short_name if zone else ""


def _editable_actual(actual_id: int) -> IndicatorActual:
    """A stored actual the user may correct: another zone's is 404 (the scope), the city's to
    a zone manager and a computed one 403."""
    actual = get_or_404(IndicatorActual, actual_id)
    indicator = get_or_404(Indicator, actual.indicator_id)
    if actual.computed or is_computed(indicator):
        abort(403)
    try:
        entry_zone(indicator, actual.zone_id, current_user)
    except IndicatorError:
        abort(403)
    return actual


@bp.route("/actuals/<id:actual_id>/edit", methods=["GET", "POST"])
@allow(*ENTERERS)
def edit_actual(actual_id: int):
    """Correct a stored actual's value, source note or file (audited old → new)."""
    actual = _editable_actual(actual_id)
    indicator = db.session.get(Indicator, actual.indicator_id)
    if request.method == "GET":
        data = {"value": value_text(actual.value), "source_note": actual.source_note}
        return _render_entry(ActualEditForm(formdata=None, data=data), indicator, actual=actual)
    form = ActualEditForm()
    if form.validate_on_submit():
        upload = form.attachment.data
        try:
            record_actual(
                indicator,
                actual.period,
                form.value.data,
                current_user,
                zone_id=actual.zone_id,
                note=form.source_note.data,
                upload=(upload.stream, upload.filename or "") if upload else None,
            )
        except IndicatorError as exc:
            db.session.rollback()
            field_error(form, exc.field, str(exc), fallback="value")
        else:
            db.session.commit()
            flash(
                _("已更正：%(name)s %(period)s", name=indicator.name, period=actual.period),
                "success",
            )
            return redirect(url_for("goals.index", _anchor=f"goal-{indicator.id}"))
    return _render_entry(form, indicator, actual=actual), 400


@bp.get("/actuals/<id:actual_id>/file")
@allow(*SIGNED_IN)
def attachment(actual_id: int):
    """An actual's supporting file, through the access scope (always a download)."""
    actual = get_or_404(IndicatorActual, actual_id)
    path = attachment_file(actual)
    if path is None:
        abort(404)
    fallback = ascii_fallback(actual.attachment_name, f"indicator-{actual.id}")
    response = download(path, actual.attachment_name, fallback, actual.attachment_type, max_age=0)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.post("/recount")
@allow(*CITY_ENTERERS)
def recount():
    """Keep this month's counts of the computed indicators (the trend's point for it)."""
    changed = record_counts(current_user)
    db.session.commit()
    flash(
        _(
            "已按企业标签重新计算 %(n)s 项指标，本月变动 %(changed)s 个数值",
            n=len(COMPUTED),
            changed=changed,
        ),
        "success",
    )
    return redirect(url_for("goals.index"))


@bp.route("/<id:indicator_id>/edit", methods=["GET", "POST"])
@allow(*TARGET_EDITORS)
def edit_goal(indicator_id: int):
    """Change an indicator's target value or year (the next plan will change them)."""
    indicator = get_or_404(Indicator, indicator_id)
    form = GoalTargetForm(
        data={
            "target_value": value_text(indicator.target_value),
            "target_year": str(indicator.target_year),
        }
    )
    status = 200
    if request.method == "POST":
        form = GoalTargetForm()
        if form.validate_on_submit():
            try:
                update_target(
                    indicator, form.target_value.data, form.target_year.data, current_user
                )
            except IndicatorError as exc:
                db.session.rollback()
                field_error(form, exc.field, str(exc), fallback="target_value")
            else:
                db.session.commit()
                flash(_("已保存：%(name)s", name=indicator.name), "success")
                return redirect(url_for("goals.index"))
        status = 400
    return render_template(
        "quotas/goal_edit.html", form=form, indicator=indicator, comparisons=COMPARISONS
    ), status
