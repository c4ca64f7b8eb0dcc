"""The navigation bar, by role."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: tuple[str, ...]

    @property
    def prefix(self) -> str:
        return self.endpoint.split(".")[0] + "."


ALL = ("staff", "manager", "coordinator", "viewer", "admin")
NAV = [
    NavItem("core.index", _l("首页"), ALL),
    NavItem("reminders.mine", _l("我的跟进"), ("staff", "manager")),
    NavItem("quotas.index", _l("年度目标"), ALL),
    NavItem("targets.index", _l("目标企业"), ALL),
    NavItem("targets.conflicts", _l("跨区协调"), ALL),
    NavItem("projects.board", _l("项目看板"), ALL),
    NavItem("projects.index", _l("项目库"), ALL),
    NavItem("chains.index", _l("产业链图谱"), ALL),
    NavItem("imports.index", _l("导入导出"), ("staff", "manager", "coordinator", "admin")),
    NavItem("zones.index", _l("开发区"), ALL),
    NavItem("admin.users", _l("系统管理"), ("admin",)),
]


def nav_items() -> list[NavItem]:
    """The items the current user may open."""
    role = getattr(current_user, "role", None)
    endpoints = current_app.view_functions
    return [item for item in NAV if role in item.roles and item.endpoint in endpoints]
