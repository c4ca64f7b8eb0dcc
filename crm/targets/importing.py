"""The target-list spreadsheet: its columns, and one data row read into plain values.

Rules a person can rely on (they are repeated in the template's notes):
- a blank cell leaves the stored value as it is; a filled cell replaces it;
- a name that differs from the stored one is kept as an alias (the stored name stays);
- 所在地 is "省 市" (see ``crm.imports.cells.split_location``);
- 招商方式 and 企业标签 take several values separated by 、 , ， / ; or spaces;
- 优先级 takes A/B/C, 高/中/低, 重点/一般;
- a leading apostrophe written by our export before = + - @ is removed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from crm.core.i18n import join_words
from crm.core.tabular import TabularError, parse_date
from crm.core.timeutil import local_today
from crm.enterprises.names import normalize_name
from crm.enterprises.registration import is_gone
from crm.enterprises.services import EnterpriseError, clean_values
from crm.imports.cells import split_list, split_location, unguard
from crm.imports.engine import RowError
from crm.imports.sheets import UNCOMPUTED_REASON, uncomputed_fields
from crm.targets.models import ATTRACTION_MODES, TARGET_STATUSES
from crm.targets.provider_columns import (
    IGNORED,
    PROVIDER_ALIASES,
    REGISTRATION_FIELDS,
    gone_warning,
    read_registration,
)
from crm.targets.services import MAX_FUTURE


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the canonical header, written by the template and the export
    aliases: tuple[str, ...] = ()
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "企业名称",
        ("公司名称", "单位名称", "企业全称", "客户名称"),
        "河南示例新材料有限公司",
    ),
    Column(
        "uscc",
        "统一社会信用代码",
        ("信用代码", "社会信用代码", "统一信用代码"),
        "91419001MA4000001F",
    ),
    Column("aliases", "别名", ("企业别名", "企业简称", "简称"), "示例新材"),
    Column("location", "所在地", ("总部所在地", "所在地区", "注册地", "所属地区"), "河南省 郑州市"),
    Column("industry", "所属行业", ("行业", "行业类别"), "新材料"),
    Column("labels", "企业标签", ("标签",), "专精特新、高新技术企业"),
    Column("chain_position", "产业链环节", ("产业链", "链条环节"), "铅锌冶炼-精深加工"),
    Column("attraction_modes", "招商方式", ("招引方式",), "企业招商、资本招商"),
    Column("priority", "优先级", ("重点程度", "重要程度"), "A"),
    Column("status", "状态", ("跟进状态", "目标状态"), "待接触"),
    Column("owner", "负责人", ("责任人", "跟进人"), ""),
    Column("next_follow_up", "下次跟进日期", ("下次跟进", "下次跟进时间"), "2026-03-05"),
    Column("contact_name", "联系人", ("企业联系人", "联系人姓名"), "张三"),
    Column("contact_phone", "联系电话", ("手机", "手机号", "电话", "联系方式"), "13800000000"),
    Column("note", "备注", ("说明",), ""),
)
# Written by the export for information; recognised (not "unknown") and ignored on import.
ZONE_COLUMN = Column("zone", "所属开发区", ("开发区",))
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    **{c.field: (c.header, *c.aliases) for c in (*COLUMNS, ZONE_COLUMN)},
    **PROVIDER_ALIASES,  # data-provider exports (crm.targets.provider_columns)
}
HEADERS = {
    **{c.field: c.header for c in (*COLUMNS, ZONE_COLUMN)},
    **{name: aliases[0] for name, aliases in PROVIDER_ALIASES.items()},
}
ENTERPRISE_FIELDS = (
    "uscc",
    "aliases",
    "hq_province",
    "hq_city",
    "industry",
    "labels",
    *REGISTRATION_FIELDS,
)
TARGET_FIELDS = (
    "chain_position",
    "attraction_modes",
    "priority",
    "status",
    "owner_id",
    "next_follow_up",
    "note",
)
LIMITS = {"industry": 100, "chain_position": 200, "contact_name": 60, "contact_phone": 40}

PRIORITY_WORDS = {
    "a": "A",
    "b": "B",
    "c": "C",
    "高": "A",
    "重点": "A",
    "中": "B",
    "一般": "B",
    "低": "C",
}
STATUS_WORDS = {
    **{label: code for code, label in TARGET_STATUSES.items()},
    **{code: code for code in TARGET_STATUSES},
}


@dataclass
class ParsedRow:
    """One data row, validated on its own (the database is consulted later)."""

    row: int
    name: str
    normalized: str
    uscc: str | None
    enterprise: dict[str, Any] = field(default_factory=dict)  # filled cells only
    target: dict[str, Any] = field(default_factory=dict)  # filled cells only
    contact_name: str = ""
    contact_phone: str = ""
    warnings: list[RowError] = field(default_factory=list)  # reported when the row writes


def parse_modes(text: str) -> list[str]:
    modes = []
    for item in split_list(text):
        mode = item if item in ATTRACTION_MODES else f"{item}招商"
        if mode not in ATTRACTION_MODES:
            allowed = join_words(ATTRACTION_MODES)
            raise ValueError(
                _l("未知的招商方式“%(item)s”，可选：%(allowed)s", item=item, allowed=allowed)
            )
        if mode not in modes:
            modes.append(mode)
    return [mode for mode in ATTRACTION_MODES if mode in modes]


def parse_priority(text: str) -> str:
    key = text.strip().lower().removesuffix("类").removesuffix("级")
    if key not in PRIORITY_WORDS:
        raise ValueError(_l("优先级“%(text)s”无法识别，请填写 A、B、C（或 高、中、低）", text=text))
    return PRIORITY_WORDS[key]


@dataclass
class RowContext:
    """What row parsing needs to know: the zone's people and who imports."""

    zone_id: int | None
    actor_id: int | None
    actor_is_staff: bool
    owners: dict[str, list[int]]  # display name or login → ids of the zone's users
    today: date = field(default_factory=local_today)

    def owner_id(self, text: str) -> int:
        ids = self.owners.get(text, [])
        if self.zone_id is None:
            raise ValueError(_l("市级储备库的目标不设负责人，请清空该列"))
        if not ids:
            raise ValueError(_l("“%(text)s”不是该开发区的人员（请填写姓名或登录名）", text=text))
        if len(set(ids)) > 1:
            raise ValueError(_l("该开发区有多位人员叫“%(text)s”，请改填登录名", text=text))
        return ids[0]  # whether the importer may set it is decided against the stored owner


