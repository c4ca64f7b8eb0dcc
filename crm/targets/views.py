"""Target list pages: the shared list with filters, search and bulk changes.

Every target-list route lives on this one blueprint ``bp``; the create, detail and conflict
pages are written in their own modules and registered below.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, load_only

from crm.auth.models import User
from crm.core.access import SIGNED_IN, WRITERS, allow, scoped
from crm.core.boundary import parse_id
from crm.core.i18n import label as vocabulary_label
from crm.core.i18n import labels as translated_labels
from crm.core.pagination import paginate
from crm.core.timeutil import local_today
from crm.core.urls import id_url, safe_next
from crm.enterprises.models import LABELS, Enterprise
from crm.enterprises.registration import BUSINESS_STATUSES
from crm.enterprises.seed import industry_class_choices
from crm.extensions import db
from crm.imports.cells import PROVINCE_NAMES
from crm.targets import conflict_views, create_views, detail_views
from crm.targets.bulk import BULK_ACTIONS, bulk_update
from crm.targets.cells import HELPERS as CELL_HELPERS
from crm.targets.chain_hooks import chain_choices
from crm.targets.forms import EDITABLE_STATUSES, PRIORITY_LABELS
from crm.targets.models import ATTRACTION_MODES, OPEN_STATUSES, TARGET_STATUSES, Target
from crm.targets.queries import (
    POOL,
    SORTS,
    TargetFilters,
    count_cap,
    elsewhere_names,
    target_count_stmt,
    target_list_stmt,
)
from crm.targets.queries import zone_people as zone_people_of
from crm.targets.services import TargetError, can_write_target, is_stale
from crm.zones.services import visible_zones

bp = Blueprint("targets", __name__, url_prefix="/targets")
for _name, _helper in CELL_HELPERS.items():  # badges and dates of a target, for every page
    bp.add_app_template_global(_helper, _name)

SORT_LABELS = {
    "updated": _l("最近更新"),
    "created": _l("最近加入"),
    "name": _l("企业名称"),
    "priority": _l("优先级"),
    "follow_up": _l("下次跟进日期"),
    "last_activity": _l("最近跟进"),
}
# What the list's rows show of a target, its enterprise and owner (target and enterprise have
# ≈ 40 columns each, a user row its password hash, notification settings and zone).
LIST_COLUMNS = (
    load_only(
        Target.enterprise_id,
        Target.zone_id,
        Target.owner_id,
        Target.status,
        Target.priority,
        Target.attraction_modes,
        Target.next_follow_up,
        Target.last_activity_on,
        Target.created_at,
    ),
    contains_eager(Target.enterprise).load_only(
        Enterprise.name, Enterprise.industry, Enterprise.labels
    ),
    joinedload(Target.owner).load_only(User.display_name).lazyload(User.zone),
)
COUNT_CAP = 500  # a common search term's matches are counted this far ("more than 500")
# which form field carries the new value of each bulk action
BULK_VALUE_FIELDS = {
    "assign": "owner_id",
    "status": "status",
    "priority": "priority",
    "move_zone": "zone_id",
}
EXPORT_ENDPOINT = "imports.export_targets"
MAX_SKIP_DETAILS = 10


def _export_urls(filters: TargetFilters) -> dict[str, str]:
    """Export links (.xlsx, .csv) for the current filter, once the export page exists."""
    if EXPORT_ENDPOINT not in current_app.view_functions:
        return {}
    args = filters.active()
    return {fmt: url_for(EXPORT_ENDPOINT, **args, format=fmt) for fmt in ("xlsx", "csv")}


@bp.get("/")
@allow(*SIGNED_IN)
def index():
    """The shared target list: filters, search, sorting, pages and bulk changes."""
    filters = TargetFilters.from_args(request.args)
    cap = count_cap(filters, COUNT_CAP)
    page = paginate(
        target_list_stmt(current_user, filters).options(*LIST_COLUMNS),
        per_page=50,
        count=target_count_stmt(current_user, filters, cap=cap),
        cap=cap,
    )
    writable = {t.id for t in page.items if can_write_target(current_user, t)}
    return render_template(
        "targets/index.html",
        page=page,
        filters=filters,
        zones=visible_zones(),
        people=zone_people_of(current_user),
        elsewhere=elsewhere_names(page.items, current_user),
        writable=writable,
        is_stale=is_stale,
        today=local_today(),
        open_statuses=OPEN_STATUSES,
        statuses=translated_labels(TARGET_STATUSES),
        editable_statuses=EDITABLE_STATUSES,
        priorities=PRIORITY_LABELS,
        modes=ATTRACTION_MODES,
        labels=LABELS,
        industry_classes=industry_class_choices(),
        provinces=[(name, vocabulary_label(name)) for name in PROVINCE_NAMES],
        business_statuses=[(status, vocabulary_label(status)) for status in BUSINESS_STATUSES],
        chains=chain_choices(current_user),
        sorts=[(key, SORT_LABELS.get(key, key)) for key in SORTS],
        bulk_actions=BULK_ACTIONS,
        pool=POOL,
        export_urls=_export_urls(filters),
        detail_url=id_url("targets.detail", "target_id"),
        convert_url=id_url("projects.create", "target_id"),
    )


def _bulk_value(action: str) -> str | None:
    """The submitted value for the action, or None when the user picked nothing."""
    raw = request.form.get(BULK_VALUE_FIELDS.get(action, ""), "").strip()
    if action == "assign":
        return {"": None, "none": ""}.get(raw, raw)  # "none" = take the owner away
    if action == "move_zone":
        return {"": None, POOL: ""}.get(raw, raw)  # "" = the city pool for the service
    return raw or None


@bp.post("/bulk")
@allow(*WRITERS)
def bulk():
    """Apply one change to the ticked targets; report what changed and what was skipped."""
    back = safe_next(request.form.get("next"), url_for("targets.index"))
    action = request.form.get("action", "")
    ids = list(dict.fromkeys(filter(None, map(parse_id, request.form.getlist("ids")))))
    value = _bulk_value(action)
    try:
        if action not in BULK_ACTIONS:
            raise TargetError(_("请选择批量操作"))
        if value is None:
            raise TargetError(_("请选择要设置的值"))
        result = bulk_update(ids, action, value, current_user)
    except TargetError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(back)
    details = [
        f"{_loaded_name(tid)}：{reason}" for tid, reason in result.skipped[:MAX_SKIP_DETAILS]
    ]
    db.session.commit()
    unchanged = len(ids) - len(result.changed) - len(result.skipped)
    message = _(
        "%(action)s：已修改 %(changed)d 条，跳过 %(skipped)d 条，%(unchanged)d 条无需修改",
        action=str(BULK_ACTIONS[action]),
        changed=len(result.changed),
        skipped=len(result.skipped),
        unchanged=max(unchanged, 0),
    )
    flash(message, "warning" if result.skipped else "success")
    if details:
        flash(_("跳过的目标：%(rows)s", rows="；".join(details)), "warning")
    return redirect(back)


def _loaded_name(target_id: int) -> str:
    # bulk_update loaded these rows; the identity map answers without a query
    target = db.session.get(Target, target_id)
    return target.enterprise.name if target else f"#{target_id}"


@bp.get("/deleted")
@allow("admin")
def deleted():
    """Removed targets, newest first, for an admin to restore."""
    stmt = scoped(select(Target).where(Target.deleted_at.is_not(None)), Target).order_by(
        Target.deleted_at.desc(), Target.id.desc()
    )
    return render_template("targets/deleted.html", page=paginate(stmt, per_page=50))


for _rule, _endpoint, _view, _methods in (
    ("/new", "create", create_views.create, ("GET", "POST")),
    ("/<id:target_id>", "detail", detail_views.detail, ("GET",)),
    ("/<id:target_id>/edit", "edit", detail_views.edit, ("GET", "POST")),
    ("/<id:target_id>/activities", "log_activity", detail_views.log_activity_view, ("POST",)),
    ("/<id:target_id>/contacts", "add_contact", detail_views.add_contact_view, ("POST",)),
    ("/<id:target_id>/claim", "claim", detail_views.claim, ("POST",)),
    ("/<id:target_id>/delete", "delete", detail_views.delete, ("POST",)),
    ("/<id:target_id>/restore", "restore", detail_views.restore, ("POST",)),
    ("/conflicts", "conflicts", conflict_views.conflicts, ("GET",)),
    (
        "/conflicts/<id:conflict_id>/settle",
        "settle_conflict",
        conflict_views.settle,
        ("POST",),
    ),
):
    bp.add_url_rule(_rule, _endpoint, _view, methods=list(_methods))
