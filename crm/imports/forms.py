"""Import forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField


class UploadForm(FlaskForm):
    """A spreadsheet, what it holds (target list or project ledger) and where it goes (zone
    users: their own zone only)."""

    kind = SelectField(_l("导入内容"), choices=[], validate_choice=False)
    file = FileField(
        _l("文件（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择要导入的文件"))]
    )
    # The zone is checked by the service (crm.imports.services.resolve_zone), which names the
    # rule in its message; the choices only offer what the user may pick.
    zone = SelectField(_l("导入到"), choices=[], validate_choice=False)


class ActionForm(FlaskForm):
    """CSRF only: commit and revert buttons."""
