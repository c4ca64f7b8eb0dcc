"""Reminder pages: my follow-ups, preferences, previews, outbox and failures."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reminders", __name__, url_prefix="/reminders")
