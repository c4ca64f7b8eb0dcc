"""Where uploaded import files live: ``UPLOAD_DIR/imports``, under random names, never served."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from crm.imports.models import ImportBatch

EXTENSIONS = (".xlsx", ".csv")


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def batch_path(batch: ImportBatch) -> Path:
    return upload_dir() / batch.stored_path


def store_upload(upload: FileStorage) -> tuple[str, str]:
    """Save the upload under a random name; (stored name, sha256)."""
    extension = os.path.splitext(upload.filename or "")[1].lower()
    name = secrets.token_hex(16) + (extension if extension in EXTENSIONS else ".bin")
    digest = hashlib.sha256()
    with (upload_dir() / name).open("wb") as out:
        while chunk := upload.stream.read(1 << 16):
            digest.update(chunk)
            out.write(chunk)
    return name, digest.hexdigest()
