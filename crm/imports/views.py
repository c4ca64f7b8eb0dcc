"""Import and export pages: upload, preview and report, commit, revert, template, export."""

from __future__ import annotations

import tempfile
from urllib.parse import urlencode

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
from crm.core.audit import record_audit
from crm.core.downloads import ascii_name, download
from crm.core.forms import choices, commit_or_flash
from crm.core.roles import ROLES
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.imports import services, tasks
from crm.imports.forms import ActionForm, UploadForm
from crm.imports.models import ImportBatch
from crm.imports.progress import progress as progress_of
from crm.imports.reports import write_report
from crm.imports.revert import RevertError, revert_batch
from crm.imports.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE
from crm.projects.ledger_template import write_ledger_template
from crm.targets import exporting
from crm.targets.queries import TargetFilters, target_list_stmt
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
    pairs = [
        ("", _("请选择")),
        ("pool", _("市级储备库（目标企业清单）")),
        (services.BY_COLUMN, _("按文件中的“所属开发区”列（项目台账）")),
    ]
    form.zone.choices = choices(pairs + [(str(z.id), z.name) for z in visible_zones()])


def _kind_choices(form: UploadForm) -> None:
    form.kind.choices = choices([("targets", _("目标企业清单")), ("projects", _("项目台账"))])
    if form.kind.data not in services.KINDS:
        form.kind.data = (
            request.args.get("kind") if request.args.get("kind") == "projects" else "targets"
        )


def _xlsx_response(write, filename: str, fallback: str) -> Response:
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


@bp.get("/imports/template.xlsx")
@allow(*IMPORTERS)
def template():
    """The import template: canonical headers and one example row."""
    return _xlsx_response(
        lambda handle: exporting.write_template(handle, local_today()),
        "目标企业导入模板.xlsx",
        "target-import-template.xlsx",
    )


@bp.get("/imports/ledger-template.xlsx")
@allow(*IMPORTERS)
def ledger_template():
    """The project ledger (台账) template: the headers the import reads and an example row."""
    return _xlsx_response(
        lambda handle: write_ledger_template(handle, local_today()),
        "项目台账导入模板.xlsx",
        "project-ledger-template.xlsx",
    )


@bp.get("/imports/<int(max=2147483647):batch_id>")
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


@bp.get("/imports/<int(max=2147483647):batch_id>/progress")
@allow(*IMPORTERS)
def progress(batch_id: int):
    """How far validation or commit has got (polled by static/js/imports.js)."""
    return jsonify(progress_of(get_or_404(ImportBatch, batch_id)))


@bp.get("/imports/<int(max=2147483647):batch_id>/report.xlsx")
@allow(*IMPORTERS)
def report(batch_id: int):
    """The validation report: row, column and reason of every problem."""
    batch = get_or_404(ImportBatch, batch_id)
    return _xlsx_response(
        lambda handle: write_report(batch, handle),
        f"导入校验报告_{batch.id}.xlsx",
        ascii_name("import-report", batch.id, ext="xlsx"),
    )


@bp.post("/imports/<int(max=2147483647):batch_id>/commit")
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


@bp.post("/imports/<int(max=2147483647):batch_id>/revert")
@allow(*REVERTERS)
def revert(batch_id: int):
    """Undo a committed batch (audited)."""
    batch = get_or_404(ImportBatch, batch_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    commit_or_flash(lambda: revert_batch(batch, current_user), RevertError, _("已回退这批导入"))
    return redirect(url_for("imports.detail", batch_id=batch_id))


@bp.get("/targets/export")
@allow(*ROLES)
def export_targets():
    """The target list under the current filter, as .xlsx or .csv (audited)."""
    file_format = request.args.get("format", "xlsx")
    if file_format not in ("xlsx", "csv"):
        abort(400)
    filters = TargetFilters.from_args(request.args)
    stmt = target_list_stmt(current_user, filters)
    changes = {
        "format": file_format,
        "filters": urlencode(filters.active()),
        "rows": exporting.count_rows(stmt),
    }
    record_audit("export", "target", None, changes, actor=current_user)
    db.session.commit()
    zone_name, zone_code = exporting.export_zone(filters.zone)
    today = local_today()
    filename = "-".join(filter(None, ["目标企业清单", zone_name, f"{today:%Y%m%d}"]))
    filename += f".{file_format}"
    fallback = ascii_name("targets", zone_code, today, ext=file_format)
    if file_format == "xlsx":
        return _xlsx_response(lambda handle: exporting.write_xlsx(stmt, handle), filename, fallback)
    return download(exporting.csv_pieces(stmt), filename, fallback, CSV_MIMETYPE, stream=True)
