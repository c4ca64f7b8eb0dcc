"""Enterprise pages: details with every zone's targets, edit, contacts, and merge."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.access import SIGNED_IN, WRITERS, allow, get_or_404, scoped_select
from crm.core.boundary import parse_id
from crm.enterprises.forms import (
    CONTACT_FIELDS,
    ENTERPRISE_FORM_FIELDS,
    ContactForm,
    EnterpriseForm,
    MergeForm,
    field_error,
    form_values,
    submit_form,
)
from crm.enterprises.gb_industries import industry_class_text
from crm.enterprises.models import Enterprise
from crm.enterprises.registration import capital_text, is_gone
from crm.enterprises.search import search_enterprises
from crm.enterprises.services import (
    EnterpriseError,
    add_contact,
    find_duplicates,
    merge_enterprises,
    projects_by_enterprise,
    targets_by_enterprise,
    update_enterprise,
)
from crm.extensions import db

bp = Blueprint("enterprises", __name__, url_prefix="/enterprises")


@bp.app_context_processor
def registration_helpers() -> dict[str, Any]:
    """Helpers for the enterprise facts partial (shown on enterprise and target pages)."""
    return {
        "capital_text": capital_text,
        "industry_class_text": industry_class_text,
        "is_gone": is_gone,
    }


MERGERS = ("coordinator", "admin")
MAX_MERGE_HOPS = 20
PICKER_LIMIT = 20


@bp.get("/search.json")
@allow(*SIGNED_IN)
def search():
    """Search-as-you-type for the enterprise pickers: name, alias, pinyin (full or initials) or
    credit code, among the enterprises the user may see; at most 20, by name."""
    q = re.sub(r"[\x00-\x1f\x7f]", "", request.args.get("q", "")).strip()[:100]
    found = search_enterprises(q, current_user, limit=PICKER_LIMIT) if q else []
    return jsonify(
        results=[
            {
                "id": e.id,
                "text": e.name,
                "sub": " · ".join(x for x in (e.industry, e.uscc) if x),
            }
            for e in found
        ]
    )


def _has_errors(form: Any) -> bool:
    return any(field.errors for field in form)


def _merged_into(enterprise_id: int) -> Enterprise | None:
    """The enterprise a merged one now lives on (following chains of merges)."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    hops = 0
    while enterprise is not None and enterprise.merged_into_id and hops < MAX_MERGE_HOPS:
        enterprise = db.session.get(Enterprise, enterprise.merged_into_id)
        hops += 1
    if enterprise is None or enterprise.id == enterprise_id or enterprise.deleted_at:
        return None
    return enterprise


def _render_detail(enterprise: Enterprise, contact_form: ContactForm | None = None) -> Any:
    can_write = current_user.role in WRITERS
    suspects = []
    if current_user.role in MERGERS:
        suspects = find_duplicates(enterprise.name, enterprise.uscc, exclude_id=enterprise.id)
    return render_template(
        "enterprises/detail.html",
        enterprise=enterprise,
        targets=targets_by_enterprise([enterprise.id], current_user).get(enterprise.id, []),
        projects=projects_by_enterprise([enterprise.id], current_user).get(enterprise.id, []),
        contact_form=(contact_form or ContactForm(formdata=None)) if can_write else None,
        can_write=can_write,
        can_merge=current_user.role in MERGERS,
        suspects=suspects,
    ), (400 if contact_form is not None and _has_errors(contact_form) else 200)


@bp.get("/<id:enterprise_id>")
@allow(*SIGNED_IN)
def detail(enterprise_id: int):
    """An enterprise: its facts, contacts, and every zone's target for it."""
    kept = _merged_into(enterprise_id)
    if kept is not None:
        flash(_("该企业已合并到“%(name)s”", name=kept.name), "info")
        return redirect(url_for("enterprises.detail", enterprise_id=kept.id))
    return _render_detail(get_or_404(Enterprise, enterprise_id))


@bp.route("/<id:enterprise_id>/edit", methods=["GET", "POST"])
@allow(*WRITERS)
def edit(enterprise_id: int):
    """Edit an enterprise's name, credit code, location, industry, labels and website."""
    enterprise = get_or_404(Enterprise, enterprise_id)
    form = EnterpriseForm(obj=enterprise)
    if form.validate_on_submit():
        try:
            changes = update_enterprise(
                enterprise, form_values(form, ENTERPRISE_FORM_FIELDS), current_user
            )
        except EnterpriseError as exc:
            db.session.rollback()
            field_error(form, exc.field, str(exc))
        else:
            db.session.commit()
            flash(_("已保存") if changes else _("没有需要保存的修改"), "success")
            return redirect(url_for("enterprises.detail", enterprise_id=enterprise.id))
    return render_template("enterprises/edit.html", form=form, enterprise=enterprise), (
        400 if _has_errors(form) else 200
    )


@bp.post("/<id:enterprise_id>/contacts", endpoint="add_contact")
@allow(*WRITERS)
def add_contact_view(enterprise_id: int):
    """Add a contact person."""
    enterprise = get_or_404(Enterprise, enterprise_id)
    form = ContactForm()
    if submit_form(
        form,
        CONTACT_FIELDS,
        lambda values: add_contact(enterprise, values, current_user),
        EnterpriseError,
    ):
        flash(_("联系人已添加"), "success")
        return redirect(
            url_for("enterprises.detail", enterprise_id=enterprise.id, _anchor="contacts")
        )
    return _render_detail(enterprise, contact_form=form)


def _keep_candidate(raw: Any, source: Enterprise) -> Enterprise | None:
    keep_id = parse_id(raw)
    if keep_id is None or keep_id == source.id:
        return None
    stmt = scoped_select(Enterprise).where(
        Enterprise.id == keep_id, Enterprise.deleted_at.is_(None)
    )
    return db.session.scalars(stmt).first()


@bp.route("/<id:enterprise_id>/merge", methods=["GET", "POST"])
@allow(*MERGERS)
def merge(enterprise_id: int):
    """Merge this enterprise into another one that is kept: choose, check what moves, confirm."""
    source = get_or_404(Enterprise, enterprise_id)
    form = MergeForm()
    keep = _keep_candidate(form.keep_id.data or request.args.get("keep"), source)
    if keep is not None:
        form.keep_id.data = str(keep.id)
    if form.validate_on_submit():
        if keep is None:
            form.keep_id.errors.append(_("请选择要保留的企业"))
        else:
            try:
                merge_enterprises(source, keep, current_user)
            except EnterpriseError as exc:
                db.session.rollback()
                form.confirm.errors.append(str(exc))
            else:
                db.session.commit()
                flash(
                    _("已将“%(source)s”合并到“%(kept)s”", source=source.name, kept=keep.name),
                    "success",
                )
                return redirect(url_for("enterprises.detail", enterprise_id=keep.id))
    q = request.args.get("q", "").strip()[:100]
    matches = [e for e in search_enterprises(q, current_user) if e.id != source.id] if q else []
    suspects = [] if keep else find_duplicates(source.name, source.uscc, exclude_id=source.id)
    ids = [source.id, *([keep.id] if keep else [])]
    targets = targets_by_enterprise(ids, current_user)
    kept_zones = {t.zone_id for t in targets.get(keep.id, [])} if keep else set()
    return render_template(
        "enterprises/merge.html",
        form=form,
        source=source,
        keep=keep,
        q=q,
        matches=matches,
        suspects=suspects,
        source_targets=targets.get(source.id, []),
        kept_targets=targets.get(keep.id, []) if keep else [],
        kept_zones=kept_zones,
    ), (400 if _has_errors(form) else 200)
