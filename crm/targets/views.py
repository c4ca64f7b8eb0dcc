"""Target list pages (filled in by the target-list UI work)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("targets", __name__, url_prefix="/targets")
