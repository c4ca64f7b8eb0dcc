"""The ledger (台账) import template: the headers the import reads, one example row, notes.

Importing the template as downloaded (into 高新区) passes the checks, so a zone can start from
it or compare its own ledger's headers with it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import IO, Any

from crm.enterprises.uscc import generate_uscc
from crm.imports.guided import Choice, write_guided_template
from crm.projects.stages import ALL_STAGES, stage_label

SUZHOU = "320500"

# (header, example, width); headers are the first name of each column the import reads
COLUMNS: tuple[tuple[str, Any, int], ...] = (
    ("项目名称", "高纯金属材料项目", 24),
    ("投资方", "江苏示例新材料股份有限公司", 28),
    ("统一社会信用代码", generate_uscc(random.Random(2026), SUZHOU), 22),
    ("所属开发区", "高新区", 12),
    ("总投资（亿元）", 12, 12),
    ("合同投资额（亿元）", 12, 14),
    ("累计到位（万元）", 3000, 14),
    ("当前阶段", "签约", 10),
    ("入库日期", None, 12),
    ("签约日期", None, 12),
    ("开工日期", "", 12),
    ("投产日期", "", 12),
    ("是否制造业", "是", 10),
    ("项目类型", "新引进", 10),
    ("负责人", "", 10),
    ("所属行业", "有色金属材料", 14),
    ("产业链环节", "有色金属材料-电子铜箔", 22),
    ("下一步", "办理注册", 20),
    ("终止原因", "", 16),
)
NOTES = (
    "导入读取表头所在的工作表（即“项目台账”），其他工作表不影响导入。表头可以在标题行之下，列的顺序不限。",
    "当前阶段、是否制造业、项目类型、所属开发区和负责人可从下拉列表中选择；只用下拉列表填写的行可以直接导入。",
    "必填：项目名称、投资方；未在页面上选择开发区时，“所属开发区”也必填（开发区全称、简称或代码）。",
    "金额单位写在表头的括号里：亿元、万元或元；未写单位按万元。可填“30亿”“3,000,000,000元”等写法。",
    "当前阶段：线索、接洽、洽谈、考察、签约、注册、供地、开工、投产、达产、暂缓、终止；"
    "签约、开工、投产等日期会生成阶段记录；已签约未填合同投资额的，年度目标按计划总投资计入（提示）。",
    "终止、暂缓的项目须填写原因；未填日期的按导入当天计（提示）。",
    "日期可写 2026-03-05、2026/3/5 或 2026年3月5日。",
    "产业链环节：填写环节名称，或“产业链-环节”，多个用顿号分隔；能唯一对应的环节会自动关联。",
    "任何一行有错误时不会写入任何数据；错误报告列出行号、列名和原因。",
)


def ledger_choices(zones: Sequence[str], owners: Sequence[str] = ()) -> dict[str, Choice]:
    """The drop-down lists: stages, yes/no, project types, zones and the people to name."""
    choices = {
        "当前阶段": Choice(
            [stage_label(code) for code in ALL_STAGES],
            prompt="签约及以后须填写签约日期和金额；暂缓、终止须填写原因",
        ),
        "是否制造业": Choice(["是", "否"]),
        "项目类型": Choice(["新引进", "增资扩产"]),
        "所属开发区": Choice(list(zones)),
    }
    if owners:
        choices["负责人"] = Choice(list(owners))
    return choices


def write_ledger_template(
    target: str | IO[bytes],
    today: date,
    zones: Sequence[str] = ("高新区",),
    owners: Sequence[str] = (),
) -> None:
    """Write the template with an example signed 30 days ago, entered 120 days ago, in the
    first of ``zones`` (the zones the user may import into, by short name)."""
    dates = {"入库日期": today - timedelta(days=120), "签约日期": today - timedelta(days=30)}
    example = [dates.get(header, example) for header, example, _w in COLUMNS]
    example[[h for h, _e, _w in COLUMNS].index("所属开发区")] = zones[0] if zones else ""
    columns = [(header, width) for header, _e, width in COLUMNS]
    write_guided_template(
        target, "项目台账", columns, example, ledger_choices(zones, owners), NOTES
    )
