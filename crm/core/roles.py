"""Role codes and their Chinese labels."""

from __future__ import annotations

ROLES = ("staff", "manager", "coordinator", "viewer", "admin")
ZONE_ROLES = ("staff", "manager")
CITY_ROLES = ("coordinator", "viewer", "admin")
ROLE_LABELS = {
    "staff": "招商专员",
    "manager": "开发区负责人",
    "coordinator": "市级统筹",
    "viewer": "市领导（只读）",
    "admin": "系统管理员",
}
