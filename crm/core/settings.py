"""Typed rule settings: defaults and types in code, overrides in the ``setting`` table."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import g, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.audit import record_audit
from crm.core.models import Setting
from crm.extensions import db

Choices = Callable[[], Iterable[tuple[str, Any]]]


@dataclass(frozen=True)
class SettingDef:
    """A setting: its type, default, label and help text (lazy-translated), and what the admin
    form needs to render it — bounds of a number (of each value, for a mapping), the choices of
    a text setting, the rows of a mapping (key and label), whether a row may stay empty."""

    key: str
    kind: type
    default: Any
    label: Any
    minimum: int | None = None
    maximum: int | None = None
    help: Any = ""
    choices: Choices | None = None
    rows: Choices | None = None
    item_kind: type = str
    blank_item: Any = None  # a mapping's value for a row left empty; None: the row is required

    def choice_list(self) -> list[tuple[str, Any]]:
        return list(self.choices()) if self.choices else []

    def row_list(self) -> list[tuple[str, Any]]:
        if self.rows:
            return list(self.rows())
        return [(str(k), str(k)) for k in (self.default or {})]


REGISTRY: dict[str, SettingDef] = {}
SECTIONS: dict[str, Any] = {}


def define_setting(
    key: str, kind: type, default: Any, label: Any, help: Any = "", **options: Any
) -> SettingDef:
    """Declare a setting; areas call this at import time with their defaults. ``label`` and
    ``help`` are lazy-translated strings; ``options`` are the other fields of ``SettingDef``."""
    definition = SettingDef(key, kind, default, label, help=help, **options)
    REGISTRY[key] = definition
    return definition


def define_section(prefix: str, label: Any) -> None:
    """Name the group of settings whose keys start with ``prefix.`` on the admin page."""
    SECTIONS[prefix] = label


define_section("session", _l("登录会话"))
define_setting(
    "session.idle_minutes",
    int,
    120,
    _l("会话空闲超时（分钟）"),
    _l("多久没有操作后需要重新登录。"),
    minimum=5,
    maximum=1440,
)
define_setting(
    "session.absolute_hours",
    int,
    12,
    _l("会话最长时长（小时）"),
    _l("登录后最多保持多少小时，到时无论是否在操作都需要重新登录。"),
    minimum=1,
    maximum=168,
)


class SettingError(ValueError):
    """A setting value of the wrong type or out of bounds."""


def _number(definition: SettingDef, value: Any, label: Any) -> int:
    text = str(value).strip()
    if not (text.isascii() and text.lstrip("-").isdigit() and len(text) <= 12):
        raise SettingError(_("%(label)s：请输入整数", label=label))
    number = int(text)
    if definition.minimum is not None and number < definition.minimum:
        raise SettingError(_("%(label)s：不能小于 %(n)s", label=label, n=definition.minimum))
    if definition.maximum is not None and number > definition.maximum:
        raise SettingError(_("%(label)s：不能大于 %(n)s", label=label, n=definition.maximum))
    return number


def _mapping(definition: SettingDef, value: dict) -> dict:
    rows = dict(definition.row_list())
    result = {}
    for key, item in value.items():
        if rows and key not in rows:
            raise SettingError(_("%(label)s：未知的项目 %(key)s", label=definition.label, key=key))
        label = f"{definition.label} · {rows.get(key, key)}"
        blank = item is None or (isinstance(item, str) and not item.strip())
        if blank and definition.blank_item is None:
            raise SettingError(_("%(label)s：不能为空", label=label))
        if blank:
            result[key] = definition.blank_item
        elif definition.item_kind is int:
            result[key] = _number(definition, item, label)
        else:
            text = str(item).strip()
            if len(text) > 50:
                raise SettingError(_("%(label)s：不能超过 50 个字", label=label))
            result[key] = text
    return result


def _coerce(definition: SettingDef, value: Any) -> Any:
    if definition.kind is bool:
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "on", "是"}
        return bool(value)
    if definition.kind is int:
        return _number(definition, value, definition.label)
    if definition.kind in (list, dict):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise SettingError(_("%(label)s：格式不正确", label=definition.label)) from exc
        if not isinstance(value, definition.kind):
            raise SettingError(_("%(label)s：格式不正确", label=definition.label))
        if definition.kind is dict:
            return _mapping(definition, value)
        return [str(item).strip() for item in value if str(item).strip()]
    text = str(value).strip()
    choices = definition.choice_list()
    if choices and text not in {code for code, _label in choices}:
        raise SettingError(_("%(label)s：请从列表中选择", label=definition.label))
    return text


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
        raise SettingError(_("未知的设置项：%(key)s", key=key))
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
