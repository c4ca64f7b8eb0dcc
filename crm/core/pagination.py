"""Pagination of SELECT statements with a bounded page size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from crm.core.boundary import MAX_INT, parse_int
from crm.extensions import db

MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000  # keeps the OFFSET inside a database integer


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int
    cap: int | None = None  # the count stopped here: "1 000+" (a common search term)

    @property
    def capped(self) -> bool:
        return self.cap is not None and self.total > self.cap

    @property
    def pages(self) -> int:
        total = min(self.total, self.cap) if self.capped else self.total
        return max(1, -(-total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _int_arg(name: str, default: int) -> int:
    number = parse_int(request.args.get(name), minimum=-MAX_INT, maximum=MAX_INT)
    return default if number is None else number


def paginate(
    stmt: Select, per_page: int = 50, count: Select | None = None, cap: int | None = None
) -> Page:
    """One page of ``stmt`` (page and per_page from the query string, clamped). ``count`` is a
    cheaper statement giving the same total, when the caller has one; ``cap`` says that it
    counts at most ``cap + 1`` rows (the pages then end at ``cap``)."""
    page = min(MAX_PAGE, max(1, _int_arg("page", 1)))
    per_page = min(MAX_PER_PAGE, max(1, _int_arg("per_page", per_page)))
    if count is None:
        count = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = db.session.scalar(count)
    items = db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, per_page, total or 0, cap)
