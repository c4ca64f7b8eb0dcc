"""The target list's pages on the imports blueprint: the import template and the export."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, request
from flask_login import current_user

from crm.core.access import allow
from crm.core.audit import record_audit
from crm.core.downloads import ascii_name, download
from crm.core.roles import ROLES
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.imports.guided import owner_names
from crm.imports.spreadsheets import CSV_MIMETYPE
from crm.imports.views import IMPORTERS, bp, xlsx_response
from crm.targets import exporting
from crm.targets.queries import TargetFilters, target_list_stmt


@bp.get("/imports/template.xlsx")
@allow(*IMPORTERS)
def template():
    """The import template: canonical headers, an example row and drop-down lists."""
    owners = owner_names(current_user)
    return xlsx_response(
        lambda handle: exporting.write_template(handle, local_today(), owners),
        "目标企业导入模板.xlsx",
        "target-import-template.xlsx",
    )


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
        return xlsx_response(lambda handle: exporting.write_xlsx(stmt, handle), filename, fallback)
    return download(exporting.csv_pieces(stmt), filename, fallback, CSV_MIMETYPE, stream=True)
