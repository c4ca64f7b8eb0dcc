"""Project attachments: type checked by content, stored outside static/ under a random name.

Accepted: PDF, PNG, JPEG, and Office documents (.docx, .xlsx, without macros). The type is read
from the file's first bytes (and, for Office files, its zip directory); the extension must agree
with it, so an executable or a web page renamed ``.pdf`` is refused. Files live in
``UPLOAD_DIR/projects/`` and are only served by a route that goes through the access scope.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
import zipfile
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l

from crm.core.audit import record_audit
from crm.core.timeutil import utcnow
from crm.extensions import db
from crm.projects.models import Attachment, Project

KINDS = {  # extension → (content type, label)
    "pdf": ("application/pdf", "PDF"),
    "png": ("image/png", "PNG"),
    "jpg": ("image/jpeg", "JPEG"),
    "jpeg": ("image/jpeg", "JPEG"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
}
OFFICE_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")
MAX_ZIP_ENTRIES = 2000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")
_STORED_NAME = re.compile(r"[0-9a-f]{32}\.(?:pdf|png|jpg|docx|xlsx)")


class AttachmentError(ValueError):
    """An upload that is refused; the message is for the user."""


def upload_dir() -> Path:
    configured = current_app.config.get("UPLOAD_DIR")
    base = Path(configured) if configured else Path(current_app.instance_path) / "uploads"
    return base / "projects"


def max_bytes() -> int:
    return int(
        current_app.config.get("ATTACHMENT_MAX_BYTES")
        or current_app.config.get("MAX_CONTENT_LENGTH")
        or 20 * 1024 * 1024
    )


def clean_filename(name: str) -> str:
    """The user's file name without folders or control characters (shown and downloaded)."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("", name).strip().strip(".")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext) if dot and len(ext) <= 8 else name[:200]
    return name or "附件"


def _check_office(data: bytes, ext: str) -> None:
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise AttachmentError(_l("文件内容不是有效的 Office 文档")) from exc
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNCOMPRESSED:
        raise AttachmentError(_l("Office 文档解压后过大或内部文件过多，已拒绝"))
    names = {entry.filename for entry in entries}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise AttachmentError(_l("文档包含宏，出于安全原因已拒绝，请另存为不含宏的 .docx / .xlsx"))
    if "[Content_Types].xml" not in names or OFFICE_PART[ext] not in names:
        label = KINDS[ext][1]
        raise AttachmentError(_l("文件内容与扩展名不符：不是有效的 %(label)s 文档", label=label))


def detect_kind(data: bytes, filename: str) -> str:
    """The checked extension of an upload (pdf, png, jpg, docx, xlsx), else AttachmentError."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in KINDS:
        raise AttachmentError(_l("只能上传 PDF、图片（PNG/JPG）或 Office 文档（.docx/.xlsx）"))
    if not data:
        raise AttachmentError(_l("文件是空的"))
    if data.startswith(EXECUTABLE_MAGIC):
        raise AttachmentError(_l("文件是可执行程序或脚本，已拒绝"))
    if ext == "pdf":
        ok = data.startswith(b"%PDF-")
    elif ext == "png":
        ok = data.startswith(b"\x89PNG\r\n\x1a\n")
    elif ext in ("jpg", "jpeg"):
        ok = data.startswith(b"\xff\xd8\xff")
    else:
        ok = data.startswith(b"PK\x03\x04")
        if ok:
            _check_office(data, ext)
    if not ok:
        raise AttachmentError(
            _l("文件内容与扩展名不符：不是有效的 %(value)s 文件", value=KINDS[ext][1])
        )
    return "jpg" if ext == "jpeg" else ext


def save_attachment(project: Project, stream: IO[bytes], filename: str, actor: Any) -> Attachment:
    """Check and store an uploaded file for a project (the caller commits)."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise AttachmentError(
            _l("文件过大，单个附件不能超过 %(value)s MB", value=limit // (1024 * 1024))
        )
    name = clean_filename(filename)
    kind = detect_kind(data, name)
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{kind}"
    path = folder / stored_name
    with open(path, "xb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)
    attachment = Attachment(
        project_id=project.id,
        filename=name,
        stored_name=stored_name,
        content_type=KINDS[kind][0],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=actor.id,
    )
    db.session.add(attachment)
    db.session.flush()
    record_audit(
        "upload",
        "attachment",
        attachment.id,
        {"project_id": project.id, "filename": name, "size": len(data)},
        actor=actor,
    )
    return attachment


def attachment_path(attachment: Attachment) -> Path:
    """Where the stored file is (its name is ours: random hex and a checked extension)."""
    if not _STORED_NAME.fullmatch(attachment.stored_name):
        raise FileNotFoundError(attachment.stored_name)
    return upload_dir() / attachment.stored_name


def delete_attachment(attachment: Attachment, actor: Any) -> None:
    """Hide an attachment (the file is kept so an admin can restore it; audited)."""
    attachment.deleted_at = utcnow()
    record_audit(
        "delete",
        "attachment",
        attachment.id,
        {"project_id": attachment.project_id, "filename": attachment.filename},
        actor=actor,
    )
