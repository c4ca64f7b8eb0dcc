"""Database refusals as answers: a lost race is a conflict (409), a value the column cannot hold
is bad input (422), never a 500.

Services turn the races they expect into their own errors with :func:`conflict_as` (the
loser of two simultaneous creations gets the same answer as the second of two sequential
ones); the app maps whatever still reaches it with :func:`http_error`, on every route.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict, HTTPException, UnprocessableEntity

from crm.extensions import db

REFUSALS = (StaleDataError, IntegrityError, DataError, OverflowError)
_SQLSTATES = {"23505": "unique", "23503": "foreign_key", "23502": "not_null", "23514": "check"}
_SQLITE_KINDS = {
    "UNIQUE": "unique",
    "FOREIGN KEY": "foreign_key",
    "NOT NULL": "not_null",
    "CHECK": "check",
}
_SQLITE_RE = re.compile(r"(UNIQUE|FOREIGN KEY|NOT NULL|CHECK) constraint failed(?::\s*(.*))?")
_PG_KEY_RE = re.compile(r"Key \(([^)]*)\)")


def integrity_kind(exc: IntegrityError) -> str | None:
    """Which constraint refused the row: unique, foreign_key, not_null, check (None: unknown)."""
    state = getattr(exc.orig, "sqlstate", None)
    if state:
        return _SQLSTATES.get(state)
    match = _SQLITE_RE.search(str(exc.orig))
    return _SQLITE_KINDS[match.group(1)] if match else None


def conflict_subject(exc: IntegrityError) -> str:
    """The table and columns of the refusing constraint, e.g. ``target(enterprise_id, zone_id)``."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None and getattr(diag, "table_name", None):
        key = _PG_KEY_RE.search(diag.message_detail or "")
        columns = key.group(1) if key else (diag.column_name or diag.constraint_name or "")
        return f"{diag.table_name}({columns})"
    match = _SQLITE_RE.search(str(exc.orig))
    if not match or not match.group(2):
        return ""
    names = [part.strip() for part in match.group(2).split(",")]
    table = names[0].split(".")[0]
    return f"{table}({', '.join(n.split('.', 1)[-1] for n in names)})"


def is_unique_violation(exc: BaseException) -> bool:
    return isinstance(exc, IntegrityError) and integrity_kind(exc) == "unique"


@contextmanager
def conflict_as(refusal: Callable[[], Exception]) -> Iterator[None]:
    """Make the changes of the block in a savepoint. A lost race — a unique constraint hit by a
    concurrent creation of the same thing, or a versioned row saved by someone else meanwhile —
    undoes only the block and raises ``refusal()``, the service's own answer to the second of
    two sequential requests. (Changes made before the block are flushed before it begins.)"""
    db.session.flush()
    if _sqlite_outside_transaction():
        # pysqlite begins its transaction only at the first write, so a SAVEPOINT issued
        # before any would be the outermost transaction and its RELEASE would commit the
        # block. Nothing was written yet: the block runs in the transaction its first write
        # begins, and a refusal rolls that back whole.
        try:
            yield
            db.session.flush()
        except (StaleDataError, IntegrityError) as exc:
            db.session.rollback()
            if isinstance(exc, IntegrityError) and not is_unique_violation(exc):
                raise
            raise refusal() from exc
        return
    try:
        with db.session.begin_nested():
            yield
    except StaleDataError as exc:
        raise refusal() from exc
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise refusal() from exc


def _sqlite_outside_transaction() -> bool:
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return False
    return not connection.connection.dbapi_connection.in_transaction


def _answer(base: type[HTTPException], message: str, errors: dict) -> HTTPException:
    """An HTTP error with its own message and field errors (rendered by the app's handlers)."""
    error = base(description=errors or None)
    error.message = message  # type: ignore[attr-defined]
    return error


def http_error(exc: BaseException) -> HTTPException:
    """The answer to a database refusal that reached the app."""
    if isinstance(exc, StaleDataError):
        return _answer(Conflict, str(_l("数据已被他人修改，请刷新后重试")), {})
    if isinstance(exc, IntegrityError):
        kind, subject = integrity_kind(exc), conflict_subject(exc)
        if kind == "unique":
            message = str(_l("与已有记录重复，请刷新后查看"))
            return _answer(Conflict, message, {"conflict": [subject or "unique"]})
        message = str(_l("引用的记录不存在，或缺少必填项"))
        return _answer(UnprocessableEntity, message, {kind or "integrity": [subject]})
    message = str(_l("数值超出允许范围，或包含无法保存的字符"))
    return _answer(UnprocessableEntity, message, {})
