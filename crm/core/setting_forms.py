"""The admin form of the rule settings: one field per setting, rendered by its type.

A number is a number input with its bounds, a yes/no setting a switch, a text setting with
choices a select, a mapping a table of rows (one input per key, e.g. per stage), a list rows of
inputs. Field names: the setting's key, ``key[row]`` for a mapping's row, ``key[]`` for list
items. What the form posted is read back into raw values for :func:`set_setting` (which
validates); a mapping posted as JSON text under its key is still accepted (scripts, old forms).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crm.core.settings import REGISTRY, SECTIONS, SettingDef, get_setting

LIST_BLANK_ROWS = 3  # empty rows offered below a list's items


@dataclass
class SettingField:
    definition: SettingDef
    widget: str  # number | switch | select | text | rows | list
    value: Any  # what the input shows (posted text after an error, else the current value)
    error: str = ""
    choices: list[tuple[str, Any]] = field(default_factory=list)
    rows: list[tuple[str, Any, Any]] = field(default_factory=list)  # (key, label, value)

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def numeric_items(self) -> bool:
        return self.definition.item_kind is int

    @property
    def dom_id(self) -> str:
        return "s-" + self.key.replace(".", "-")


@dataclass
class SettingSection:
    label: Any
    fields: list[SettingField]


def _widget(definition: SettingDef) -> str:
    if definition.kind is bool:
        return "switch"
    if definition.kind is int:
        return "number"
    if definition.kind is dict:
        return "rows"
    if definition.kind is list:
        return "list"
    return "select" if definition.choices else "text"


def posted_values(form: Any) -> dict[str, Any]:
    """The raw value of every setting the form carries, by key."""
    values: dict[str, Any] = {}
    for key, definition in REGISTRY.items():
        if definition.kind is dict:
            prefix = f"{key}["
            rows = {
                name[len(prefix) : -1]: form.get(name)
                for name in form
                if name.startswith(prefix) and name.endswith("]")
            }
            if rows:
                values[key] = rows
            elif key in form:
                values[key] = form.get(key)
        elif definition.kind is list:
            if f"{key}[]" in form:
                values[key] = form.getlist(f"{key}[]")
            elif key in form:
                values[key] = form.get(key)
        elif definition.kind is bool:
            if key in form:  # a hidden "0" before the switch's "1": the last one wins
                values[key] = form.getlist(key)[-1]
        elif key in form:
            values[key] = form.get(key)
    return values


def setting_sections(posted: dict[str, Any], errors: dict[str, str]) -> list[SettingSection]:
    """The form's fields grouped by section (the key's first part), in declaration order."""
    sections: dict[str, SettingSection] = {}
    for key, definition in REGISTRY.items():
        prefix = key.split(".", 1)[0]
        section = sections.setdefault(prefix, SettingSection(SECTIONS.get(prefix, prefix), []))
        current = posted[key] if key in posted else get_setting(key)
        item = SettingField(definition, _widget(definition), current, errors.get(key, ""))
        if item.widget == "select":
            item.choices = definition.choice_list()
        elif item.widget == "rows":
            values = current if isinstance(current, dict) else get_setting(key)
            defaults = definition.default or {}
            item.rows = [
                (row, label, values.get(row, defaults.get(row, "")))
                for row, label in definition.row_list()
            ]
        elif item.widget == "list":
            items = current if isinstance(current, list) else list(get_setting(key) or [])
            item.value = [*items, *([""] * LIST_BLANK_ROWS)]
        elif item.widget == "switch" and isinstance(current, str):
            item.value = current in ("1", "true", "on")
        section.fields.append(item)
    return list(sections.values())
