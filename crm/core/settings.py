"""Typed rule settings: defaults and types in code, overrides in the ``setting`` table."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.audit import record_audit
from crm.core.models import Setting
from crm.extensions import db


@dataclass(frozen=True)
class SettingDef:
    key: str
    kind: type
    default: Any
    label: str
    minimum: int | None = None
    maximum: int | None = None


REGISTRY: dict[str, SettingDef] = {}


def define_setting(key: str, kind: type, default: Any, label: str, **bounds: int) -> SettingDef:
    """Declare a setting; areas call this at import time with their defaults."""
    definition = SettingDef(key, kind, default, label, **bounds)
    REGISTRY[key] = definition
    return definition


define_setting("session.idle_minutes", int, 120, "会话空闲超时（分钟）", minimum=5, maximum=1440)
define_setting("session.absolute_hours", int, 12, "会话最长时长（小时）", minimum=1, maximum=168)


class SettingError(ValueError):
    """A setting value of the wrong type or out of bounds."""


def _coerce(definition: SettingDef, value: Any) -> Any:
    if definition.kind is bool:
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "on", "是"}
        return bool(value)
    if definition.kind is int:
        try:
            number = int(str(value).strip())
        except ValueError as exc:
            raise SettingError(_l("%(label)s：请输入整数", label=definition.label)) from exc
        if definition.minimum is not None and number < definition.minimum:
            raise SettingError(
                _l(
                    "%(label)s：不能小于 %(minimum)s",
                    label=definition.label,
                    minimum=definition.minimum,
                )
            )
        if definition.maximum is not None and number > definition.maximum:
            raise SettingError(
                _l(
                    "%(label)s：不能大于 %(maximum)s",
                    label=definition.label,
                    maximum=definition.maximum,
                )
            )
        return number
    if definition.kind in (list, dict):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise SettingError(
                    _l("%(label)s：请输入 JSON 格式", label=definition.label)
                ) from exc
        if not isinstance(value, definition.kind):
            raise SettingError(_l("%(label)s：格式不正确", label=definition.label))
        return value
    return definition.kind(value)


def _cache() -> dict[str, Any]:
    if not has_app_context():
        return {}
    if "settings_cache" not in g:
        g.settings_cache = {}
    return g.settings_cache


def get_setting(key: str) -> Any:
    """The current value of a setting (stored override, else the default).

    All stored overrides are read in one query per request (or app context) and cached.
    """
    cache = _cache()
    if "__loaded__" not in cache:
        cache.update({row.key: row.value for row in db.session.scalars(select(Setting))})
        cache["__loaded__"] = True
    if key in cache:
        return cache[key]
    return REGISTRY[key].default


def set_setting(key: str, raw: Any, actor: Any) -> Any:
    """Validate and store a setting value, audited; the caller commits."""
    definition = REGISTRY.get(key)
    if definition is None:
        raise SettingError(_l("未知的设置项：%(key)s", key=key))
    value = _coerce(definition, raw)
    old = get_setting(key)
    row = db.session.get(Setting, key)
    if row is None:
        row = Setting(key=key)
        db.session.add(row)
    row.value = value
    row.updated_by_id = getattr(actor, "id", None)
    _cache()[key] = value
    if old != value:
        record_audit("update", "setting", key, {key: [old, value]}, actor=actor)
    return value


def display_value(key: str, value: Any) -> str:
    """A setting value as the admin form shows it (JSON for lists and mappings)."""
    if REGISTRY[key].kind in (list, dict) and not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
