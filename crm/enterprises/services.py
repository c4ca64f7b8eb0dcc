"""Enterprises: validation, duplicate detection, search text, merge."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select, update

from crm.core.access import scope_rule
from crm.core.audit import apply_changes, record_audit
from crm.core.conflicts import conflict_as
from crm.core.i18n import words
from crm.core.timeutil import utcnow
from crm.enterprises.models import LABELS, OWNERSHIPS, TIERS, Contact, Enterprise
from crm.enterprises.names import name_pinyin_variants, normalize_name, similar_names
from crm.enterprises.search import search_text_matches
from crm.enterprises.uscc import UsccError, validate_uscc
from crm.extensions import db

ENTERPRISE_FIELDS = (
    "name",
    "aliases",
    "uscc",
    "hq_province",
    "hq_city",
    "industry",
    "ownership",
    "labels",
    "tier",
    "is_local",
    "website",
    "description",
)
ALIAS_SPLIT = re.compile(r"[,，、;；\n]+")
SIMILARITY_THRESHOLD = 90
# Areas that hold rows pointing at an enterprise register a function here that moves them
# from the merged enterprise to the kept one (the projects area adds its own).
MERGE_HOOKS: list[Callable[[Enterprise, Enterprise, Any], None]] = []
# The targets area registers how to find the live targets of some enterprises, by enterprise
# id, as a user may see them (shown on the enterprise pages).
TARGET_LOOKUPS: list[Callable[[Any, Any], dict[int, list[Any]]]] = []
# The projects area registers the same for projects (the enterprise and target pages list them).
PROJECT_LOOKUPS: list[Callable[[Any, Any], dict[int, list[Any]]]] = []


class EnterpriseError(ValueError):
    """Invalid enterprise data; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "name") -> None:
        super().__init__(message)
        self.field = field


@dataclass
class DuplicateHit:
    enterprise: Enterprise
    reason: str  # uscc | name | similar
    score: float = 100.0

    @property
    def label(self) -> str:
        labels = {
            "uscc": _l("统一社会信用代码相同"),
            "name": _l("名称相同"),
            "similar": _l("名称相似"),
        }
        return str(labels[self.reason])


class DuplicateEnterprise(EnterpriseError):
    """Creating this enterprise would duplicate an existing one."""

    def __init__(self, hits: list[DuplicateHit]) -> None:
        first = hits[0]
        super().__init__(
            _l(
                "可能与已有企业“%(name)s”重复（%(reason)s）",
                name=first.enterprise.name,
                reason=first.label,
            ),
            "uscc" if first.reason == "uscc" else "name",
        )
        self.hits = hits

    @property
    def blocking(self) -> bool:
        """Same credit code: never allowed; a similar name may be confirmed by the user."""
        return any(hit.reason == "uscc" for hit in self.hits)


@scope_rule(Enterprise)
def _enterprise_scope(user: Any):
    return Enterprise.merged_into_id.is_(None)  # the list is shared city-wide


@scope_rule(Contact)
def _contact_scope(user: Any):
    return None


def split_aliases(text: str) -> list[str]:
    return [part.strip() for part in ALIAS_SPLIT.split(text or "") if part.strip()]


def build_search_text(name: str, aliases: str, uscc: str | None) -> str:
    """Names, pinyin (full and initials, every common reading) and code, lower-case, for
    substring search."""
    parts = [name, *split_aliases(aliases)]
    words = list(parts)
    for part in parts:
        fulls, initials = name_pinyin_variants(part)
        words += fulls + initials
    if uscc:
        words.append(uscc)
    return " ".join(dict.fromkeys(w.lower() for w in words if w))


