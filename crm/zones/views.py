"""The zone list every signed-in user can read."""

from __future__ import annotations

from flask import Blueprint, render_template

from crm.core.access import SIGNED_IN, allow
from crm.zones.services import visible_zones

bp = Blueprint("zones", __name__, url_prefix="/zones")


@bp.get("/")
@allow(*SIGNED_IN)
def index():
    """All active zones in display order."""
    return render_template("zones/index.html", zones=visible_zones())
