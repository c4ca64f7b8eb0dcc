"""Chain definitions in and out (JSON and Excel), and the roadmap workbook."""

from __future__ import annotations

import io
import json
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook
from sqlalchemy import select

from crm.chains.models import MILESTONE_STATUSES, SEGMENTS, STATUSES, STRATEGIES, Chain
from crm.chains.seed import build_chain
from crm.core.downloads import ascii_name, download, pinyin_slug
from crm.core.i18n import join_words
from crm.core.tabular import check_xlsx_safety
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.imports.spreadsheets import XLSX_MIMETYPE, XlsxWriter
from crm.zones.models import Zone

SEGMENT_CODES = {**{v: k for k, v in SEGMENTS.items()}, **{k: k for k in SEGMENTS}}
STRATEGY_CODES = {**{v: k for k, v in STRATEGIES.items()}, **{k: k for k in STRATEGIES}, "": ""}
SHEET_HEADERS = [
    "产业链",
    "主导产业",
    "开发区",
    "链长",
    "环节",
    "上级环节",
    "位置",
    "策略",
    "重点产品",
]


class ChainImportError(ValueError):
    """A chain definition that cannot be loaded; nothing was written."""


def _node_spec(node, children_of) -> list:
    return [
        SEGMENTS[node.segment],
        node.name,
        STRATEGIES.get(node.strategy, ""),
        node.key_products,
        [_node_spec(child, children_of) for child in children_of.get(node.id, [])],
    ]


def export_definitions(chains: list[Chain]) -> list[dict[str, Any]]:
    """Chains with their node trees as plain data (segment and strategy in Chinese)."""
    out = []
    for chain in chains:
        children_of: dict[int | None, list] = {}
        for node in chain.nodes:
            children_of.setdefault(node.parent_id, []).append(node)
        out.append(
            {
                "name": chain.name,
                "lead_industry": chain.lead_industry,
                "chain_leader": chain.chain_leader,
                "zones": [z.code for z in chain.zones],
                "nodes": [_node_spec(n, children_of) for n in children_of.get(None, [])],
            }
        )
    return out


def _validate_nodes(chain_name: str, nodes: Any, seen: set[str], path: str) -> list[tuple]:
    if not isinstance(nodes, list):
        raise ChainImportError(
            _l("%(chain_name)s：%(path)snodes 应为列表", chain_name=chain_name, path=path)
        )
    clean = []
    for index, item in enumerate(nodes, start=1):
        where = f"{path}第 {index} 个环节"
        if not isinstance(item, list | tuple) or len(item) != 5:
            raise ChainImportError(
                _l(
                    "%(chain_name)s：%(where)s格式应为 [位置, 名称, 策略, 重点产品, 下级]",
                    chain_name=chain_name,
                    where=where,
                )
            )
        segment, name, strategy, products, children = item
        if segment not in SEGMENT_CODES:
            raise ChainImportError(
                _l(
                    "%(chain_name)s：%(where)s的位置“%(segment)s”未知（上游/中游/下游/配套）",
                    chain_name=chain_name,
                    where=where,
                    segment=segment,
                )
            )
        if strategy not in STRATEGY_CODES:
            raise ChainImportError(
                _l(
                    "%(chain_name)s：%(where)s的策略“%(strategy)s”未知（强链/补链/延链）",
                    chain_name=chain_name,
                    where=where,
                    strategy=strategy,
                )
            )
        name = str(name or "").strip()
        if not name:
            raise ChainImportError(
                _l("%(chain_name)s：%(where)s缺少名称", chain_name=chain_name, where=where)
            )
        if name in seen:
            raise ChainImportError(
                _l("%(chain_name)s：环节名称“%(name)s”重复", chain_name=chain_name, name=name)
            )
        seen.add(name)
        sub = _validate_nodes(chain_name, children, seen, f"{path}{name} 的")
        clean.append((SEGMENT_CODES[segment], name, STRATEGY_CODES[strategy], str(products), sub))
    return clean


def import_definitions(data: Any, *, replace: bool = False) -> dict[str, int]:
    """Load chains from plain data, all or nothing; an existing chain is skipped unless
    ``replace`` (then it is refused when its nodes hold links)."""
    if not isinstance(data, list):
        raise ChainImportError(_l("文件内容应为产业链列表"))
    zones = {z.code: z for z in db.session.scalars(select(Zone))}
    specs, names = [], set()
    for item in data:
        name = str((item or {}).get("name", "")).strip() if isinstance(item, dict) else ""
        if not name:
            raise ChainImportError(_l("每条产业链都需要名称"))
        if name in names:
            raise ChainImportError(_l("产业链“%(name)s”重复", name=name))
        names.add(name)
        unknown = [c for c in item.get("zones", []) if c not in zones]
        if unknown:
            raise ChainImportError(
                _l("%(name)s：未知的开发区代码 %(join)s", name=name, join=join_words(unknown))
            )
        specs.append(
            {**item, "name": name, "nodes": _validate_nodes(name, item.get("nodes"), set(), "")}
        )
    created = skipped = 0
    existing = {c.name: c for c in db.session.scalars(select(Chain))}
    for index, spec in enumerate(specs):
        if spec["name"] in existing:
            if not replace:
                skipped += 1
                continue
            raise ChainImportError(
                _l("产业链“%(value)s”已存在，请先在系统中删除或改名", value=spec["name"])
            )
        build_chain(spec, zones, 100 + index * 10)
        created += 1
    db.session.flush()
    return {"created": created, "skipped": skipped}


