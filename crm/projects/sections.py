"""Sections other areas add to the project page (a land area's candidate parcels, …).

An area above projects registers a template and a function giving its context when imported
(``register_section``); the project page renders every registered section in order and never
imports those areas.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# (template name, f(project, user, writable) → the section's context, None to leave it out)
SECTIONS: list[tuple[str, Callable[[Any, Any, bool], Any]]] = []


def register_section(template: str, context: Callable[[Any, Any, bool], Any]) -> None:
    if all(existing != template for existing, _fn in SECTIONS):
        SECTIONS.append((template, context))


def project_sections(project: Any, user: Any, writable: bool) -> list[tuple[str, Any]]:
    """(template, context) of every registered section that has something to show."""
    shown = []
    for template, context in SECTIONS:
        data = context(project, user, writable)
        if data is not None:
            shown.append((template, data))
    return shown
