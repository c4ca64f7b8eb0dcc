"""The navigation bar, by role."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_pgettext as _p  # menu labels: context "nav", short English
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: tuple[str, ...]
    area_home: bool = True  # marks the pages of its blueprint without an item of their own

    @property
    def prefix(self) -> str:
        return self.endpoint.split(".")[0] + "."


ALL = ("staff", "manager", "coordinator", "viewer", "admin")
NAV = [
    NavItem("core.index", _p("nav", "首页"), ALL),
    NavItem("reminders.mine", _p("nav", "我的跟进"), ("staff", "manager")),
    NavItem("quotas.index", _p("nav", "年度目标"), ALL),
    NavItem("targets.index", _p("nav", "目标企业"), ALL),
    NavItem("targets.conflicts", _p("nav", "跨区协调"), ALL, area_home=False),
    NavItem("projects.board", _p("nav", "项目看板"), ALL, area_home=False),
    NavItem("projects.index", _p("nav", "项目库"), ALL),
    NavItem("reporting.index", _p("nav", "月报报送"), ALL),
    NavItem("chains.index", _p("nav", "产业链图谱"), ALL),
    NavItem("land.index", _p("nav", "用地载体"), ALL),
    NavItem("instructions.index", _p("nav", "批示督办"), ALL),
    NavItem("imports.index", _p("nav", "导入导出"), ("staff", "manager", "coordinator", "admin")),
    NavItem("zones.index", _p("nav", "开发区"), ALL),
    NavItem("admin.users", _p("nav", "系统管理"), ("admin",)),
]


def nav_items() -> list[NavItem]:
    """The items the current user may open."""
    role = getattr(current_user, "role", None)
    endpoints = current_app.view_functions
    return [item for item in NAV if role in item.roles and item.endpoint in endpoints]


def active_endpoint(items: list[NavItem], endpoint: str | None) -> str | None:
    """The one item to mark for the page: its own item, else its area's (a target's page
    marks 目标企业, not 跨区协调)."""
    if not endpoint:
        return None
    if any(item.endpoint == endpoint for item in items):
        return endpoint
    area = endpoint.split(".")[0] + "."
    return next((i.endpoint for i in items if i.area_home and i.prefix == area), None)
