"""SQL per request, measured in-process: counts, and the raw SQL floor.

The Flask test client runs each benchmarked request against the benchmark database while a
SQLAlchemy ``before_cursor_execute`` listener records every statement. Nothing in the product
is switched on for this; the listener lives only here.

The recorded SELECTs are then replayed straight on a DBAPI cursor (no ORM, no Flask) to time
"the raw SQL behind the page" — the floor a page cannot beat.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from bench.client import CSRF_RE


@dataclass(frozen=True)
class Endpoint:
    """A benchmarked request: ``auth`` is "session" (signed-in cookie) or "token" (bearer)."""

    name: str
    path: str
    auth: str = "session"


@dataclass
class Recorded:
    count: int
    statements: list[tuple[str, Any]] = field(default_factory=list)


def api_token(app: Any, login: str) -> str:
    """A fresh bearer token for ``login`` (same service as `flask users token`)."""
    from sqlalchemy import select

    from crm.auth.models import User
    from crm.auth.services import create_api_token
    from crm.extensions import db

    with app.app_context():
        user = db.session.scalar(select(User).where(User.login == login))
        if user is None:
            raise SystemExit(f"no user {login!r} in the benchmark data")
        token = create_api_token(user, "bench")
        db.session.commit()
    return token


def record_queries(
    app: Any, endpoints: list[Endpoint], login: str, password: str
) -> dict[str, Recorded]:
    """Statements each endpoint runs for a signed-in ``login`` (after one warm-up request)."""
    from crm.extensions import db

    token = api_token(app, login)
    with app.app_context():
        engine = db.engine
    log: list[tuple[str, Any]] = []

    def before_cursor_execute(_conn, _cursor, statement, parameters, _context, _many):
        log.append((statement, parameters))

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    match = CSRF_RE.search(page)
    if not match:
        raise SystemExit("no CSRF token on /login")
    form = {"login": login, "password": password, "csrf_token": match.group(1)}
    if client.post("/login", data=form).status_code != 302:
        raise SystemExit(f"in-process sign-in as {login} failed")
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        results = {}
        for endpoint in endpoints:
            headers, caller = {}, client
            if endpoint.auth == "token":  # no cookies: an API client sends only its token
                headers, caller = {"Authorization": f"Bearer {token}"}, app.test_client()
            for _attempt in range(2):  # the first request may refresh a session or token row
                log.clear()
                response = caller.get(endpoint.path, headers=headers)
                if response.status_code != 200:
                    raise SystemExit(f"{endpoint.path}: HTTP {response.status_code} in-process")
            results[endpoint.name] = Recorded(len(log), list(log))
        return results
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)


def time_raw_sql(app: Any, recorded: Recorded, repeats: int) -> float | None:
    """Median seconds to run the endpoint's SELECTs once on a bare DBAPI cursor."""
    from crm.extensions import db

    selects = [
        (sql, params)
        for sql, params in recorded.statements
        if sql.lstrip().upper().startswith(("SELECT", "WITH"))
    ]
    if not selects:
        return None
    with app.app_context():
        raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        samples = []
        for _ in range(repeats):
            started = time.perf_counter()
            for sql, params in selects:
                cursor.execute(sql, params)
                cursor.fetchall()
            samples.append(time.perf_counter() - started)
        raw.rollback()
        return statistics.median(samples)
    finally:
        raw.close()
