"""Reading one row of a project ledger (台账): Chinese headers, units, stages and dates.

Every problem is reported as (row, column, reason) with the column as the file names it; the
import itself (matching, stage history, all or nothing) lives in ``crm.projects.importing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

from flask_babel import lazy_gettext as _l

from crm.core.i18n import join_words
from crm.core.money import AmountError, parse_amount
from crm.core.tabular import HeaderMap, TabularError, parse_date
from crm.enterprises.uscc import UsccError, validate_uscc
from crm.imports.engine import RowError
from crm.imports.sheets import UNCOMPUTED_REASON, uncomputed_fields
from crm.projects.stages import ALL_STAGES, PIPELINE, rank, stage_label, stage_name

ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("项目名称", "项目"),
    "enterprise": ("投资方", "企业名称", "投资主体", "投资企业", "签约企业", "企业"),
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码"),
    "zone": ("所属开发区", "开发区", "所属园区", "园区"),
    "planned_total_wan": ("总投资", "计划总投资", "总投资额", "投资总额", "计划投资"),
    "contract_amount_wan": ("合同投资额", "合同投资", "签约投资额", "合同金额", "签约金额"),
    "actual_in_place_wan": ("累计到位", "实际到位", "累计实际到位", "到位资金", "累计到位资金"),
    "stage": ("当前阶段", "项目进度", "项目阶段", "进展阶段", "进度"),
    "signed": ("签约日期", "签约时间"),
    "registered": ("注册日期", "注册时间"),
    "land": ("供地日期", "拿地日期", "供地时间"),
    "construction": ("开工日期", "开工时间"),
    "production": ("投产日期", "投产时间"),
    "full_production": ("达产日期", "达产时间"),
    "paused": ("暂缓日期",),
    "terminated": ("终止日期", "退出日期"),
    "entered_on": ("入库日期", "录入日期", "立项日期"),
    "is_manufacturing": ("是否制造业", "制造业项目", "制造业"),
    "project_type": ("项目类型", "类型"),
    "reason": ("终止原因", "退出原因", "暂缓原因"),
    "owner": ("负责人", "项目负责人", "跟踪人", "责任人"),
    "industry": ("所属行业", "行业", "产业类别"),
    "next_step": ("下一步", "下一步工作", "推进计划"),
    "chain_node": ("产业链环节", "产业链", "所属产业链", "链条环节"),
}
AMOUNTS = ("planned_total_wan", "contract_amount_wan", "actual_in_place_wan")
DATED = ("signed", "registered", "land", "construction", "production", "full_production")
SIDE_DATED = ("paused", "terminated")
STAGE_WORDS: dict[str, tuple[str, ...]] = {
    "lead": ("线索", "谋划", "储备", "信息"),
    "contact": ("接洽", "对接", "走访", "已接触", "初步接触"),
    "negotiation": ("洽谈", "在谈", "谈判", "商谈", "正在洽谈"),
    "inspection": ("考察", "实地考察"),
    "signed": ("签约", "已签约", "签订合同", "已签合同", "正式签约"),
    "registered": ("注册", "已注册", "完成注册"),
    "land": ("供地", "已供地", "拿地", "已拿地"),
    "construction": ("开工", "已开工", "在建", "建设中", "开工建设"),
    "production": ("投产", "已投产", "竣工投产", "建成投产"),
    "full_production": ("达产", "已达产"),
    "paused": ("暂缓", "暂停", "搁置"),
    "terminated": ("终止", "已终止", "退出", "已退出", "放弃"),
}
YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", "×", "✗"}
TYPES = {
    "new": ("新引进", "新引进项目", "新建", "新项目", "新签约"),
    "expansion": ("增资扩产", "增资", "扩产", "增资扩建", "技改扩建"),
}


def column_label(name: str) -> str:
    """The canonical Chinese header of a field (for columns missing from the file)."""
    return ALIASES[name][0]


def stage_from_text(text: str) -> str | None:
    """A stage code from a ledger word (签约 / 已签约 / 在谈 …, the configured labels, codes)."""
    word = "".join(text.split()).lower()
    for code in ALL_STAGES:
        names = (stage_name(code).lower(), stage_label(code).lower())
        if word in (code, *names, *STAGE_WORDS.get(code, ())):
            return code
    return None


def infer_stage(dates: dict[str, date]) -> str:
    """The stage a row without one has reached: an exit or pause, else its furthest date."""
    for code in SIDE_DATED[::-1]:
        if code in dates:
            return code
    return max((code for code in dates if code in PIPELINE), key=rank)


@dataclass
class LedgerRow:
    """One ledger row, read and checked on its own (the zone object is resolved later)."""

    row: int
    name: str = ""
    enterprise: str = ""
    uscc: str | None = None
    zone_text: str = ""
    stage: str | None = None
    values: dict[str, Any] = field(default_factory=dict)  # project fields given in the row
    dates: dict[str, date] = field(default_factory=dict)  # stage code -> date it was reached
    entered_on: date | None = None
    owner_text: str = ""
    reason: str = ""
    chain_text: str = ""  # 产业链环节: linked to the chain nodes it names
    assumed: dict[str, str] = field(default_factory=dict)  # stage → the date's fallback
    warnings: list[RowError] = field(default_factory=list)  # reported unless unchanged


@dataclass
class LedgerReader:
    """Reads data rows under one header; ``labels`` are the file's own header texts."""

    header: HeaderMap
    labels: dict[str, str]
    today: date
    errors: list[RowError] = field(default_factory=list)

    def label(self, name: str) -> str:
        return self.labels.get(name) or column_label(name)

    def error(self, row: int, name: str, reason: str) -> None:
        self.errors.append(RowError(row, self.label(name), reason))

    def warn(self, row: LedgerRow, name: str, reason: str) -> None:
        row.warnings.append(RowError(row.row, self.label(name), reason))

    def read(self, number: int, cells: Sequence[str]) -> LedgerRow | None:
        """The row's values, or None when it has errors (recorded in ``errors``)."""
        before = len(self.errors)
        if formulas := uncomputed_fields(cells, self.header.columns):
            for name in formulas:
                self.error(number, name, UNCOMPUTED_REASON)
            return None
        cell = lambda name: self.header.value(cells, name).strip()  # noqa: E731
        row = LedgerRow(number, name=cell("name"), enterprise=cell("enterprise"))
        row.zone_text, row.owner_text, row.reason = cell("zone"), cell("owner"), cell("reason")
        row.chain_text = cell("chain_node")
        if len(row.chain_text) > 200:
            self.error(number, "chain_node", _l("产业链环节不能超过 200 个字符"))
        if not row.name:
            self.error(number, "name", _l("请填写项目名称"))
        elif len(row.name) > 200:
            self.error(number, "name", _l("项目名称不能超过 200 个字符"))
        if not row.enterprise:
            self.error(number, "enterprise", _l("请填写投资方（企业名称）"))
        if code := cell("uscc"):
            try:
                row.uscc = validate_uscc(code)
            except UsccError as exc:
                self.error(number, "uscc", str(exc))
        self._amounts(row, cell)
        self._flags(row, cell)
        if text := cell("stage"):
            row.stage = stage_from_text(text)
            if row.stage is None:
                known = join_words(stage_label(code) for code in ALL_STAGES)
                self.error(
                    number,
                    "stage",
                    _l("未知的阶段“%(text)s”，可填写：%(known)s", text=text, known=known),
                )
        self._dates(row, cell)
        if row.stage is None and row.dates:
            row.stage = infer_stage(row.dates)
        if len(self.errors) == before:
            self._stage_rules(row)
        return row if len(self.errors) == before else None

    def _amounts(self, row: LedgerRow, cell: Any) -> None:
        for name in AMOUNTS:
            if text := cell(name):
                try:
                    row.values[name] = parse_amount(text, self.header.units.get(name, "万元"))
                except AmountError as exc:
                    self.error(row.row, name, str(exc))

    def _flags(self, row: LedgerRow, cell: Any) -> None:
        if text := cell("is_manufacturing"):
            if text.lower() in YES:
                row.values["is_manufacturing"] = True
            elif text.lower() in NO:
                row.values["is_manufacturing"] = False
            else:
                self.error(row.row, "is_manufacturing", _l("“%(text)s”应填写“是”或“否”", text=text))
        if text := cell("project_type"):
            kind = next((code for code, words in TYPES.items() if text in words), None)
            if kind is None:
                self.error(
                    row.row,
                    "project_type",
                    _l("项目类型“%(text)s”应为“新引进”或“增资扩产”", text=text),
                )
            else:
                row.values["project_type"] = kind
        for name in ("industry", "next_step"):
            if text := cell(name):
                row.values[name] = text[: 500 if name == "next_step" else 100]

    def _dates(self, row: LedgerRow, cell: Any) -> None:
        for name in (*DATED, *SIDE_DATED, "entered_on"):
            text = cell(name)
            if not text:
                continue
            try:
                value = parse_date(text)
            except TabularError as exc:
                self.error(row.row, name, str(exc))
                continue
            if value > self.today:
                self.error(
                    row.row,
                    name,
                    _l(
                        "%(column_label)s（%(value)s）不能晚于今天",
                        column_label=column_label(name),
                        value=value,
                    ),
                )
            elif value.year < 2000:
                self.error(
                    row.row,
                    name,
                    _l(
                        "%(column_label)s（%(value)s）不在合理范围内",
                        column_label=column_label(name),
                        value=value,
                    ),
                )
            elif name == "entered_on":
                row.entered_on = value
            else:
                row.dates[name] = value

    def _stage_rules(self, row: LedgerRow) -> None:
        """Dates that the stage needs, in lifecycle order; the reason of a pause or an exit.

        Incomplete but meaningful rows are warnings with a fallback (see ``_assume``)."""
        stage, number = row.stage, row.row
        reached = rank(stage) if stage in PIPELINE else -1
        if stage in SIDE_DATED:
            reached = max((rank(code) for code in row.dates if code in PIPELINE), default=-1)
            if not row.reason:
                self.error(
                    number,
                    "reason",
                    _l("“%(stage_label)s”的项目须填写原因", stage_label=stage_label(stage)),
                )
            elif stage not in row.dates:
                self._assume(row, stage, self.today, _l("导入日期"))
        for code in DATED:
            if code in row.dates and rank(code) > reached:
                self.error(
                    number,
                    code,
                    _l(
                        "当前阶段为“%(stage_label)s”，不应填写%(column_label)s",
                        stage_label=stage_label(stage or "lead"),
                        column_label=column_label(code),
                    ),
                )
        if stage in PIPELINE and reached >= rank("signed"):
            self._pipeline_dates(row, stage)
        if reached >= rank("signed") and not row.values.get("contract_amount_wan"):
            if row.values.get("planned_total_wan"):
                row.values.pop("contract_amount_wan", None)
                reason = _l("已签约的项目未填写合同投资额，年度目标按计划总投资计入")
                self.warn(row, "contract_amount_wan", reason)
            else:
                reason = _l("已签约的项目须填写合同投资额（或至少填写计划总投资）")
                self.error(number, "contract_amount_wan", reason)
        self._date_order(row)

    def _pipeline_dates(self, row: LedgerRow, stage: str) -> None:
        """签约 and the current stage need a date: an empty cell is an error; a ledger without
        the column gets the next later date (签约) or the import date. Steps in between
        without a column are left out of the history (a warning says so)."""
        skipped = []
        for code in DATED:
            if code in row.dates or rank(code) > rank(stage):
                continue
            if code not in ("signed", stage):
                if code not in self.header.columns:
                    skipped.append(code)
                continue
            if code in self.header.columns:
                reason = _l(
                    "当前阶段为“%(stage_label)s”，须填写%(column_label)s",
                    stage_label=stage_label(stage),
                    column_label=column_label(code),
                )
                self.error(row.row, code, reason)
                continue
            later = [on for c, on in row.dates.items() if c in PIPELINE and rank(c) > rank(code)]
            if later:
                basis = next(c for c in DATED if row.dates.get(c) == min(later))
                self._assume(row, code, min(later), column_label(basis))
            else:
                self._assume(row, code, self.today, _l("导入日期"))
        if skipped:
            names = join_words(column_label(code) for code in skipped)
            steps = join_words(stage_label(code) for code in skipped)
            reason = _l(
                "台账没有%(names)s列，阶段历史中不记录%(steps)s这几步", names=names, steps=steps
            )
            self.warn(row, "stage", reason)

    def _assume(self, row: LedgerRow, stage: str, on: date, basis: object) -> None:
        """Date a step that has no date in the file, with a warning saying what was assumed."""
        row.dates[stage] = on
        assumed = str(
            _l(
                "未填写%(column)s，按%(basis)s（%(date)s）计",
                column=column_label(stage),
                basis=basis,
                date=on.isoformat(),
            )
        )
        row.assumed[stage] = assumed
        self.warn(row, stage, assumed)

    def _date_order(self, row: LedgerRow) -> None:
        steps = [(code, row.dates[code]) for code in (*DATED, *SIDE_DATED) if code in row.dates]
        for (before, earlier), (code, later) in pairwise(steps):
            if later < earlier:
                self.error(
                    row.row,
                    code,
                    _l(
                        "%(column_label)s（%(later)s）早于%(column_label2)s（%(earlier)s）",
                        column_label=column_label(code),
                        later=later,
                        column_label2=column_label(before),
                        earlier=earlier,
                    ),
                )
        if row.entered_on and steps and row.entered_on > steps[0][1]:
            self.error(
                row.row,
                "entered_on",
                _l(
                    "%(column_label)s晚于%(column_label2)s（%(value)s）",
                    column_label=column_label("entered_on"),
                    column_label2=column_label(steps[0][0]),
                    value=steps[0][1],
                ),
            )
