"""Adding a target: pick an enterprise already known, or create one here (with a duplicate
warning). Registered on the ``targets`` blueprint by ``crm.targets.views``.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.access import WRITERS, allow, scoped_select
from crm.core.boundary import parse_id
from crm.enterprises.forms import ENTERPRISE_FORM_FIELDS, field_error, form_values
from crm.enterprises.models import Enterprise
from crm.enterprises.search import search_enterprises
from crm.enterprises.services import DuplicateEnterprise, EnterpriseError, create_enterprise
from crm.extensions import db
from crm.targets.detail_views import has_errors
from crm.targets.forms import TARGET_FORM_FIELDS, TargetCreateForm, owner_choices, zone_choices
from crm.targets.queries import POOL, targets_by_enterprise, zone_people
from crm.targets.services import TargetError, create_target
from crm.zones.services import visible_zones

SEARCH_LIMIT = 20


def _chosen_enterprise(raw: Any) -> Enterprise | None:
    """The enterprise picked by id (one the user may see, not removed or merged), else None."""
    enterprise_id = parse_id(raw)
    if enterprise_id is None:
        return None
    stmt = scoped_select(Enterprise).where(
        Enterprise.id == enterprise_id, Enterprise.deleted_at.is_(None)
    )
    return db.session.scalars(stmt).first()


def _setup(form: TargetCreateForm) -> None:
    """Zone and owner choices by role: zone users add to their own zone only."""
    role = current_user.role
    if role in ("staff", "manager"):
        del form.zone
    else:
        form.zone.choices = zone_choices(visible_zones())
        if not form.zone.data:
            form.zone.data = POOL
    if role == "staff":
        del form.owner_id  # a staff member's new target is their own
    else:
        form.owner_id.choices = owner_choices(zone_people(current_user))


def _zone_id(form: TargetCreateForm) -> int | None:
    if "zone" not in form:
        return current_user.zone_id
    return None if form.zone.data in ("", POOL) else parse_id(form.zone.data)


def _target_values(form: TargetCreateForm) -> dict[str, Any]:
    values = form_values(form, TARGET_FORM_FIELDS)
    if "owner_id" in form and form.owner_id.data:
        values["owner_id"] = parse_id(form.owner_id.data)
    return values


@allow(*WRITERS)
def create():
    """Add a target to the user's zone (coordinators: any zone or the city pool)."""
    form = TargetCreateForm()
    _setup(form)
    chosen = _chosen_enterprise(form.enterprise_id.data or request.args.get("enterprise_id"))
    if chosen is not None:
        form.enterprise_id.data = str(chosen.id)
    q = request.args.get("q", "").strip()[:100]
    duplicate: DuplicateEnterprise | None = None
    if form.validate_on_submit():
        try:
            if form.enterprise_id.data and chosen is None:
                raise TargetError(_("所选企业不存在或已合并，请重新选择"), "enterprise_id")
            enterprise = chosen or create_enterprise(
                form_values(form, ENTERPRISE_FORM_FIELDS),
                current_user,
                confirm_duplicate=form.confirm_duplicate.data,
            )
            target = create_target(enterprise, _zone_id(form), _target_values(form), current_user)
        except DuplicateEnterprise as exc:
            db.session.rollback()
            duplicate = exc
            field_error(form, exc.field, str(exc))
        except (EnterpriseError, TargetError) as exc:
            db.session.rollback()
            field_error(form, exc.field, str(exc), fallback="enterprise_id")
        else:
            db.session.commit()
            flash(_("已加入目标清单：%(name)s", name=enterprise.name), "success")
            return redirect(url_for("targets.detail", target_id=target.id))
    matches = search_enterprises(q, current_user, SEARCH_LIMIT) if q and chosen is None else []
    shown = [*matches, *([chosen] if chosen else [])]
    return render_template(
        "targets/create.html",
        form=form,
        chosen=chosen,
        q=q,
        matches=matches,
        search_limit=SEARCH_LIMIT,
        on_lists=targets_by_enterprise({e.id for e in shown}, current_user),
        duplicate=duplicate,
    ), (400 if has_errors(form) else 200)