def reindex_search_text(connection: Any, batch: int = 1000) -> int:
    """Recompute every enterprise's search text (run by the migration that widened the index;
    safe to rerun). Works on a bare connection, without the ORM session; returns the count."""
    table = Enterprise.__table__
    last, count = 0, 0
    while True:
        rows = connection.execute(
            select(table.c.id, table.c.name, table.c.aliases, table.c.uscc)
            .where(table.c.id > last)
            .order_by(table.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return count
        stmt = (
            update(table)
            .where(table.c.id == bindparam("row_id"))
            .values(search_text=bindparam("text"))
        )
        values = [
            {"row_id": r.id, "text": build_search_text(r.name, r.aliases or "", r.uscc)}
            for r in rows
        ]
        connection.execute(stmt, values)
        last, count = rows[-1].id, count + len(rows)


def clean_values(raw: dict[str, Any]) -> dict[str, Any]:
    """Validated, normalised enterprise values; raises EnterpriseError naming the field."""
    values = {k: raw[k] for k in ENTERPRISE_FIELDS if k in raw}
    name = (values.get("name") or "").strip()
    if not name:
        raise EnterpriseError(_l("请填写企业名称"), "name")
    if len(name) > 200:
        raise EnterpriseError(_l("企业名称不能超过 200 个字符"), "name")
    values["name"] = name
    if "aliases" in values:
        values["aliases"] = "、".join(split_aliases(values["aliases"] or ""))[:500]
    if "uscc" in values:
        code = (values["uscc"] or "").strip()
        try:
            values["uscc"] = validate_uscc(code) if code else None
        except UsccError as exc:
            raise EnterpriseError(str(exc), "uscc") from exc
    if "labels" in values:
        labels = values["labels"] or []
        unknown = [label for label in labels if label not in LABELS]
        if unknown:
            raise EnterpriseError(_l("未知的企业标签：%(join)s", join="、".join(unknown)), "labels")
        values["labels"] = [label for label in LABELS if label in labels]
    for field, allowed, label in (
        ("tier", TIERS, _l("企业层级")),
        ("ownership", OWNERSHIPS, _l("所有制")),
    ):
        if values.get(field) and values[field] not in allowed:
            raise EnterpriseError(
                _l("%(label)s只能是：%(join)s", label=label, join=words(allowed)), field
            )
    website = (values.get("website") or "").strip()
    if website and not re.match(r"^https?://[^\s<>\"']+$", website, re.IGNORECASE):
        raise EnterpriseError(_l("网址须以 http:// 或 https:// 开头"), "website")
    if "website" in values:
        values["website"] = website
    for field in ("hq_province", "hq_city", "industry", "description"):
        if field in values:
            values[field] = (values[field] or "").strip()
    return values


def find_duplicates(
    name: str, uscc: str | None, exclude_id: int | None = None, limit: int = 5
) -> list[DuplicateHit]:
    """Enterprises that look like the same company: same code, same or similar name."""
    hits: dict[int, DuplicateHit] = {}
    base = select(Enterprise).where(
        Enterprise.deleted_at.is_(None), Enterprise.merged_into_id.is_(None)
    )
    if exclude_id is not None:
        base = base.where(Enterprise.id != exclude_id)
    if uscc:
        for ent in db.session.scalars(base.where(Enterprise.uscc == uscc)):
            hits[ent.id] = DuplicateHit(ent, "uscc")
    normalized = normalize_name(name)
    for ent in db.session.scalars(base.where(Enterprise.normalized_name == normalized).limit(10)):
        hits.setdefault(ent.id, DuplicateHit(ent, "name"))
    if len(normalized) >= 2:
        # candidates sharing a piece of the name (indexed search), then fuzzy scoring
        pieces = {normalized[:2].lower(), normalized[-2:].lower()}
        clauses = [search_text_matches(piece) for piece in pieces]
        candidates = db.session.scalars(base.where(or_(*clauses)).limit(200)).all()
        by_id = {c.id: c for c in candidates}
        scored = similar_names(
            name, [(c.id, c.normalized_name) for c in candidates], SIMILARITY_THRESHOLD
        )
        for ent_id, score in scored:
            hits.setdefault(ent_id, DuplicateHit(by_id[ent_id], "similar", score))
    order = {"uscc": 0, "name": 1, "similar": 2}
    return sorted(hits.values(), key=lambda h: (order[h.reason], -h.score))[:limit]


def _apply(enterprise: Enterprise, values: dict[str, Any]) -> dict[str, list]:
    changes = apply_changes(enterprise, values, ENTERPRISE_FIELDS)
    enterprise.normalized_name = normalize_name(enterprise.name)
    enterprise.search_text = build_search_text(enterprise.name, enterprise.aliases, enterprise.uscc)
    return changes


def create_enterprise(
    raw: dict[str, Any], actor: Any, *, confirm_duplicate: bool = False
) -> Enterprise:
    """Create an enterprise; a duplicate raises DuplicateEnterprise (a similar name may be
    confirmed, the same credit code never)."""
    values = clean_values(raw)
    hits = find_duplicates(values["name"], values.get("uscc"))
    if hits:
        error = DuplicateEnterprise(hits)
        if error.blocking or not confirm_duplicate:
            raise error
    enterprise = Enterprise(
        name=values["name"], normalized_name="", created_by_id=getattr(actor, "id", None)
    )
    defaults = {"aliases": "", "labels": [], "is_local": False}

    def duplicate() -> DuplicateEnterprise:  # the same code saved meanwhile by someone else
        return DuplicateEnterprise(find_duplicates(values["name"], values.get("uscc")))

    with conflict_as(duplicate):
        _apply(enterprise, {**defaults, **values})
        db.session.add(enterprise)
    record_audit("create", "enterprise", enterprise.id, {"name": enterprise.name}, actor=actor)
    return enterprise


def update_enterprise(enterprise: Enterprise, raw: dict[str, Any], actor: Any) -> dict:
    """Edit an enterprise; changing to another's credit code is refused."""
    values = clean_values({"name": enterprise.name, **raw})
    if values.get("uscc") and values["uscc"] != enterprise.uscc:
        clash = db.session.scalar(
            select(Enterprise).where(
                Enterprise.uscc == values["uscc"], Enterprise.id != enterprise.id
            )
        )
        if clash is not None:
            raise EnterpriseError(_l("统一社会信用代码已属于“%(name)s”", name=clash.name), "uscc")
    changes = _apply(enterprise, values)
    if changes:
        record_audit("update", "enterprise", enterprise.id, changes, actor=actor)
    return changes


def add_contact(enterprise: Enterprise, raw: dict[str, Any], actor: Any) -> Contact:
    """Add a contact person (CR/LF stripped from every field)."""
    clean = {
        k: re.sub(r"[\r\n]+", " ", str(raw.get(k) or "")).strip()
        for k in ("name", "title", "phone", "email", "note")
    }
    if not clean["name"]:
        raise EnterpriseError(_l("请填写联系人姓名"), "name")
    contact = Contact(enterprise_id=enterprise.id, **clean)
    db.session.add(contact)
    db.session.flush()
    record_audit("create", "contact", contact.id, {"name": contact.name}, actor=actor)
    return contact


def merge_enterprises(source: Enterprise, kept: Enterprise, actor: Any) -> Enterprise:
    """Merge ``source`` into ``kept``: contacts, targets, projects and activities move over."""
    if source.id == kept.id:
        raise EnterpriseError(_l("不能与自身合并"))
    if source.merged_into_id or kept.merged_into_id:
        raise EnterpriseError(_l("已合并的企业不能再次合并"))
    filled = {}
    for field in ("uscc", "hq_province", "hq_city", "industry", "ownership", "tier", "website"):
        if not getattr(kept, field) and getattr(source, field):
            filled[field] = getattr(source, field)
    source_code = source.uscc
    for contact in list(source.contacts):
        contact.enterprise_id = kept.id
    for hook in MERGE_HOOKS:
        hook(source, kept, actor)
    aliases = [*split_aliases(kept.aliases), source.name, *split_aliases(source.aliases)]
    unique_aliases = [a for i, a in enumerate(aliases) if a not in aliases[:i] and a != kept.name]
    source.uscc = None
    source.merged_into_id = kept.id
    source.deleted_at = utcnow()
    db.session.flush()
    both = set(kept.labels or []) | set(source.labels or [])
    labels = [label for label in LABELS if label in both]
    _apply(kept, {**filled, "aliases": "、".join(unique_aliases)[:500], "labels": labels})
    kept.is_local = kept.is_local or source.is_local
    record_audit(
        "merge",
        "enterprise",
        kept.id,
        {"merged": [source.id, kept.id], "source_name": source.name, "source_uscc": source_code},
        actor=actor,
    )
    return kept


def targets_by_enterprise(enterprise_ids: Any, user: Any) -> dict[int, list[Any]]:
    """The live targets of these enterprises the user may see, grouped by enterprise."""
    found: dict[int, list[Any]] = {}
    for lookup in TARGET_LOOKUPS:
        for enterprise_id, targets in lookup(enterprise_ids, user).items():
            found.setdefault(enterprise_id, []).extend(targets)
    return found


def projects_by_enterprise(enterprise_ids: Any, user: Any) -> dict[int, list[Any]]:
    """The live projects of these enterprises the user may see, grouped by enterprise."""
    found: dict[int, list[Any]] = {}
    for lookup in PROJECT_LOOKUPS:
        for enterprise_id, projects in lookup(enterprise_ids, user).items():
            found.setdefault(enterprise_id, []).extend(projects)
    return found
