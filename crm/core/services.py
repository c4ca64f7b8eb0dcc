"""Health checks and heartbeats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select, text

from crm.core.models import Heartbeat
from crm.core.timeutil import utcnow
from crm.extensions import db


def record_heartbeat(name: str) -> None:
    """Store 'now' under ``name`` and commit (called from tasks)."""
    row = db.session.get(Heartbeat, name)
    if row is None:
        db.session.add(Heartbeat(name=name, at=utcnow()))
    else:
        row.at = utcnow()
    db.session.commit()


def last_heartbeats() -> dict[str, datetime]:
    return {row.name: row.at for row in db.session.scalars(select(Heartbeat))}


def check_database() -> dict[str, Any]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 — any failure means "down"
        db.session.rollback()
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "dialect": db.engine.dialect.name}


def check_broker() -> dict[str, Any]:
    celery_app = current_app.extensions["celery"]
    url = celery_app.conf.broker_url or ""
    transport = url.split(":", 1)[0]
    if transport == "memory":
        return {"ok": True, "transport": transport}
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001 — any failure means "down"
        return {"ok": False, "transport": transport, "error": exc.__class__.__name__}
    return {"ok": True, "transport": transport}


def health() -> dict[str, Any]:
    """The state of the database, the broker and the last beat tick."""
    database = check_database()
    beats = last_heartbeats() if database["ok"] else {}
    return {
        "status": "ok" if database["ok"] else "error",
        "database": database,
        "broker": check_broker(),
        "last_beat": beats["beat"].isoformat() + "Z" if "beat" in beats else None,
        "last_worker_ping": beats["worker"].isoformat() + "Z" if "worker" in beats else None,
        "last_reminder_scan": (
            beats["reminder_scan"].isoformat() + "Z" if "reminder_scan" in beats else None
        ),
    }
