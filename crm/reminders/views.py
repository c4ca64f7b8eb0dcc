"""Reminder pages: my follow-ups, preferences, the calendar feed and digest previews.

The admin pages (outbox, failures, holidays, send now) are in ``admin_views``; both register
on the one ``reminders`` blueprint.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.auth.models import User
from crm.core.access import SIGNED_IN, allow, get_or_404, public, scoped_select
from crm.core.downloads import download
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.reminders import admin_views, agenda, services  # noqa: F401 — admin routes join
from crm.reminders.blueprint import bp
from crm.reminders.forms import EmptyForm, PreferencesForm
from crm.reminders.recipients import KIND_LABELS, preferences
from crm.reminders.rendering import render_digest
from crm.reminders.web import email_frame

__all__ = ["bp"]


@bp.get("/")
@allow(*SIGNED_IN)
def mine():
    """My follow-ups: this week (overdue, today, later), next week, everything open, or a
    month calendar (``?view=week|next|open|month``, ``&month=2026-12``)."""
    today = local_today()
    view = request.args.get("view", "week")
    if view == "month":
        month = agenda.month_view(
            current_user, agenda.parse_month(request.args.get("month"), today), today
        )
        return render_template(
            "reminders/mine.html", today=today, view=view, month=month, ranges=agenda.RANGES
        )
    found = agenda.agenda(current_user, view, today)
    return render_template(
        "reminders/mine.html", today=today, view=found.view, agenda=found, ranges=agenda.RANGES
    )


@bp.route("/preferences", methods=["GET", "POST"], endpoint="preferences")
@allow(*SIGNED_IN)
def preferences_page():
    """Opt in or out of each kind of e-mail; manage the calendar feed."""
    form = PreferencesForm(data=preferences(current_user) if request.method == "GET" else None)
    if form.validate_on_submit():
        services.set_preferences(
            current_user, {"daily": form.daily.data, "weekly": form.weekly.data}, current_user
        )
        db.session.commit()
        flash(_("提醒设置已保存"), "success")
        return redirect(url_for("reminders.preferences"))
    return render_template(
        "reminders/preferences.html",
        form=form,
        feed=services.feed_of(current_user),
        action_form=EmptyForm(),
        kinds=KIND_LABELS,
    ), (400 if form.errors else 200)


@bp.post("/feed")
@allow(*SIGNED_IN)
def feed_create():
    """Make a new secret calendar feed URL (the old one stops working); shown once."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = services.create_feed(current_user)
    db.session.commit()
    flash(_("新的日历订阅地址（只显示这一次，请复制到 Outlook 或手机日历）："), "info")
    flash(services.feed_url(token), "token")
    return redirect(url_for("reminders.preferences"))


@bp.post("/feed/revoke")
@allow(*SIGNED_IN)
def feed_revoke():
    """Revoke the calendar feed URL."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if services.revoke_feed(current_user):
        db.session.commit()
        flash(_("日历订阅地址已作废"), "success")
    else:
        flash(_("没有可作废的日历订阅地址"), "info")
    return redirect(url_for("reminders.preferences"))


@bp.get("/feed/<token>.ics")
@public
def feed(token: str):
    """The personal iCalendar feed of follow-up dates (404 for unknown or revoked tokens)."""
    user = services.feed_user(token)
    if user is None:
        abort(404)
    body = services.feed_text(user)
    db.session.commit()  # last_used_at
    response = download(
        body.encode("utf-8"), "跟进日程.ics", "follow-ups.ics", "text/calendar", inline=True
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _preview_target() -> tuple[User, date]:
    """Whose digest and which day: admins may pick any user (?user=<id> from the picker, or
    ?login=<sign-in name> typed without JavaScript) and day (?date=)."""
    user = current_user
    if current_user.role == "admin" and request.args.get("user"):
        user = get_or_404(User, request.args["user"])
    elif current_user.role == "admin" and request.args.get("login"):
        login = request.args["login"].strip()[:60]
        user = db.session.scalars(scoped_select(User).where(User.login == login)).first()
        if user is None:
            abort(404)
    try:
        day = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        day = local_today()
    if not date(2000, 1, 1) <= day <= local_today() + timedelta(days=366):
        day = local_today()
    return user, day


@bp.get("/preview/<kind>")
@allow(*SIGNED_IN)
def preview(kind: str):
    """A digest as it would be sent now, rendered from the e-mail templates."""
    if kind not in KIND_LABELS:
        abort(404)
    user, day = _preview_target()
    digest = render_digest(user, kind, day)
    return render_template(
        "reminders/preview.html",
        kind=kind,
        kinds=KIND_LABELS,
        recipient=user,
        day=day,
        digest=digest,
        frame_args={"kind": kind, "user": user.id, "date": day.isoformat()},
    )


@bp.get("/preview/<kind>/email.html")
@allow(*SIGNED_IN)
def preview_html(kind: str):
    """The HTML part of the previewed digest, for the sandboxed frame of the preview page."""
    if kind not in KIND_LABELS:
        abort(404)
    user, day = _preview_target()
    digest = render_digest(user, kind, day)
    if digest is None:
        abort(404)
    return email_frame(digest.html)
