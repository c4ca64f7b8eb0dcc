"""One cell of an uploaded file as text: cleaning, numbers as typed, formula cells."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_CJK = r"\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")


class TabularError(ValueError):
    """An uploaded file or cell that cannot be read; the message is for the user."""


def clean_cell(value: Any) -> str:
    """NFKC-fold a cell, strip it, drop spaces between Chinese characters, collapse others.

    Line breaks inside a cell are kept (one per line, blank lines dropped).
    """
    if value is None:
        return ""
    text = str(value)
    # the common case, checked in C: one printable line (no zero-width or control characters,
    # no line breaks) already in NFKC form — only spaces may need collapsing
    if text.isprintable() and unicodedata.is_normalized("NFKC", text):
        return " ".join(_CJK_GAP.sub("", text).split()) if " " in text else text
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    lines = (" ".join(_CJK_GAP.sub("", line).split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


class Uncomputed(str):
    """A formula cell without a cached result (a workbook written by a program and never
    opened in Excel): blank text, so it reads as empty, but the importers can tell it apart
    and say why (``is_uncomputed``)."""

    __slots__ = ()


UNCOMPUTED = Uncomputed("")


class FormulaRow(list):
    """A row holding at least one ``UNCOMPUTED`` cell (so other rows are checked for free)."""

    __slots__ = ()


def is_uncomputed(cell: str) -> bool:
    return isinstance(cell, Uncomputed)


def number_text(value: int | float | Decimal) -> str:
    """A number as typed: integers without ".0", no exponent notation."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def cell_text(value: Any) -> str:
    """An openpyxl cell value as the string a user would see."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, int | float | Decimal):
        return number_text(value)
    return clean_cell(value)


def trimmed(cells: Iterable[str]) -> list[str]:
    """The row without trailing blank cells."""
    row = list(cells)
    while row and not row[-1] and not isinstance(row[-1], Uncomputed):
        row.pop()
    return row
