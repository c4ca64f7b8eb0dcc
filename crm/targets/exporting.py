"""Export of the target list in the import template's columns, and the template itself.

Exported files import back without changes: the same headers, 所在地 as "省 市", lists joined
with 、, the first contact, the owner by display name (by login when two people of the zone
share the name), dates as dates. Rows are read a chunk at a time (``yield_per``) and the
chunk's first contacts fetched in one query, so memory does not grow with the list.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import IO, Any

from sqlalchemy import Select, func, select

from crm.auth.models import User
from crm.enterprises.models import LABELS, Contact
from crm.extensions import db
from crm.imports.cells import join_location
from crm.imports.guided import Choice, write_guided_template
from crm.imports.spreadsheets import Text, XlsxWriter, csv_chunks
from crm.targets.importing import COLUMNS, ZONE_COLUMN
from crm.targets.models import ATTRACTION_MODES, TARGET_STATUSES, Target
from crm.zones.models import Zone

CHUNK = 1000
EXPORT_HEADERS = [c.header for c in COLUMNS] + [ZONE_COLUMN.header]
WIDTHS = [32, 22, 16, 18, 14, 22, 18, 22, 8, 10, 10, 14, 10, 16, 30, 14]
POOL_LABEL = "市级储备库"
SEVERAL = "可选一项，或填写多项并用顿号分隔"
GUIDE_NOTE = (
    "优先级、状态、招商方式、企业标签和负责人可从下拉列表中选择（负责人列表为您可以指定的人员）；"
    "只用下拉列表填写的行可以直接导入。"
)
TEMPLATE_NOTES = (
    "“目标企业清单”工作表的第二行是示例，导入前请删除或改成真实企业。",
    "表头行以上可以有标题行；“企业名称”必填，其余列可留空；“序号”列会被忽略。",
    "已有企业按统一社会信用代码、其次按企业名称匹配并更新，不会重复新建；空白单元格不会清除已有内容。",
    "所在地写作“省 市”，如“河南省 郑州市”；招商方式、企业标签可填多个，用顿号分隔。",
    "优先级填 A、B、C（或 高、中、低）；负责人填该开发区人员的姓名或登录名；日期如 2026-03-05。",
)


def _ambiguous_owner_names() -> set[tuple[int | None, str]]:
    """(zone, display name) pairs shared by two or more users (the import matches names among
    all the zone's users, active or not)."""
    stmt = (
        select(User.zone_id, User.display_name)
        .group_by(User.zone_id, User.display_name)
        .having(func.count() > 1)
    )
    return {(zone_id, name) for zone_id, name in db.session.execute(stmt)}


def _first_contacts(enterprise_ids: set[int]) -> dict[int, tuple[str, str]]:
    if not enterprise_ids:
        return {}
    first = (
        select(func.min(Contact.id))
        .where(Contact.enterprise_id.in_(enterprise_ids))
        .group_by(Contact.enterprise_id)
    )
    stmt = select(Contact.enterprise_id, Contact.name, Contact.phone).where(Contact.id.in_(first))
    return {row.enterprise_id: (row.name, row.phone) for row in db.session.execute(stmt)}


def target_cells(
    target: Target, contact: tuple[str, str] | None, ambiguous: set[tuple[int | None, str]]
) -> list[Any]:
    """One target as a row of EXPORT_HEADERS."""
    enterprise, owner = target.enterprise, target.owner
    owner_text = ""
    if owner is not None:
        shared = (owner.zone_id, owner.display_name) in ambiguous
        owner_text = owner.login if shared else owner.display_name
    name, phone = contact or ("", "")
    return [
        enterprise.name,
        Text(enterprise.uscc or ""),
        enterprise.aliases,
        join_location(enterprise.hq_province, enterprise.hq_city),
        enterprise.industry,
        "、".join(enterprise.labels or []),
        target.chain_position,
        "、".join(target.attraction_modes or []),
        target.priority,
        target.status_label,
        owner_text,
        target.next_follow_up,
        name,
        Text(phone),
        target.note,
        target.zone.short_name if target.zone else POOL_LABEL,
    ]


def export_rows(stmt: Select) -> Iterator[list[Any]]:
    """Rows for every target the statement selects, read a chunk at a time."""
    ambiguous = _ambiguous_owner_names()
    result = db.session.execute(stmt.execution_options(yield_per=CHUNK))
    for partition in result.scalars().partitions():
        contacts = _first_contacts({t.enterprise_id for t in partition})
        for target in partition:
            yield target_cells(target, contacts.get(target.enterprise_id), ambiguous)


def export_zone(zone_filter: str) -> tuple[str, str]:
    """(name, code) of the zone an export is filtered to, for its file name; ("", "") for all."""
    if zone_filter == "pool":
        return POOL_LABEL, "pool"
    if zone_filter.isdigit() and len(zone_filter) < 10:
        zone = db.session.get(Zone, int(zone_filter))
        if zone is not None:
            return zone.short_name, zone.code
    return "", ""


def count_rows(stmt: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def write_xlsx(stmt: Select, target: str | IO[bytes]) -> int:
    """Write the selected targets to an .xlsx file; returns the number of rows."""
    writer = XlsxWriter("目标企业清单", WIDTHS)
    writer.header(EXPORT_HEADERS)
    count = writer.rows(export_rows(stmt))
    writer.save(target)
    return count


def csv_pieces(stmt: Select) -> Iterator[str]:
    """The selected targets as CSV text pieces (UTF-8 BOM first), for a streamed response."""
    return csv_chunks(EXPORT_HEADERS, export_rows(stmt))


def write_csv(stmt: Select, path: str) -> int:
    """Write the selected targets to a .csv file; returns the number of rows."""
    count = 0

    def counted() -> Iterator[list[Any]]:
        nonlocal count
        for count, row in enumerate(export_rows(stmt), start=1):  # noqa: B007
            yield row

    with open(path, "w", encoding="utf-8", newline="") as out:
        out.writelines(csv_chunks(EXPORT_HEADERS, counted()))
    return count


def template_choices(owners: Sequence[str] = ()) -> dict[str, Choice]:
    """The template's drop-down lists: coded columns, and the people the user may name."""
    statuses = [label for code, label in TARGET_STATUSES.items() if code != "converted"]
    choices = {
        "优先级": Choice(["A", "B", "C"], prompt="A 重点、B 一般、C 储备"),
        "状态": Choice(statuses),
        "招商方式": Choice(ATTRACTION_MODES, strict=False, prompt=SEVERAL),
        "企业标签": Choice(LABELS, strict=False, prompt=SEVERAL),
    }
    if owners:
        choices["负责人"] = Choice(list(owners))
    return choices


def write_template(
    target: str | IO[bytes], today: date | None = None, owners: Sequence[str] = ()
) -> None:
    """The import template: canonical headers, one example row and drop-down lists on the
    coded columns (``owners``: the 负责人 list); notes on a 填写说明 sheet."""
    example: list[Any] = [c.example for c in COLUMNS]
    if today is not None:
        follow_up = next(i for i, c in enumerate(COLUMNS) if c.field == "next_follow_up")
        example[follow_up] = today
    columns = [(c.header, width) for c, width in zip(COLUMNS, WIDTHS, strict=False)]
    notes = (*TEMPLATE_NOTES, GUIDE_NOTE)
    write_guided_template(target, "目标企业清单", columns, example, template_choices(owners), notes)