class RowReader:
    """Turns the cells of a data row into a ParsedRow, or the row's errors."""

    def __init__(
        self,
        columns: dict[str, int],
        header_cells: list[str],
        context: RowContext,
        units: dict[str, str] | None = None,
    ):
        skipped = ("zone", *IGNORED)
        self.columns = {name: i for name, i in columns.items() if name not in skipped}
        self.labels = {name: header_cells[i] for name, i in columns.items()}
        self.context = context
        self.units = units or {}
        # a provider export: phones without a contact column go to the 法定代表人
        self.phone_owner = "contact_name" not in columns and "contact_phone" in columns

    def column(self, name: str) -> str:
        return self.labels.get(name) or HEADERS.get(name, name)

    def read(self, number: int, cells: list[str]) -> ParsedRow | list[RowError] | None:
        """None for a row without any value in a known column."""
        if formulas := uncomputed_fields(cells, self.columns):
            return [RowError(number, self.column(name), UNCOMPUTED_REASON) for name in formulas]
        width = len(cells)
        values = {name: unguard(cells[i]) if i < width else "" for name, i in self.columns.items()}
        if not any(values.values()):
            return None
        errors: list[RowError] = []

        def fail(name: str, reason: str) -> None:
            errors.append(RowError(number, self.column(name), reason))

        parsed = self._enterprise(number, values, fail)
        self._target(parsed, values, fail)
        contact, phone = values.get("contact_name", ""), values.get("contact_phone", "")
        if self.phone_owner:
            phone = phone.split()[0][: LIMITS["contact_phone"]] if phone.strip() else ""
            contact = parsed.enterprise.get("legal_representative", "")[:60] if phone else ""
            phone = phone if contact else ""
        for name, text in (("contact_name", contact), ("contact_phone", phone)):
            if len(text) > LIMITS[name]:
                fail(name, f"不能超过 {LIMITS[name]} 个字符")
        if phone and not contact:
            fail("contact_name", "填写了联系电话，请同时填写联系人")
        parsed.contact_name, parsed.contact_phone = contact, phone
        return errors or parsed

    def _enterprise(self, number: int, values: dict[str, str], fail) -> ParsedRow:
        name = values.get("name", "")
        if not name:
            fail("name", "企业名称不能为空")
        raw: dict[str, Any] = {}
        if values.get("uscc"):
            raw["uscc"] = values["uscc"]
        if values.get("aliases"):
            raw["aliases"] = values["aliases"]
        if values.get("location"):
            raw["hq_province"], raw["hq_city"] = split_location(values["location"])
        if values.get("province") or values.get("city"):  # provider exports: 所属省份, 所属城市
            raw["hq_province"] = values.get("province") or raw.get("hq_province", "")
            raw["hq_city"] = values.get("city") or raw.get("hq_city", "")
        if "hq_province" in raw and max(len(raw["hq_province"]), len(raw["hq_city"])) > 40:
            fail("location", "所在地过长（省、市各不超过 40 个字符）")
        if values.get("former_names"):  # 曾用名 are aliases too
            raw["aliases"] = "、".join(
                filter(None, [values.get("aliases"), values["former_names"]])
            )
        if values.get("industry"):
            raw["industry"] = values["industry"]
            if len(raw["industry"]) > LIMITS["industry"]:
                fail("industry", f"不能超过 {LIMITS['industry']} 个字符")
        if values.get("labels"):
            raw["labels"] = split_list(values["labels"])
        try:  # usually every cell is fine: check them together
            clean = clean_values({"name": "-", **raw})
        except EnterpriseError:  # then one at a time, so every bad cell is reported
            clean = {}
            for key, value in raw.items():
                try:
                    clean.update(clean_values({"name": "-", key: value}))
                except EnterpriseError as exc:
                    column = {"hq_province": "location", "hq_city": "location"}.get(key, key)
                    fail(column, str(exc))
        if name and len(name) > 200:
            fail("name", "企业名称不能超过 200 个字符")
        enterprise = {k: clean[k] for k in ENTERPRISE_FIELDS if k in clean}
        if "hq_province" in raw:  # "北京市" alone: keep both halves as written
            enterprise["hq_province"], enterprise["hq_city"] = raw["hq_province"], raw["hq_city"]
        status = read_registration(values, self.units, enterprise, fail)
        parsed = ParsedRow(
            row=number,
            name=name,
            normalized=normalize_name(name) if name else "",
            uscc=enterprise.get("uscc"),
            enterprise=enterprise,
        )
        if is_gone(status):
            column = self.column("business_status")
            parsed.warnings.append(RowError(number, column, gone_warning(status)))
        return parsed

    def _target(self, parsed: ParsedRow, values: dict[str, str], fail) -> None:
        target = parsed.target
        readers = {
            "attraction_modes": parse_modes,
            "priority": parse_priority,
            "status": self._status,
            "owner": self.context.owner_id,
            "next_follow_up": self._follow_up,
        }
        for name, reader in readers.items():
            if values.get(name):
                try:
                    target["owner_id" if name == "owner" else name] = reader(values[name])
                except (ValueError, TabularError) as exc:
                    fail(name, str(exc))
        if values.get("chain_position"):
            target["chain_position"] = values["chain_position"]
            if len(values["chain_position"]) > LIMITS["chain_position"]:
                fail("chain_position", f"不能超过 {LIMITS['chain_position']} 个字符")
        if values.get("note"):
            target["note"] = values["note"]

    @staticmethod
    def _status(text: str) -> str:
        if text not in STATUS_WORDS:
            allowed = join_words(label for label in TARGET_STATUSES.values())
            raise ValueError(
                _l("状态“%(text)s”无法识别，可选：%(allowed)s", text=text, allowed=allowed)
            )
        return STATUS_WORDS[text]

    def _follow_up(self, text: str) -> date:
        day = parse_date(text)
        if not date(2000, 1, 1) <= day <= self.context.today + MAX_FUTURE:
            raise ValueError(
                _l(
                    "下次跟进日期 %(isoformat)s 不在合理范围内（三年之内）",
                    isoformat=day.isoformat(),
                )
            )
        return day
