"""Home page, about page and health check."""

from __future__ import annotations

from ipaddress import ip_address

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user

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


def _sees_health_details() -> bool:
    """Admins, and a probe on this machine that did not come through a proxy."""
    if current_user.is_authenticated and current_user.role == "admin":
        return True
    forwarded = request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded")
    try:
        return not forwarded and ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


@bp.get("/healthz")
@public
def healthz():
    """ok / error for anyone (503 when the database is down); the details for admins and
    the local monitoring probe: database, broker and the last beat, worker and scan times."""
    report = health()
    code = 200 if report["status"] == "ok" else 503
    if not _sees_health_details():
        report = {"status": report["status"]}
    return jsonify(report), code