def read_definitions_file(path: str) -> Any:
    """JSON, or an .xlsx with one row per node (headers as SHEET_HEADERS)."""
    if path.lower().endswith(".json"):
        try:
            with open(path, encoding="utf-8-sig") as handle:
                return json.load(handle)
        except (OSError, ValueError) as exc:
            raise ChainImportError(_l("无法读取 JSON 文件：%(exc)s", exc=exc)) from exc
    if not path.lower().endswith(".xlsx"):
        raise ChainImportError(_l("只支持 .json 和 .xlsx 文件"))
    check_xlsx_safety(path)
    sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if not rows or [str(c or "").strip() for c in rows[0][: len(SHEET_HEADERS)]] != SHEET_HEADERS:
        raise ChainImportError(_l("表头应为：%(headers)s", headers=join_words(SHEET_HEADERS)))
    chains: dict[str, dict] = {}
    nodes: dict[tuple[str, str], list] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = [str(c).strip() if c is not None else "" for c in row[: len(SHEET_HEADERS)]]
        cells += [""] * (len(SHEET_HEADERS) - len(cells))
        chain_name, industry, zone_codes, leader, name, parent, segment, strategy, products = cells
        if not chain_name and not name:
            continue
        chain = chains.setdefault(
            chain_name,
            {
                "name": chain_name,
                "lead_industry": industry,
                "chain_leader": leader,
                "zones": [z for z in zone_codes.replace("，", ",").split(",") if z],
                "nodes": [],
            },
        )
        spec = [segment, name, strategy, products, []]
        if (chain_name, name) in nodes:
            raise ChainImportError(
                _l("第 %(number)s 行：环节“%(name)s”重复", number=number, name=name)
            )
        nodes[(chain_name, name)] = spec
        if parent:
            if (chain_name, parent) not in nodes:
                raise ChainImportError(
                    _l(
                        "第 %(number)s 行：上级环节“%(parent)s”须出现在本行之前",
                        number=number,
                        parent=parent,
                    )
                )
            nodes[(chain_name, parent)][4].append(spec)
        else:
            chain["nodes"].append(spec)
    return list(chains.values())


def definitions_workbook(chains: list[Chain]) -> bytes:
    """Chain definitions as an .xlsx (one row per node, parents before children)."""
    writer = XlsxWriter("产业链", widths=(16, 12, 10, 12, 24, 20, 8, 8, 30))
    writer.header(SHEET_HEADERS)
    for chain in chains:
        names = {n.id: n.name for n in chain.nodes}
        zones = ",".join(z.code for z in chain.zones)
        for node in _parents_first(chain.nodes):
            writer.row(
                (
                    chain.name,
                    chain.lead_industry,
                    zones,
                    chain.chain_leader,
                    node.name,
                    names.get(node.parent_id, ""),
                    SEGMENTS[node.segment],
                    STRATEGIES.get(node.strategy, ""),
                    node.key_products,
                )
            )
    buffer = io.BytesIO()
    writer.save(buffer)
    return buffer.getvalue()


def _parents_first(nodes: list) -> list:
    by_parent: dict[int | None, list] = {}
    for node in nodes:
        by_parent.setdefault(node.parent_id, []).append(node)
    ordered, stack = [], list(reversed(by_parent.get(None, [])))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(by_parent.get(node.id, [])))
    return ordered


def roadmap_workbook(chain: Chain, rows: list) -> Any:
    """The roadmap of a chain as an Excel download."""
    writer = XlsxWriter("招商路线图", widths=(8, 22, 8, 8, 8, 40, 16, 16, 12, 40))
    writer.header(
        [
            "优先级",
            "环节",
            "位置",
            "策略",
            "状态",
            "目标企业",
            "负责开发区",
            "负责人",
            "进展",
            "里程碑",
        ]
    )
    for row in rows:
        node = row.view.node
        milestones = "；".join(
            f"{m.quarter} {m.title}（{MILESTONE_STATUSES.get(m.status, m.status)}）"
            for m in row.milestones
        )
        writer.row(
            (
                node.priority,
                node.name,
                SEGMENTS[node.segment],
                STRATEGIES.get(node.strategy, ""),
                STATUSES[row.view.status],
                "、".join(t.enterprise.name for t in row.targets),
                "、".join(row.zones),
                "、".join(row.owners),
                row.progress_label,
                milestones,
            )
        )
    buffer = io.BytesIO()
    writer.save(buffer)
    buffer.seek(0)
    return download(
        buffer,
        f"{chain.name}-招商路线图.xlsx",
        ascii_name("roadmap", pinyin_slug(chain.name), local_today(), ext="xlsx"),
        XLSX_MIMETYPE,
    )
