"""Sections other areas add to the project page (the monthly progress card, candidate land, …).

An area that builds on projects registers a function here when it is imported
(:func:`register_section`); the project page renders each in order and never imports the area.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

# f(project, user, writable) → the section's HTML
SECTIONS: list[Callable[[Any, Any, bool], str]] = []
# f(project) → the project's fields another area keeps (read-only on the edit form, and never
# overwritten by a project edit, the ledger import or the API)
MAINTAINED: list[Callable[[Any], set[str]]] = []


def register_section(render: Callable[[Any, Any, bool], str]) -> Callable[[Any, Any, bool], str]:
    """Add a section to the project page (idempotent)."""
    if render not in SECTIONS:
        SECTIONS.append(render)
    return render


def render_sections(project: Any, user: Any, writable: bool) -> list[Markup]:
    """The registered sections' HTML for one project page."""
    return [Markup(render(project, user, writable)) for render in SECTIONS]  # noqa: S704


def maintained_fields(project: Any) -> set[str]:
    """The fields of ``project`` that registered areas keep (none for a new project)."""
    if project is None or getattr(project, "id", None) is None:
        return set()
    return set().union(*(fields(project) for fields in MAINTAINED))


# (template name, f(project, user, writable) → the section's context, None to leave it out):
# sections of the page's side column, included in the page's own context (``project``, …)
SIDE_SECTIONS: list[tuple[str, Callable[[Any, Any, bool], Any]]] = []


def register_side_section(template: str, context: Callable[[Any, Any, bool], Any]) -> None:
    """Add a side-column section: ``template`` is included with ``section`` = its context."""
    if all(existing != template for existing, _fn in SIDE_SECTIONS):
        SIDE_SECTIONS.append((template, context))


def side_sections(project: Any, user: Any, writable: bool) -> list[tuple[str, Any]]:
    """(template, context) of every registered side section that has something to show."""
    shown = []
    for template, context in SIDE_SECTIONS:
        data = context(project, user, writable)
        if data is not None:
            shown.append((template, data))
    return shown
