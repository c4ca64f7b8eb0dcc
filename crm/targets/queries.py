"""The target list query: filters, search and sorting, through the access scope."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager

from crm.auth.models import User
from crm.core.access import scoped
from crm.core.boundary import parse_id
from crm.core.dbutil import json_list_contains
from crm.core.roles import ZONE_ROLES
from crm.enterprises.models import Enterprise
from crm.enterprises.search import is_common, search_clause
from crm.enterprises.services import TARGET_LOOKUPS
from crm.extensions import db
from crm.targets.chain_hooks import chain_filter
from crm.targets.models import OPEN_STATUSES, Target
from crm.targets.services import stale_before
from crm.zones.models import Zone

SORTS = {
    "updated": (Target.updated_at.desc(), Target.id.desc()),
    "created": (Target.created_at.desc(), Target.id.desc()),
    "name": (Enterprise.normalized_name.asc(), Target.id.asc()),
    "priority": (Target.priority.asc(), Target.id.desc()),
    "follow_up": (Target.next_follow_up.asc().nulls_last(), Target.id.asc()),
    "last_activity": (Target.last_activity_on.desc().nulls_last(), Target.id.desc()),
}
POOL = "pool"


@dataclass
class TargetFilters:
    q: str = ""
    zone: str = ""  # zone id, "pool" for the city pool, "" for all
    status: str = ""
    priority: str = ""
    mode: str = ""
    owner: str = ""  # user id, or "none"
    industry: str = ""
    label: str = ""
    stale: str = ""  # "1" = stale only
    chain: str = ""  # chain id: targets courted for any node of it
    node: str = ""  # chain node id
    capital_min: str = ""  # 注册资本 ≥ this many 万元 (人民币)
    founded: str = ""  # 成立年份: "2015", "2010-2020", "2015-", "-2010"
    province: str = ""  # 省份: "河南" matches 河南 and 河南省
    gb: str = ""  # GB/T 4754 门类 letter (C) or 大类 code (39)
    business_status: str = ""  # 经营状态 (存续, 注销 …)
    sort: str = "updated"

    def needs_enterprise(self) -> bool:
        """Whether a filter reads the enterprise row (the count then joins it)."""
        registration = (self.capital_min, self.founded, self.province, self.gb)
        return bool(
            self.q or self.industry or self.label or self.business_status or any(registration)
        )

    @classmethod
    def from_args(cls, args: Any) -> TargetFilters:
        values = {f.name: (args.get(f.name) or "").strip()[:100] for f in fields(cls)}
        filters = cls(**values)
        if filters.sort not in SORTS:
            filters.sort = "updated"
        return filters

    def active(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def _int(value: str) -> int | None:
    return parse_id(value)


def target_list_stmt(user: Any, filters: TargetFilters) -> Select:
    """SELECT of the targets the user may see, filtered and sorted."""
    stmt = select(Target).join(Target.enterprise).options(contains_eager(Target.enterprise))
    return _filtered(stmt, user, filters).order_by(*SORTS[filters.sort])


def count_cap(filters: TargetFilters, cap: int) -> int | None:
    """``cap`` when the list searches for a common term (its matches are found row by row, and
    counting them all would read the whole list), else None: the count is exact."""
    return cap if filters.q and is_common(filters.q) else None


def target_count_stmt(user: Any, filters: TargetFilters, cap: int | None = None) -> Select:
    """How many rows ``target_list_stmt`` has. The join to the enterprise (every target has
    one) is left out unless a filter needs it: counting 200 000 targets through the join took
    1.3 s on PostgreSQL, without it 0.1 s. With ``cap`` (see :func:`count_cap`), counted only
    up to ``cap + 1``."""
    if cap is not None:
        rows = _filtered(select(Target.id).join(Target.enterprise), user, filters)
        return select(func.count()).select_from(rows.limit(cap + 1).subquery())
    stmt = select(func.count(Target.id))
    if filters.needs_enterprise():
        stmt = stmt.join(Target.enterprise)
    return _filtered(stmt.select_from(Target), user, filters)


def _filtered(stmt: Select, user: Any, filters: TargetFilters) -> Select:
    stmt = scoped(stmt.where(Target.deleted_at.is_(None)), Target, user)
    if filters.q:
        stmt = stmt.where(search_clause(filters.q))
    if filters.zone == POOL:
        stmt = stmt.where(Target.zone_id.is_(None))
    elif _int(filters.zone) is not None:
        stmt = stmt.where(Target.zone_id == _int(filters.zone))
    if filters.status:
        stmt = stmt.where(Target.status == filters.status)
    if filters.priority:
        stmt = stmt.where(Target.priority == filters.priority)
    if filters.mode:
        stmt = stmt.where(json_list_contains(Target.attraction_modes, filters.mode))
    if filters.owner == "none":
        stmt = stmt.where(Target.owner_id.is_(None))
    elif _int(filters.owner) is not None:
        stmt = stmt.where(Target.owner_id == _int(filters.owner))
    if filters.industry:
        stmt = stmt.where(Enterprise.industry == filters.industry)
    if filters.label:
        stmt = stmt.where(json_list_contains(Enterprise.labels, filters.label))
    if filters.stale == "1":
        stmt = stmt.where(stale_clause(stale_before()))
    stmt = registration_filters(stmt, filters)
    chain_id, node_id = _int(filters.chain), _int(filters.node)
    if chain_id is not None or node_id is not None:
        stmt = stmt.where(Target.id.in_(chain_filter("target", chain_id, node_id)))
    return stmt


def registration_filters(stmt: Select, filters: TargetFilters) -> Select:
    """注册资本 ≥, 成立年份, 省份, 国标行业, 经营状态; malformed values are ignored."""
    if (capital := _int(filters.capital_min)) is not None:
        stmt = stmt.where(
            Enterprise.registered_capital_wan >= capital,
            Enterprise.registered_capital_currency.in_(("", "人民币")),
        )
    first, last = founded_years(filters.founded)
    if first is not None:
        stmt = stmt.where(Enterprise.founded_on >= date(first, 1, 1))
    if last is not None:
        stmt = stmt.where(Enterprise.founded_on <= date(last, 12, 31))
    if province := short_province(filters.province):
        stmt = stmt.where(Enterprise.hq_province.startswith(province, autoescape=True))
    if len(filters.gb) == 1 and filters.gb.isalpha():
        stmt = stmt.where(Enterprise.gb_section == filters.gb.upper())
    elif len(filters.gb) == 2 and filters.gb.isascii() and filters.gb.isdigit():
        stmt = stmt.where(Enterprise.gb_division == filters.gb)
    if filters.business_status:
        stmt = stmt.where(Enterprise.business_status == filters.business_status)
    return stmt


def founded_years(text: str) -> tuple[int | None, int | None]:
    """(from, to) years of "2015", "2010-2020", "2015-", "-2010"; (None, None) if malformed."""
    text = text.replace("—", "-").replace("~", "-").replace(" ", "")
    first, sep, last = text.partition("-")
    years = []
    for part in (first, last if sep else first):
        if not part:
            years.append(None)
        elif part.isascii() and part.isdigit() and 1900 <= int(part) <= 2100:
            years.append(int(part))
        else:
            return None, None
    return years[0], years[1]


def short_province(text: str) -> str:
    """ "河南省" → "河南"; "内蒙古自治区" → "内蒙古" (stored names have either form)."""
    text = text.strip()
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市"):
        if text.endswith(suffix) and len(text) > len(suffix):
            return text.removesuffix(suffix)
    return text


def stale_clause(before: date):
    """Open targets with no activity since ``before`` (or never, and created before it)."""
    return and_(
        Target.status.in_(OPEN_STATUSES),
        or_(
            Target.last_activity_on < before,
            and_(Target.last_activity_on.is_(None), func.date(Target.created_at) < before),
        ),
    )


def targets_by_enterprise(enterprise_ids: Any, user: Any) -> dict[int, list[Target]]:
    """The live targets of these enterprises, grouped by enterprise (one query)."""
    ids = {i for i in enterprise_ids if i is not None}
    if not ids:
        return {}
    stmt = scoped(
        select(Target).where(Target.enterprise_id.in_(ids), Target.deleted_at.is_(None)),
        Target,
        user,
    ).order_by(Target.zone_id.is_(None), Target.zone_id, Target.id)
    grouped: dict[int, list[Target]] = {}
    for target in db.session.scalars(stmt).unique():
        grouped.setdefault(target.enterprise_id, []).append(target)
    return grouped


TARGET_LOOKUPS.append(targets_by_enterprise)  # the enterprise pages list these


def pursued_elsewhere(targets: list[Target], user: Any) -> dict[int, list[Target]]:
    """For each target, the other zones' targets (not dropped) of its enterprise (one query)."""
    siblings = targets_by_enterprise({t.enterprise_id for t in targets}, user)
    return {
        target.id: [
            other
            for other in siblings.get(target.enterprise_id, [])
            if other.zone_id is not None
            and other.zone_id != target.zone_id
            and other.status != "dropped"
        ]
        for target in targets
    }


