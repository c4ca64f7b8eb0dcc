"""Access scoping: the one place that decides who may reach which routes and rows.

Every route carries an ``access_rule`` (set by :func:`allow` or :func:`public`); a test walks
the URL map and fails on a route without one. Every area registers, per model, the rows a user
may see (:func:`scope_rule`); lists, details, exports, the API and digests all go through
:func:`scoped` and :func:`get_or_404`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g
from flask_login import current_user
from sqlalchemy import Select, false, select
from sqlalchemy.sql.elements import ColumnElement

from crm.core.boundary import MAX_ID
from crm.core.roles import CITY_ROLES, ROLES
from crm.extensions import db, login_manager

F = TypeVar("F", bound=Callable[..., Any])
ScopeFn = Callable[[Any], ColumnElement[bool] | None]

SIGNED_IN = ROLES
WRITERS = ("staff", "manager", "coordinator", "admin")
CITY_LEVEL = CITY_ROLES
# Who may write an instruction (批示): a leader (viewer) writes nothing else — every other
# route that changes data allows WRITERS or fewer (tests/test_instructions_access.py walks them).
ISSUERS = ("coordinator", "viewer")


@dataclass(frozen=True)
class AccessRule:
    """Who may call a route: ``roles`` None means public."""

    roles: frozenset[str] | None
    api: bool = False


def acting_user() -> Any:
    """The user of this request: the API token's user, else the signed-in user."""
    return g.get("api_user") or current_user


def public(view: F) -> F:
    """Mark a route as reachable without signing in."""
    view.access_rule = AccessRule(roles=None)  # type: ignore[attr-defined]
    return view


def allow(*roles: str) -> Callable[[F], F]:
    """Require a signed-in user with one of ``roles`` (403 otherwise)."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles: {unknown}")

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapper.access_rule = AccessRule(roles=frozenset(roles))  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


# --- row scoping -------------------------------------------------------------------------

_SCOPES: dict[type, ScopeFn] = {}


def scope_rule(model: type) -> Callable[[ScopeFn], ScopeFn]:
    """Register the function that gives the WHERE clause of rows ``user`` may see."""

    def register(fn: ScopeFn) -> ScopeFn:
        _SCOPES[model] = fn
        return fn

    return register


def zone_clause(column: Any, user: Any) -> ColumnElement[bool] | None:
    """City-level users see every zone; zone users their own zone; anyone else nothing."""
    if user.role in CITY_ROLES:
        return None
    if user.zone_id is None:
        return false()
    return column == user.zone_id


def scope_clause(model: type, user: Any) -> ColumnElement[bool] | None:
    """The WHERE clause limiting ``model`` to what ``user`` may see (None: everything)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    try:
        fn = _SCOPES[model]
    except KeyError:
        raise LookupError(f"no access scope registered for {model.__name__}") from None
    return fn(user)


def scoped(stmt: Select, model: type, user: Any = None) -> Select:
    """Limit a SELECT to the rows of ``model`` the user may see."""
    clause = scope_clause(model, acting_user() if user is None else user)
    return stmt if clause is None else stmt.where(clause)


def scoped_select(model: type, user: Any = None) -> Select:
    """``select(model)`` limited to what the user may see."""
    return scoped(select(model), model, user)


def get_or_404(model: type, ident: Any, user: Any = None) -> Any:
    """Fetch one row the user may see, or answer 404 (never 403: existence is not leaked)."""
    mapper_pk = model.__mapper__.primary_key[0]
    try:
        ident = mapper_pk.type.python_type(ident)
    except (TypeError, ValueError):
        abort(404)
    if isinstance(ident, int) and not -MAX_ID <= ident <= MAX_ID:
        abort(404)  # beyond an INTEGER column: cannot exist, and must not reach the database
    stmt = scoped(select(model).where(mapper_pk == ident), model, user)
    if hasattr(model, "deleted_at"):
        stmt = stmt.where(model.deleted_at.is_(None))
    row = db.session.execute(stmt).scalars().first()
    if row is None:
        abort(404)
    return row


def registered_models() -> list[type]:
    """Models that have a scope rule (used by tests)."""
    return list(_SCOPES)
