"""The ``reminders`` blueprint, shared by the user pages and the admin pages."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reminders", __name__, url_prefix="/reminders")
