"""What each row of a target-list import would do, decided a chunk of rows at a time.

Rows match existing enterprises by credit code, then by normalised name (a stored enterprise
with a different credit code is another company). The chunk's enterprises, targets and contacts
are fetched in four queries, so the cost per row does not depend on the size of the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, select

from crm.core.dbutil import among
from crm.core.i18n import join_words
from crm.core.tabular import clean_cell
from crm.enterprises.models import Contact, Enterprise
from crm.enterprises.services import split_aliases
from crm.extensions import db
from crm.imports.engine import RowError
from crm.targets.importing import ENTERPRISE_FIELDS, HEADERS, TARGET_FIELDS, ParsedRow
from crm.targets.models import Target
from crm.targets.provider_columns import REGISTRATION_FIELDS

ENTERPRISE_COLUMNS = (
    Enterprise.id,
    Enterprise.name,
    Enterprise.normalized_name,
    Enterprise.aliases,
    Enterprise.uscc,
    Enterprise.hq_province,
    Enterprise.hq_city,
    Enterprise.industry,
    Enterprise.labels,
    *(getattr(Enterprise, name) for name in REGISTRATION_FIELDS),
    Enterprise.deleted_at,
    Enterprise.merged_into_id,
)
INACTIVE = _l("该负责人已停用，请改为在职人员")
OWN_ONLY = _l("招商专员只能把目标分配给自己")
CONVERTED = _l("“已转项目”由“转为项目”操作设置，不能通过导入设置")
TARGET_COLUMNS = (Target.id, Target.enterprise_id, *(getattr(Target, f) for f in TARGET_FIELDS))


def same(old: Any, new: Any) -> bool:
    """Equal as a spreadsheet would show them (text compared after the import's cleaning)."""
    if old == new:
        return True
    return isinstance(new, str) and clean_cell(old or "") == new


@dataclass
class RowPlan:
    """The writes one row needs; ``outcome`` is created, updated or unchanged."""

    parsed: ParsedRow
    enterprise_id: int | None = None  # None: a new enterprise
    enterprise_new: dict[str, Any] | None = None
    enterprise_changes: dict[str, list] = field(default_factory=dict)
    search_basis: tuple[str, str, str | None] | None = None  # name, aliases, code after changes
    target_id: int | None = None
    target_new: dict[str, Any] | None = None
    target_changes: dict[str, list] = field(default_factory=dict)
    contact_id: int | None = None
    contact_new: dict[str, Any] | None = None
    contact_changes: dict[str, list] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        if self.target_new is not None:
            return "created"
        changed = self.enterprise_changes or self.target_changes or self.contact_changes
        return "updated" if changed or self.contact_new else "unchanged"


@dataclass
class FileKeys:
    """Credit codes, names and matched enterprises already seen in the file (pass one only)."""

    by_uscc: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, list[tuple[int, str | None]]] = field(default_factory=dict)
    by_enterprise: dict[int, int] = field(default_factory=dict)
    column: Callable[[str], str] = HEADERS.__getitem__

    def clash(self, parsed: ParsedRow) -> RowError | None:
        """An error naming both rows when this row's enterprise already had a row."""
        if parsed.uscc and parsed.uscc in self.by_uscc:
            other = self.by_uscc[parsed.uscc]
            reason = _l("与第%(other)s行的统一社会信用代码相同，同一企业只能占一行", other=other)
            return RowError(parsed.row, self.column("uscc"), reason)
        for other, code in self.by_name.get(parsed.normalized, []):
            if not (parsed.uscc and code):  # two different codes: two companies
                reason = _l(
                    "与第%(other)s行是同一家企业（名称相同），同一企业只能占一行", other=other
                )
                return RowError(parsed.row, self.column("name"), reason)
        if parsed.uscc:
            self.by_uscc[parsed.uscc] = parsed.row
        self.by_name.setdefault(parsed.normalized, []).append((parsed.row, parsed.uscc))
        return None


