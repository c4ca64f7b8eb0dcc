"""Quota pages: the tiers per zone and year, edited by coordinators."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("quotas", __name__, url_prefix="/quotas")
