"""Sections other areas add to a record's page: a project's or a target's detail page calls
``page_sections("project", project)`` and shows what the registered functions render there.

An area registers ``f(record) -> str | Markup`` (usually ``render_template`` of its own
partial) with :func:`register_section` from a module listed in its ``Area.registers``; the
page's own area never names it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

_SECTIONS: dict[str, list[Callable[[Any], Any]]] = {}


def register_section(page: str, render: Callable[[Any], Any]) -> None:
    """Add ``render(record)`` to the pages of kind ``page`` (once per function)."""
    renders = _SECTIONS.setdefault(page, [])
    if render not in renders:
        renders.append(render)


def page_sections(page: str, record: Any) -> Markup:
    """The registered sections of a page, in order of registration."""
    # each render is a rendered template (escaped by Jinja), hence markup already
    parts = (Markup(render(record)) for render in _SECTIONS.get(page, []))  # noqa: S704
    return Markup("").join(parts)
