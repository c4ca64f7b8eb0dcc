"""Seed data of the enterprise area: the GB/T 4754-2017 门类 and 大类."""

from __future__ import annotations

from functools import cache

from flask_babel import get_locale
from sqlalchemy import select

from crm.core.i18n import label
from crm.enterprises.gb_industries import DIVISIONS, SECTIONS
from crm.enterprises.models import IndustryClass
from crm.extensions import db


def industry_rows() -> list[dict[str, str]]:
    sections = [{"code": code, "name": name, "section": ""} for code, name in SECTIONS.items()]
    divisions = [
        {"code": code, "name": name, "section": section}
        for code, (section, name) in DIVISIONS.items()
    ]
    return sections + divisions


def seed_industry_classes() -> int:
    """Add the classes that are missing (idempotent)."""
    known = set(db.session.scalars(select(IndustryClass.code)))
    rows = [IndustryClass(**row) for row in industry_rows() if row["code"] not in known]
    db.session.add_all(rows)
    db.session.flush()
    return len(rows)


def industry_class_choices() -> tuple[tuple[str, str], ...]:
    """(code, label) of the seeded classes for a filter: each 门类, then its 大类 indented.

    Read from the seed itself (the table holds exactly these rows, nothing else writes it),
    once per process and language: the target list shows this filter on every page."""
    return _industry_class_choices(str(get_locale() or ""))


@cache
def _industry_class_choices(_locale: str) -> tuple[tuple[str, str], ...]:
    choices = []
    for section, name in sorted(SECTIONS.items()):
        choices.append((section, f"{section} {label(name)}"))
        choices += [
            (code, f"\u00a0\u00a0{code} {label(division)}")
            for code, (of, division) in sorted(DIVISIONS.items())
            if of == section
        ]
    return tuple(choices)
