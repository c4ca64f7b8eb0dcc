"""Progress of a running validation or commit, kept in a small JSON file beside the upload.

The import's own transaction is invisible to other connections until it commits (and SQLite
would block a second writer), so the page's progress bar reads this file instead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from crm.imports.models import ImportBatch
from crm.imports.storage import upload_dir


def _progress_file(batch: ImportBatch) -> Path:
    return upload_dir() / f"{batch.id}.progress.json"


def write_progress(batch: ImportBatch, phase: str, done: int) -> None:
    path = _progress_file(batch)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"phase": phase, "done": done}))
    os.replace(temporary, path)


def clear_progress(batch: ImportBatch) -> None:
    _progress_file(batch).unlink(missing_ok=True)


def progress(batch: ImportBatch) -> dict[str, Any]:
    """Where a batch stands, for the page's progress bar."""
    running = batch.status in ("validating", "committing")
    phase, done = "validating", batch.processed_rows
    if running:
        try:
            state = json.loads(_progress_file(batch).read_text())
            phase, done = state["phase"], int(state["done"])
        except (OSError, ValueError, KeyError):
            phase, done = "validating", 0
    total = max(batch.total_rows, 1)
    share = min(done / total, 1.0)
    if batch.status == "committing":
        share = share / 2 + (0.5 if phase == "writing" else 0)
    percent = round(share * 100) if running else 100
    return {
        "status": batch.status,
        "phase": phase,
        "done": done,
        "total": batch.total_rows,
        "percent": min(percent, 99) if running else percent,
        "finished": not running,
    }
