"""Seed data of the enterprise area: the GB/T 4754-2017 门类 and 大类."""

from __future__ import annotations

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


def industry_class_choices() -> list[tuple[str, str]]:
    """(code, label) of the seeded classes for a filter: each 门类, then its 大类 indented."""
    rows = db.session.execute(
        select(IndustryClass.code, IndustryClass.name, IndustryClass.section)
    ).all()
    sections = sorted((r for r in rows if not r.section), key=lambda r: r.code)
    divisions = sorted((r for r in rows if r.section), key=lambda r: r.code)
    choices = []
    for section in sections:
        choices.append((section.code, f"{section.code} {label(section.name)}"))
        choices += [
            (d.code, f"\u00a0\u00a0{d.code} {label(d.name)}")
            for d in divisions
            if d.section == section.code
        ]
    return choices
