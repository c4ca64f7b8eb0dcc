"""Home page, about page and health check."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from crm import __version__
from crm.core.access import SIGNED_IN, allow, public
from crm.core.services import health

bp = Blueprint("core", __name__)


@bp.get("/")
@allow(*SIGNED_IN)
def index():
    """The home page: the zone dashboard for managers and staff, the city's for the rest (the
    page an area registers as its ``home`` in crm/areas.py)."""
    return current_app.extensions["crm.home"]()


@bp.get("/about")
@allow(*SIGNED_IN)
def about():
    """Version information (also the benchmark floor: a trivial signed-in page)."""
    return render_template("core/about.html", version=__version__)


@bp.get("/healthz")
@public
def healthz():
    """Database, broker and beat state as JSON (503 when the database is down)."""
    report = health()
    return jsonify(report), 200 if report["status"] == "ok" else 503
