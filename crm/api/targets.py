"""API: enterprises, targets and their activities."""

from __future__ import annotations

from flask_smorest import Blueprint

from crm.api.base import API_PREFIX

bp = Blueprint("api_targets", __name__, url_prefix=API_PREFIX, description="企业与目标企业清单")
