"""API: projects, stage changes, events and activities."""

from __future__ import annotations

from flask_smorest import Blueprint

from crm.api.base import API_PREFIX

bp = Blueprint("api_projects", __name__, url_prefix=API_PREFIX, description="项目库与阶段")
