"""Admin pages of the reminders: the outbox with failures and the scheduler's last runs,
one message, retrying, sending a digest now, and the holiday overrides."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.auth.models import User
from crm.core.access import MAX_ID, allow
from crm.core.pagination import paginate
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.reminders import services
from crm.reminders.blueprint import bp
from crm.reminders.forms import EmptyForm, HolidayForm, SendNowForm
from crm.reminders.models import STATUSES, HolidayOverride, ReminderLog
from crm.reminders.tasks import enqueue
from crm.reminders.web import email_frame

EML_NAME = re.compile(r"^[0-9]{7}-[a-z]+-[0-9A-Za-z-]+\.eml$")
STATUS_LABELS = services.STATUS_LABELS


def _row_or_404(model: type, ident: int):
    """A row by primary key, or 404 (ids beyond an INTEGER column never reach the database)."""
    if not 0 < ident <= MAX_ID:
        abort(404)
    return db.session.get(model, ident) or abort(404)


@bp.get("/outbox")
@allow("admin")
def outbox():
    """The outbox: every e-mail with its state, the failures, and the scheduler's last runs."""
    status = request.args.get("status", "")
    stmt = select(ReminderLog).order_by(ReminderLog.id.desc())
    if status in STATUSES:
        stmt = stmt.where(ReminderLog.status == status)
    failures = db.session.scalars(
        select(ReminderLog)
        .where(ReminderLog.status == "failed")
        .order_by(ReminderLog.updated_at.desc())
        .limit(20)
    ).all()
    return render_template(
        "reminders/outbox.html",
        page=paginate(stmt, per_page=50),
        status=status,
        labels=STATUS_LABELS,
        counts=services.status_counts(),
        failures=failures,
        beats=services.heartbeats(),
        files=[] if current_app.config.get("MAIL_SERVER") else services.outbox_files(),
        smtp=current_app.config.get("MAIL_SERVER"),
        send_form=SendNowForm(),
        action_form=EmptyForm(),
    )


def _eml(row: ReminderLog):
    """The parsed .eml file of a row written to the outbox folder, if it is still there."""
    if not row.eml_file or not EML_NAME.match(row.eml_file):
        return None
    path = Path(current_app.config["MAIL_OUTBOX_DIR"]) / row.eml_file
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return BytesParser(policy=policy.default).parse(handle)


@bp.get("/outbox/<id:log_id>")
@allow("admin")
def message(log_id: int):
    """One outbox row, and the message itself when it was written to the outbox folder."""
    row = _row_or_404(ReminderLog, log_id)
    parsed = _eml(row)
    text = None
    if parsed is not None:
        part = parsed.get_body(preferencelist=("plain",))
        text = part.get_content() if part is not None else None
    return render_template(
        "reminders/message.html",
        row=row,
        parsed=parsed,
        text=text,
        labels=STATUS_LABELS,
        action_form=EmptyForm(),
    )


@bp.get("/outbox/<id:log_id>/email.html")
@allow("admin")
def message_html(log_id: int):
    """The HTML part of a message in the outbox folder, for a sandboxed frame."""
    row = _row_or_404(ReminderLog, log_id)
    parsed = _eml(row)
    part = parsed.get_body(preferencelist=("html",)) if parsed is not None else None
    if part is None:
        abort(404)
    return email_frame(part.get_content())


@bp.post("/outbox/<id:log_id>/retry")
@allow("admin")
def retry(log_id: int):
    """Send a failed, expired or skipped e-mail again."""
    row = _row_or_404(ReminderLog, log_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.retry_row(row, current_user)
    except services.ReminderError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        db.session.commit()
        if enqueue([row.id]):
            flash(_("已重新加入发送队列"), "success")
        else:
            flash(_("已改为待发送，但任务队列暂时不可用：下次扫描时发送"), "warning")
    return redirect(url_for("reminders.message", log_id=log_id))


@bp.post("/send-now")
@allow("admin")
def send_now():
    """Send one user's daily or weekly digest now."""
    form = SendNowForm()
    if not form.validate_on_submit():
        flash(_("请填写用户名并选择类型"), "danger")
        return redirect(url_for("reminders.outbox"))
    user = db.session.scalar(select(User).where(User.login == form.login.data.strip()))
    if user is None:
        flash(_("用户不存在"), "danger")
        return redirect(url_for("reminders.outbox"))
    try:
        row = services.send_now(user, form.kind.data, current_user)
    except services.ReminderError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("reminders.outbox"))
    db.session.commit()
    if enqueue([row.id]):
        flash(_("已加入发送队列：%(login)s", login=user.login), "success")
    else:
        flash(
            _("已写入发件箱，但任务队列暂时不可用：下次扫描时发送给 %(login)s", login=user.login),
            "warning",
        )
    return redirect(url_for("reminders.message", log_id=row.id))


@bp.route("/holidays", methods=["GET", "POST"])
@allow("admin")
def holidays():
    """Holiday overrides: days the official calendar gets wrong (or does not cover yet)."""
    form = HolidayForm()
    if form.validate_on_submit():
        try:
            services.add_override(
                form.day.data, form.is_workday.data == "1", form.note.data or "", current_user
            )
        except services.ReminderError as exc:
            db.session.rollback()
            form.day.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("已保存 %(day)s 的设置", day=form.day.data.isoformat()), "success")
            return redirect(url_for("reminders.holidays"))
    rows = db.session.scalars(select(HolidayOverride).order_by(HolidayOverride.day.desc())).all()
    return render_template(
        "reminders/holidays.html",
        form=form,
        rows=rows,
        years=services.calendar_years(local_today().year),
        action_form=EmptyForm(),
    ), (400 if form.errors else 200)


@bp.post("/holidays/<id:override_id>/delete")
@allow("admin")
def holiday_delete(override_id: int):
    """Remove an override (the official calendar applies again)."""
    row = _row_or_404(HolidayOverride, override_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.remove_override(row, current_user)
    db.session.commit()
    flash(_("已删除该日调整"), "success")
    return redirect(url_for("reminders.holidays"))
