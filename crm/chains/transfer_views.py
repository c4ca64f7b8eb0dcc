"""Chain definitions in and out from the chain-map pages: download as JSON or Excel (the
format `flask chains import` reads), and upload by coordinators — all or nothing."""

from __future__ import annotations

import json
import logging
import os
import tempfile

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.chains.forms import DefinitionsForm
from crm.chains.models import Chain
from crm.chains.transfer import (
    ChainImportError,
    definitions_workbook,
    export_definitions,
    import_definitions,
    read_definitions_file,
)
from crm.core.access import SIGNED_IN, allow, scoped
from crm.core.audit import record_audit
from crm.core.downloads import download
from crm.core.tabular import TabularError
from crm.extensions import db
from crm.imports.spreadsheets import XLSX_MIMETYPE

log = logging.getLogger(__name__)
OWNERS = ("coordinator", "admin")


def _chains() -> list[Chain]:
    stmt = select(Chain).options(selectinload(Chain.nodes), selectinload(Chain.zones))
    return list(db.session.scalars(scoped(stmt.order_by(Chain.sort_order, Chain.id), Chain)))


def export_json():
    """Every visible chain with its node tree, as JSON."""
    body = json.dumps(export_definitions(_chains()), ensure_ascii=False, indent=2)
    return download(
        body.encode("utf-8"), "产业链定义.json", "chain-definitions.json", "application/json"
    )


def export_xlsx():
    """Every visible chain, one row per node (parents before children)."""
    return download(
        definitions_workbook(_chains()),
        "产业链定义.xlsx",
        "chain-definitions.xlsx",
        XLSX_MIMETYPE,
    )


def import_file():
    """Load chain definitions; chains that already exist are skipped; any error: nothing."""
    form = DefinitionsForm()
    back = redirect(url_for("chains.index"))
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return back
    upload = form.file.data
    suffix = os.path.splitext(upload.filename or "")[1].lower()
    if suffix not in (".json", ".xlsx"):
        flash(_("只支持 .json 和 .xlsx 文件"), "danger")
        return back
    with tempfile.TemporaryDirectory(prefix="crm-chains-") as folder:
        path = os.path.join(folder, "definitions" + suffix)
        upload.save(path)
        try:
            result = import_definitions(read_definitions_file(path))
        except (ChainImportError, TabularError) as exc:
            db.session.rollback()
            flash(_("没有导入任何产业链：%(reason)s", reason=str(exc)), "danger")
            return back
        except Exception:  # a damaged workbook: openpyxl raises many kinds
            log.exception("chain definitions upload could not be read")
            db.session.rollback()
            flash(_("无法读取该文件，请确认是导出的 .json 或 .xlsx 格式"), "danger")
            return back
    record_audit("import", "chain", None, result, actor=current_user)
    db.session.commit()
    flash(
        _(
            "已导入产业链 %(created)s 条，跳过已有的 %(skipped)s 条",
            created=result["created"],
            skipped=result["skipped"],
        ),
        "success",
    )
    return back


def register(bp: Blueprint) -> None:
    """Attach the definition routes to the chains blueprint."""
    bp.add_url_rule("/definitions.json", "export_json", allow(*SIGNED_IN)(export_json))
    bp.add_url_rule("/definitions.xlsx", "export_xlsx", allow(*SIGNED_IN)(export_xlsx))
    bp.add_url_rule("/definitions", "import_file", allow(*OWNERS)(import_file), methods=["POST"])
