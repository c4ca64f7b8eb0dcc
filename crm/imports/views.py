"""Import pages: upload, preview and report, commit, revert (each kind's template download
and the target export are added to this blueprint by their areas)."""

from __future__ import annotations

import tempfile

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from crm.core.access import allow, get_or_404, scoped_select
from crm.core.downloads import ascii_name, download
from crm.core.forms import choices, commit_or_flash
from crm.extensions import db
from crm.imports import services, tasks
from crm.imports.forms import ActionForm, UploadForm
from crm.imports.kinds import KINDS
from crm.imports.models import ImportBatch
from crm.imports.progress import progress as progress_of
from crm.imports.reports import write_report
from crm.imports.revert import RevertError, revert_batch
from crm.imports.spreadsheets import XLSX_MIMETYPE
from crm.zones.services import visible_zones

bp = Blueprint("imports", __name__)
IMPORTERS = ("staff", "manager", "coordinator", "admin")
REVERTERS = ("coordinator", "admin")
SHOWN_ERRORS = 200


def _zone_choices(form: UploadForm) -> None:
    if current_user.role in ("staff", "manager"):
        zone = current_user.zone
        form.zone.choices = choices([(str(zone.id), zone.name)] if zone else [])
        form.zone.data = form.zone.data or (str(zone.id) if zone else "")
        return
    pairs = [("", _("请选择"))]
    pairs += [(k.no_zone, str(k.no_zone_label)) for k in KINDS.values() if k.no_zone]
    form.zone.choices = choices(pairs + [(str(z.id), z.name) for z in visible_zones()])


def _kind_choices(form: UploadForm) -> None:
    form.kind.choices = choices([(k.name, _(k.label)) for k in KINDS.values()])
    if form.kind.data not in KINDS:
        asked = request.args.get("kind")
        form.kind.data = asked if asked in KINDS else next(iter(KINDS), None)


def xlsx_response(write, filename: str, fallback: str) -> Response:
    # Not a with-block: the response streams the file and closes (and so deletes) it.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    write(handle)
    handle.seek(0)
    return download(handle, filename, fallback, XLSX_MIMETYPE)


@bp.route("/imports/", methods=["GET", "POST"])
@allow(*IMPORTERS)
def index():
    """Upload a target list or a project ledger; the user's recent batches (coordinators and
    admins see all)."""
    form = UploadForm()
    _zone_choices(form)
    _kind_choices(form)
    if form.validate_on_submit():
        try:
            batch = services.start_import(
                form.file.data, form.zone.data, current_user, form.kind.data
            )
        except services.ImportRefused as exc:
            db.session.rollback()
            field = {"zone": form.zone, "kind": form.kind}.get(exc.field, form.file)
            field.errors.append(str(exc))
        else:
            db.session.commit()
            if batch.status == "validating":
                tasks.validate_batch.delay(batch.id)
            return redirect(url_for("imports.detail", batch_id=batch.id))
    stmt = scoped_select(ImportBatch).order_by(ImportBatch.id.desc()).limit(30)
    if current_user.role == "staff":
        stmt = stmt.where(ImportBatch.created_by_id == current_user.id)
    batches = db.session.scalars(stmt).all()
    status = 400 if form.errors else 200
    return render_template("imports/index.html", form=form, batches=batches), status


@bp.get("/imports/<id:batch_id>")
@allow(*IMPORTERS)
def detail(batch_id: int):
    """A batch: mapped columns, first rows, validation report, progress, commit and revert."""
    batch = get_or_404(ImportBatch, batch_id)
    earlier = None
    if batch.sha256:
        earlier = db.session.scalar(
            scoped_select(ImportBatch).where(
                ImportBatch.sha256 == batch.sha256,
                ImportBatch.id < batch.id,
                ImportBatch.status == "committed",
            )
        )
    return render_template(
        "imports/detail.html",
        batch=batch,
        progress=progress_of(batch),
        errors=(batch.errors or [])[:SHOWN_ERRORS],
        warnings=((batch.counts or {}).get("warnings") or [])[:SHOWN_ERRORS],
        can_commit=batch.status == "valid" and services.can_commit(current_user, batch),
        can_revert=batch.status == "committed" and current_user.role in REVERTERS,
        earlier=earlier,
        form=ActionForm(),
    )


@bp.get("/imports/<id:batch_id>/progress")
@allow(*IMPORTERS)
def progress(batch_id: int):
    """How far validation or commit has got (polled by static/js/imports.js)."""
    return jsonify(progress_of(get_or_404(ImportBatch, batch_id)))


@bp.get("/imports/<id:batch_id>/report.xlsx")
@allow(*IMPORTERS)
def report(batch_id: int):
    """The validation report: row, column and reason of every problem."""
    batch = get_or_404(ImportBatch, batch_id)
    return xlsx_response(
        lambda handle: write_report(batch, handle),
        f"导入校验报告_{batch.id}.xlsx",
        ascii_name("import-report", batch.id, ext="xlsx"),
    )


@bp.post("/imports/<id:batch_id>/commit")
@allow(*IMPORTERS)
def commit(batch_id: int):
    """Import a valid batch, all or nothing (large ones in the background)."""
    batch = get_or_404(ImportBatch, batch_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        services.claim_commit(batch, current_user)
    except services.ImportRefused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("imports.detail", batch_id=batch_id))
    db.session.commit()
    if batch.total_rows > current_app.config["IMPORT_ASYNC_ROWS"]:
        tasks.commit_batch.delay(batch_id, current_user.id)
    else:
        batch = services.commit_batch(batch_id, current_user)
        if batch.status == "committed":
            flash(_("导入完成"), "success")
        else:
            flash(_("导入未完成，没有写入任何数据，请查看原因"), "danger")
    return redirect(url_for("imports.detail", batch_id=batch_id))


@bp.post("/imports/<id:batch_id>/revert")
@allow(*REVERTERS)
def revert(batch_id: int):
    """Undo a committed batch (audited)."""
    batch = get_or_404(ImportBatch, batch_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    commit_or_flash(lambda: revert_batch(batch, current_user), RevertError, _("已回退这批导入"))
    return redirect(url_for("imports.detail", batch_id=batch_id))
