"""Cross-zone conflicts: the zones pursuing one enterprise, and the city's settlement.

Registered on the ``targets`` blueprint by ``crm.targets.views``.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from crm.auth.models import User
from crm.core.access import SIGNED_IN, allow, get_or_404, scoped_select
from crm.core.boundary import parse_id
from crm.core.forms import choices
from crm.core.pagination import paginate
from crm.extensions import db
from crm.targets.conflicts import RESOLUTIONS, ConflictError, settle_conflict
from crm.targets.detail_views import has_errors
from crm.targets.forms import SettleForm
from crm.targets.models import Conflict
from crm.targets.queries import targets_by_enterprise
from crm.zones.services import visible_zones

STATES = {"open": "待协调", "settled": "已处理"}


def settle_form(conflict: Conflict, formdata: Any = None) -> SettleForm:
    """The settlement form of one conflict (fields prefixed so several fit on one page)."""
    form = SettleForm(formdata=formdata, prefix=f"c{conflict.id}")
    form.kept_zone_id.choices = choices(
        [("", _("（请选择）")), *((str(z.id), z.short_name) for z in conflict.zones)]
    )
    return form


def render_conflicts(state: str, failed: SettleForm | None = None, failed_id: int = 0) -> Any:
    """The conflicts the user may see, in one state, newest first."""
    stmt = (
        scoped_select(Conflict)
        .where(Conflict.status == state)
        .options(selectinload(Conflict.zones))
        .order_by(Conflict.raised_at.desc(), Conflict.id.desc())
    )
    page = paginate(stmt, per_page=20)
    settler_ids = {c.settled_by_id for c in page.items if c.settled_by_id}
    settlers = {}
    if settler_ids:
        users = scoped_select(User).where(User.id.in_(settler_ids))
        settlers = {u.id: u for u in db.session.scalars(users).unique()}
    forms = {}
    if current_user.role == "coordinator" and state == "open":
        forms = {c.id: settle_form(c) for c in page.items}
        if failed is not None and failed_id in forms:
            forms[failed_id] = failed
    return render_template(
        "targets/conflicts.html",
        page=page,
        state=state,
        states=STATES,
        targets=targets_by_enterprise({c.enterprise_id for c in page.items}, current_user),
        zones={z.id: z for z in visible_zones(include_inactive=True)},
        settlers=settlers,
        forms=forms,
        resolutions=RESOLUTIONS,
    ), (400 if failed is not None else 200)


@allow(*SIGNED_IN)
def conflicts():
    """Open and settled conflicts that involve the user's zone (all of them for the city)."""
    state = request.args.get("state", "open")
    return render_conflicts(state if state in STATES else "open")


@allow("coordinator")
def settle(conflict_id: int):
    """Settle a conflict: one zone keeps the enterprise, or both go on with a note."""
    conflict = get_or_404(Conflict, conflict_id)
    if conflict.status != "open":
        flash(_("该冲突已处理"), "warning")
        return redirect(url_for("targets.conflicts", state="settled"))
    form = settle_form(conflict, request.form)
    if form.validate_on_submit():
        kept = parse_id(form.kept_zone_id.data)
        try:
            settle_conflict(conflict, form.resolution.data, kept, form.note.data, current_user)
        except ConflictError as exc:
            db.session.rollback()
            field = form.kept_zone_id if form.resolution.data == "keep_one" else form.note
            field.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("已处理：%(name)s", name=conflict.enterprise.name), "success")
            return redirect(url_for("targets.conflicts"))
    if not has_errors(form):
        form.resolution.errors.append(_("请检查填写的内容"))
    return render_conflicts("open", form, conflict.id)
