"""The ledger (台账) import template: the headers the import reads, one example row, notes.

Importing the template as downloaded (into 高新区) passes the checks, so a zone can start from
it or compare its own ledger's headers with it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import IO, Any

from crm.enterprises.uscc import generate_uscc
from crm.imports.spreadsheets import XlsxWriter

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
    "第一个工作表是台账，第二个是说明；导入只读取第一个工作表。表头可以在标题行之下，列的顺序不限。",
    "必填：项目名称、投资方；未在页面上选择开发区时，“所属开发区”也必填（开发区全称、简称或代码）。",
    "金额单位写在表头的括号里：亿元、万元或元；未写单位按万元。可填“30亿”“3,000,000,000元”等写法。",
    "当前阶段：线索、接洽、洽谈、考察、签约、注册、供地、开工、投产、达产、暂缓、终止；"
    "签约、开工、投产等日期会生成阶段记录，签约须同时填写合同投资额。",
    "终止的项目须填写终止原因和终止日期。日期可写 2026-03-05、2026/3/5 或 2026年3月5日。",
    "产业链环节：填写环节名称，或“产业链-环节”，多个用顿号分隔；能唯一对应的环节会自动关联。",
    "任何一行有错误时不会写入任何数据；错误报告列出行号、列名和原因。",
)


def write_ledger_template(target: str | IO[bytes], today: date) -> None:
    """Write the template with an example signed 30 days ago, entered 120 days ago."""
    writer = XlsxWriter("项目台账", [width for _h, _e, width in COLUMNS])
    writer.header([header for header, _e, _w in COLUMNS])
    dates = {"入库日期": today - timedelta(days=120), "签约日期": today - timedelta(days=30)}
    writer.row([dates.get(header, example) for header, example, _w in COLUMNS])
    writer.add_sheet("填写说明", [100])
    for note in NOTES:
        writer.row([note], note=True)
    writer.save(target)