def elsewhere_names(targets: list[Target], user: Any) -> dict[int, list[tuple[str, str | None]]]:
    """What the list shows of :func:`pursued_elsewhere`: for each target, (zone, owner) of
    the other zones' live targets of its enterprise that are not dropped — one query of four
    columns instead of those targets with their enterprises, zones and owners."""
    ids = {t.enterprise_id for t in targets if t.enterprise_id is not None}
    if not ids:
        return {}
    stmt = scoped(
        select(Target.enterprise_id, Target.zone_id, Zone.short_name, User.display_name)
        .join(Zone, Zone.id == Target.zone_id)
        .outerjoin(User, User.id == Target.owner_id)
        .where(
            Target.enterprise_id.in_(ids),
            Target.deleted_at.is_(None),
            Target.status != "dropped",
        ),
        Target,
        user,
    ).order_by(Target.zone_id, Target.id)
    siblings: dict[int, list[tuple[int, str, str | None]]] = {}
    for enterprise_id, zone_id, zone_name, owner_name in db.session.execute(stmt):
        siblings.setdefault(enterprise_id, []).append((zone_id, zone_name, owner_name))
    return {
        target.id: [
            (zone_name, owner_name)
            for zone_id, zone_name, owner_name in siblings.get(target.enterprise_id, ())
            if zone_id != target.zone_id
        ]
        for target in targets
    }


def zone_people(user: Any, zone_id: int | None = None) -> list[User]:
    """Active zone staff and managers the user may see (who can own targets), by zone."""
    stmt = scoped(
        select(User).where(User.role.in_(ZONE_ROLES), User.active.is_(True)), User, user
    ).order_by(User.zone_id, User.display_name, User.id)
    if zone_id is not None:
        stmt = stmt.where(User.zone_id == zone_id)
    return list(db.session.scalars(stmt).unique())
