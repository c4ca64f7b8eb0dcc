"""Finding people by what others know of them: the name (characters, full pinyin or pinyin
initials, every common reading of a character), the sign-in name or the e-mail address.

Behind the people pickers (whose digest to preview, …); always through the User scope rule,
so a zone's staff find their own zone's people only."""

from __future__ import annotations

from functools import lru_cache
from itertools import islice, product
from typing import Any

from pypinyin import Style, pinyin
from sqlalchemy import select

from crm.auth.models import User
from crm.core.access import scoped
from crm.extensions import db

MAX_QUERY = 60
MAX_READINGS = 16  # readings of one name kept (a name of heteronyms has few in practice)
MAX_SCANNED = 5000  # people read per search: far above a city's staff


@lru_cache(maxsize=4096)
def name_keys(name: str) -> tuple[str, ...]:
    """The name's full pinyin and initials, in each of its common readings (lower case)."""
    readings = pinyin(name, style=Style.NORMAL, heteronym=True, errors="default")
    keys: list[str] = []
    for choice in islice(product(*readings), MAX_READINGS):
        syllables = [s.lower() for s in choice if s.strip()]
        keys += ["".join(syllables), "".join(s[0] for s in syllables)]
    return tuple(dict.fromkeys(keys))


def matches(person: User, q: str) -> bool:
    """Whether the text typed (already lower case, no spaces) finds this person."""
    texts = (person.display_name or "", person.login or "", person.email or "")
    if any(q in text.lower().replace(" ", "") for text in texts):
        return True
    return q.isascii() and any(key.startswith(q) for key in name_keys(person.display_name or ""))


def search_people(q: str, user: Any, limit: int = 20) -> list[User]:
    """Active people the user may see who match ``q``, by zone and name; at most ``limit``."""
    q = "".join(q.split()).lower()[:MAX_QUERY]
    if not q:
        return []
    stmt = scoped(select(User).where(User.active.is_(True)), User, user).order_by(
        User.zone_id, User.display_name, User.id
    )
    people = db.session.scalars(stmt.limit(MAX_SCANNED)).unique()
    return list(islice((p for p in people if matches(p, q)), limit))