class ChunkPlanner:
    """Plans rows against the database for one zone (None: the city pool)."""

    def __init__(
        self,
        zone_id: int | None,
        actor_id: int | None,
        actor_is_staff: bool,
        column: Callable[[str], str] = HEADERS.__getitem__,
        inactive: frozenset[int] = frozenset(),
    ) -> None:
        self.zone_id = zone_id
        self.actor_id = actor_id
        self.actor_is_staff = actor_is_staff
        self.column = column
        self.inactive = inactive  # users who may stay owners but not become owners

    def plan(
        self, rows: Sequence[ParsedRow], keys: FileKeys | None = None
    ) -> tuple[list[RowPlan], list[RowError], list[RowError]]:
        """(plans, errors, warnings) for a chunk; ``keys`` checks duplicates within the file."""
        errors: list[RowError] = []
        warnings: list[RowError] = []
        if keys is not None:
            rows = [row for row in rows if not _collect(keys.clash(row), errors)]
        by_uscc, by_name = self._enterprises(rows)
        plans: list[RowPlan] = []
        for parsed in rows:
            try:
                existing = self._match(parsed, by_uscc, by_name, warnings)
            except MatchError as exc:
                errors.append(exc.error)
                continue
            if existing is not None and keys is not None:
                other = keys.by_enterprise.setdefault(existing.id, parsed.row)
                if other != parsed.row:
                    reason = _l(
                        "与第%(other)s行对应同一家已有企业“%(name)s”，同一企业只能占一行",
                        other=other,
                        name=existing.name,
                    )
                    errors.append(RowError(parsed.row, self.column("name"), reason))
                    continue
            plans.append(self._enterprise_plan(parsed, existing))
        ids = [p.enterprise_id for p in plans if p.enterprise_id is not None]
        targets = self._targets(ids)
        contacts = self._contacts(ids)
        kept = []
        for plan in plans:
            error = self._target_plan(plan, targets.get(plan.enterprise_id))
            if error is not None:
                errors.append(error)
                continue
            self._contact_plan(plan, contacts.get(plan.enterprise_id, []))
            kept.append(plan)
            if plan.parsed.warnings and plan.outcome != "unchanged":
                warnings.extend(plan.parsed.warnings)
        return kept, errors, warnings

    # --- lookups -------------------------------------------------------------------------

    def _enterprises(self, rows: Sequence[ParsedRow]) -> tuple[dict[str, Row], dict[str, list]]:
        codes = {r.uscc for r in rows if r.uscc}
        by_uscc: dict[str, Row] = {}
        by_name: dict[str, list[Row]] = {}
        if codes:
            stmt = select(*ENTERPRISE_COLUMNS).where(among(db.session, Enterprise.uscc, codes))
            by_uscc = {row.uscc: row for row in db.session.execute(stmt)}
        # names only for rows their code did not match (a re-import matches by code alone)
        names = {r.normalized for r in rows if r.normalized and r.uscc not in by_uscc}
        if names:
            stmt = select(*ENTERPRISE_COLUMNS).where(
                among(db.session, Enterprise.normalized_name, names),
                Enterprise.deleted_at.is_(None),
                Enterprise.merged_into_id.is_(None),
            )
            for row in db.session.execute(stmt.order_by(Enterprise.id)):
                by_name.setdefault(row.normalized_name, []).append(row)
        return by_uscc, by_name

    def _targets(self, enterprise_ids: list[int]) -> dict[int, Row]:
        if not enterprise_ids:
            return {}
        zone = Target.zone_id.is_(None) if self.zone_id is None else Target.zone_id == self.zone_id
        matches = among(db.session, Target.enterprise_id, enterprise_ids)
        stmt = select(*TARGET_COLUMNS).where(matches, zone, Target.deleted_at.is_(None))
        return {row.enterprise_id: row for row in db.session.execute(stmt)}

    @staticmethod
    def _contacts(enterprise_ids: list[int]) -> dict[int, list[Row]]:
        grouped: dict[int, list[Row]] = {}
        if enterprise_ids:
            stmt = select(Contact.id, Contact.enterprise_id, Contact.name, Contact.phone).where(
                among(db.session, Contact.enterprise_id, enterprise_ids)
            )
            for row in db.session.execute(stmt.order_by(Contact.id)):
                grouped.setdefault(row.enterprise_id, []).append(row)
        return grouped

    # --- per row -------------------------------------------------------------------------

    def _match(self, parsed: ParsedRow, by_uscc: dict, by_name: dict, warnings: list) -> Row | None:
        if parsed.uscc and (found := by_uscc.get(parsed.uscc)) is not None:
            if found.deleted_at is not None or found.merged_into_id is not None:
                reason = _l(
                    "该信用代码属于已删除的企业“%(name)s”，请联系管理员恢复后再导入",
                    name=found.name,
                )
                raise MatchError(RowError(parsed.row, self.column("uscc"), reason))
            return found
        candidates = by_name.get(parsed.normalized, [])
        if parsed.uscc:
            others = [c for c in candidates if c.uscc]
            candidates = [c for c in candidates if not c.uscc]
            if others and not candidates:
                reason = _l(
                    "与已有企业“%(name)s”名称相同但信用代码不同，已作为另一家企业导入",
                    name=others[0].name,
                )
                warnings.append(RowError(parsed.row, self.column("name"), reason))
        if len(candidates) > 1:
            names = join_words(c.name for c in candidates[:3])
            reason = _l(
                "名称与多家已有企业相同（%(names)s），请填写统一社会信用代码以区分", names=names
            )
            raise MatchError(RowError(parsed.row, self.column("name"), reason))
        return candidates[0] if candidates else None

    @staticmethod
    def _enterprise_plan(parsed: ParsedRow, existing: Row | None) -> RowPlan:
        values = parsed.enterprise
        if existing is None:
            return RowPlan(parsed, enterprise_new={"name": parsed.name, **values})
        wanted = dict(values)
        aliases = split_aliases(values.get("aliases", existing.aliases))
        known = {clean_cell(existing.name), *(clean_cell(a) for a in aliases)}
        if parsed.name not in known:  # another spelling of the name: kept as an alias
            wanted["aliases"] = "、".join([*aliases, parsed.name])[:500]
        changes = {
            name: [getattr(existing, name), wanted[name]]
            for name in ENTERPRISE_FIELDS
            if name in wanted and not same(getattr(existing, name), wanted[name])
        }
        plan = RowPlan(parsed, enterprise_id=existing.id, enterprise_changes=changes)
        if "aliases" in changes or "uscc" in changes:
            after = {name: new for name, (_old, new) in changes.items()}
            aliases = after.get("aliases", existing.aliases)
            plan.search_basis = (existing.name, aliases, after.get("uscc", existing.uscc))
        return plan

    def _target_plan(self, plan: RowPlan, existing: Row | None) -> RowError | None:
        values = plan.parsed.target
        row = plan.parsed.row
        if existing is None:
            if values.get("status") == "converted":
                return RowError(row, self.column("status"), CONVERTED)
            owner = values.get("owner_id")
            if owner in self.inactive:
                return RowError(row, self.column("owner"), INACTIVE)
            if owner is None and self.actor_is_staff:
                owner = self.actor_id  # staff add targets for themselves, as on the page
            if self.actor_is_staff and owner != self.actor_id:
                return RowError(row, self.column("owner"), OWN_ONLY)
            plan.target_new = {
                "chain_position": "",
                "attraction_modes": [],
                "priority": "B",
                "status": "new",
                "next_follow_up": None,
                "note": "",
                **values,
                "owner_id": owner,
            }
            return None
        plan.target_id = existing.id
        changes = {
            name: [getattr(existing, name), values[name]]
            for name in TARGET_FIELDS
            if name in values and not same(getattr(existing, name), values[name])
        }
        if changes.get("owner_id", [None, None])[1] in self.inactive:
            return RowError(row, self.column("owner"), INACTIVE)
        if changes.get("status", [None, None])[1] == "converted":
            return RowError(row, self.column("status"), CONVERTED)
        # a field the importer may not set is an error only where the file changes it
        if "owner_id" in changes and self.actor_is_staff and values["owner_id"] != self.actor_id:
            return RowError(row, self.column("owner"), OWN_ONLY)
        if changes and self.actor_is_staff and existing.owner_id not in (None, self.actor_id):
            reason = _l("该目标由其他人员负责，招商专员只能修改自己负责的目标")
            return RowError(row, self.column("name"), reason)
        plan.target_changes = changes
        return None

    @staticmethod
    def _contact_plan(plan: RowPlan, contacts: list[Row]) -> None:
        name, phone = plan.parsed.contact_name, plan.parsed.contact_phone
        if not name:
            return
        match = next((c for c in contacts if same(c.name, name)), None)
        if match is None:
            plan.contact_new = {"name": name, "phone": phone}
        elif phone and not same(match.phone, phone):
            plan.contact_id = match.id
            plan.contact_changes = {"phone": [match.phone, phone]}


class MatchError(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.reason)
        self.error = error


def _collect(error: RowError | None, errors: list[RowError]) -> bool:
    if error is not None:
        errors.append(error)
    return error is not None
