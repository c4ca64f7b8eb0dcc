"""Finding enterprises by any part of their name, alias, pinyin or credit code.

The match on ``Enterprise.search_text`` uses an index on PostgreSQL. Three or more characters:
``LIKE '%…%'`` on the trigram index (``ix_enterprise_search_trgm``). One or two Chinese
characters have no trigram, so they look up the grams index instead
(``ix_enterprise_search_grams`` on ``search_grams(search_text)``, every Chinese character and
pair of adjacent ones): ``search_grams(search_text) @> ARRAY['铜箔']`` holds exactly when
``search_text`` contains 铜箔, so it replaces the LIKE. SQLite uses the LIKE for everything.

Patterns are rendered into the SQL (``literal_execute``) so each search is planned for its own
value (a generic plan scans the whole trigram index for a pattern without trigrams).

**Common terms.** Offices search 有限, 集团, 科技 all the time, and on PostgreSQL such a term
matches a quarter of a province's register: fetching those 250 000 ids through the index and
joining them to the list took 1–3 s. So it is first decided whether more than
``COMMON_MATCHES`` enterprises match (:func:`is_common`: the planner's estimate for one or two
Chinese characters, a count on the trigram index that stops there for longer terms); a common
term is then tested row by row (``strpos``, the same substring test) while the list is read in
its own order, where it finds its page of 50 within the first few hundred rows, and lists count
its rows only up to a cap. Both ways give the same rows; a wrong guess costs time, not results.
"""

from __future__ import annotations

import json
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Text, bindparam, func, select
from sqlalchemy.dialects.postgresql import array

from crm.core.access import scoped
from crm.core.boundary import parse_id
from crm.enterprises.models import Enterprise
from crm.extensions import db

GRAM_LENGTH = 2
# More matching enterprises than this make a term "common" (1 % of 1 000 000): the index
# path would join more ids than the row-by-row test reads rows.
COMMON_MATCHES = 10_000
_KNOWN = "crm.common_search_terms"  # the request's answers, in its WSGI environ


def needle(q: str) -> str:
    """The search text as stored: no NUL (PostgreSQL text never holds one), lower-case."""
    return q.replace("\x00", "").strip().lower()


def is_short_chinese(text: str) -> bool:
    """One or two characters, none ASCII or space (Chinese, full-width): the grams index."""
    return 1 <= len(text) <= GRAM_LENGTH and all(not c.isascii() and not c.isspace() for c in text)


def search_text_matches(q: str):
    """A clause: ``Enterprise.search_text`` contains ``q`` (normalised by :func:`needle`)."""
    text = needle(q)
    if is_short_chinese(text) and db.session.get_bind().dialect.name == "postgresql":
        grams = array([bindparam(None, text, type_=Text, literal_execute=True)])
        return func.search_grams(Enterprise.search_text).op("@>")(grams)
    escaped = text.replace("/", "//").replace("%", "/%").replace("_", "/_")
    pattern = bindparam(None, f"%{escaped}%", literal_execute=True)
    return Enterprise.search_text.like(pattern, escape="/")


def _hits(q: str):
    """The ids of the matching enterprises, from a MATERIALIZED CTE on the index: PostgreSQL
    guesses ~1 % of rows for any substring and, with a plain WHERE, walks the whole list in
    sort order probing each enterprise (seconds at 1 000 000 enterprises for a rare term)."""
    return (
        select(Enterprise.id)
        .where(search_text_matches(q))
        .cte()
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )


def is_common(q: str) -> bool:
    """Whether more than ``COMMON_MATCHES`` enterprises match ``q`` (PostgreSQL; SQLite scans
    anyway). Asked once per request and term: the count and the page share the answer."""
    if db.session.get_bind().dialect.name != "postgresql":
        return False
    text = needle(q)
    if not text:
        return False
    known = request.environ.setdefault(_KNOWN, {}) if has_request_context() else {}
    if text not in known:
        known[text] = _matches(q) > COMMON_MATCHES
    return known[text]


def _matches(q: str) -> int:
    """How many enterprises match, as far as deciding needs. One or two Chinese characters:
    the planner's estimate from the grams index's statistics (``EXPLAIN``, no rows read;
    counting them on the index would cost ≈ 30 ms for a common one — the bitmap of 250 000
    rows); a plan that reads no index means the planner expects a large share of the register
    (公司 at 5 000 enterprises), common whatever the count. Longer terms: counted on the
    trigram index up to ``COMMON_MATCHES + 1``."""
    matching = select(Enterprise.id).where(search_text_matches(q))
    if is_short_chinese(needle(q)):
        # The term is Chinese or full-width only (no quote, colon or percent sign) and is
        # rendered by SQLAlchemy's own literal processor, as literal_execute does anyway.
        sql = matching.compile(bind=db.session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = db.session.connection().exec_driver_sql(f"EXPLAIN (FORMAT JSON) {sql}").scalar()
        plan = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
        if not _reads_an_index(plan):  # the planner expects a large share of the register
            return COMMON_MATCHES + 1
        return int(plan["Plan Rows"])
    probe = select(_hits(q).c.id).limit(COMMON_MATCHES + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(probe)) or 0


def _reads_an_index(plan: dict) -> bool:
    return "Index" in plan.get("Node Type", "") or any(map(_reads_an_index, plan.get("Plans", ())))


def search_clause(q: str):
    """Substring match on names, aliases, pinyin, initials and credit code: through the index
    for a rare term, row by row for a common one (see the module's docstring)."""
    if is_common(q):
        return (
            func.strpos(Enterprise.search_text, bindparam(None, needle(q), literal_execute=True))
            > 0
        )
    return Enterprise.id.in_(select(_hits(q).c.id))


def search_enterprises(q: str, user: Any, limit: int = 20) -> list[Enterprise]:
    """Enterprises matching the search box (name, alias, pinyin, credit code), by name."""
    if not q.strip():
        return []
    stmt = scoped(
        select(Enterprise).where(search_clause(q), Enterprise.deleted_at.is_(None)),
        Enterprise,
        user,
    ).order_by(Enterprise.normalized_name, Enterprise.id)
    return list(db.session.scalars(stmt.limit(limit)))


def visible_enterprise(ident: Any, user: Any) -> Enterprise | None:
    """The enterprise a picker or a choice among duplicates named (an id in ASCII digits),
    if the user may see it and it is not deleted; else None."""
    number = parse_id(ident)
    if number is None:
        return None
    stmt = scoped(
        select(Enterprise).where(Enterprise.id == number, Enterprise.deleted_at.is_(None)),
        Enterprise,
        user,
    )
    return db.session.scalar(stmt)
