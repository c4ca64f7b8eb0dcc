"""Demo land for `flask demo`: each zone's 批而未供 parcels add up to the plan's figure (高新区
1 296 亩, 经开区 174 亩, 现代服务业开发区 900 亩), part of it already supplied in 2026, reserve
parcels above the 1 000 亩 the plan keeps, a few carriers, a drawn planning image per zone, and
reservations (one parcel held by two projects: a conflict for the city). A second run adds
nothing."""

from __future__ import annotations

import struct
import zlib
from datetime import date
from io import BytesIO

from sqlalchemy import select

from crm.core.timeutil import local_today
from crm.extensions import db
from crm.land.claims import claim
from crm.land.goals import PLAN_ISSUED
from crm.land.models import Parcel
from crm.land.plans import save_plan
from crm.land.services import change_status, create_building, create_parcel
from crm.projects.models import Project
from crm.zones.models import Zone

WIDTH, HEIGHT = 1200, 800
# zone: (code, name, 亩, use, status, supplied on, supplied to (project name)) …
PARCELS = {
    "gxq": [
        (
            "GX-P01",
            "智慧岛东片",
            "420",
            "industrial",
            "approved",
            "2026-05-20",
            "氢燃料电池电堆及系统项目",
        ),
        ("GX-P02", "先进钢铁材料园北片", "336", "industrial", "approved", "", ""),
        ("GX-P03", "电子信息产业园二期", "280", "industrial", "approved", "", ""),
        ("GX-P04", "装备制造园西片", "180", "industrial", "approved", "2026-09-10", ""),
        ("GX-P05", "生物医药园南片", "80", "industrial", "approved", "", ""),
        ("GX-R01", "高新区储备地块一", "300", "industrial", "reserve", "", ""),
        ("GX-R02", "高新区储备地块二", "220", "industrial", "reserve", "", ""),
        ("GX-X01", "原焦化厂闲置地块", "45", "industrial", "idle", "", ""),
    ],
    "jkq": [
        ("JK-P01", "有色金属循环产业园一期", "96", "industrial", "approved", "", ""),
        ("JK-P02", "新型储能产业园", "48", "industrial", "approved", "", ""),
        (
            "JK-P03",
            "再生资源分拣用地",
            "30",
            "industrial",
            "approved",
            "2026-06-15",
            "再生资源回收分拣中心项目",
        ),
        ("JK-R01", "经开区储备地块", "260", "industrial", "reserve", "", ""),
    ],
    "xdfw": [
        ("XD-P01", "多式联运物流园", "500", "storage", "approved", "", ""),
        (
            "XD-P02",
            "大宗商品仓储区",
            "250",
            "storage",
            "approved",
            "2026-04-08",
            "豫西大宗商品物流枢纽项目",
        ),
        ("XD-P03", "快递电商分拨中心用地", "150", "commercial", "approved", "", ""),
        ("XD-R01", "现代服务业开发区储备地块", "280", "storage", "reserve", "", ""),
    ],
}
BUILDINGS = {
    "gxq": [
        ("智慧岛标准厂房 A1", "standard", "6000", 3, "2026-03-01"),
        ("智慧岛标准厂房 A2", "standard", "4000", 2, ""),
    ],
    "jkq": [("经开区工业保障房 1 号", "guarantee", "3200", 4, "")],
    "xdfw": [("物流园通用仓库", "other", "8000", 1, "")],
}
NEEDS = {("gxq", "生物制剂产业化项目"): "80", ("jkq", "钼铜电子封装材料项目"): "45"}
RESERVED = [("gxq", "GX-P02", "高性能合金钢管项目"), ("gxq", "GX-P02", "特钢棒材技改扩产项目")]


def _day(text: str) -> date:
    return min(date.fromisoformat(text), local_today())


def _project(zone: Zone, name: str) -> Project | None:
    if not name:
        return None
    stmt = select(Project).where(Project.zone_id == zone.id, Project.deleted_at.is_(None))
    return db.session.scalars(stmt.where(Project.name == name)).first()


def plan_png(zone_index: int) -> bytes:
    """A simple planning image: a light ground, a road grid and a river, in PNG."""
    rows = []
    for y in range(HEIGHT):
        row = bytearray(b"\x00")
        for x in range(WIDTH):
            road = x % 300 < 14 or y % 200 < 14
            river = abs(y - (620 + zone_index * 20) - (x // 12) % 20) < 10
            colour = (200, 200, 200) if road else (150, 190, 230) if river else (244, 241, 228)
            row += bytes(colour)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _box(index: int) -> list[list[float]]:
    column, row = index % 4, index // 4
    left, top = 24 + column * 300, 24 + row * 200
    return [[left, top], [left + 260, top], [left + 260, top + 160], [left, top + 160]]


def load_demo_land() -> int:
    created = 0
    zones = {z.code: z for z in db.session.scalars(select(Zone))}
    for zone_index, (code, rows) in enumerate(PARCELS.items()):
        zone = zones.get(code)
        if zone is None or db.session.scalar(select(Parcel.id).where(Parcel.zone_id == zone.id)):
            continue
        save_plan(zone.id, BytesIO(plan_png(zone_index)), f"plan-{code}.png", None)
        for index, (pcode, name, mu, use, status, supplied, to) in enumerate(rows):
            parcel = create_parcel(
                zone.id,
                {
                    "code": pcode,
                    "name": name,
                    "area_mu": mu,
                    "land_use": use,
                    "batch": "2025 年度第三批次",
                    "approval_no": f"豫政土〔2025〕{100 + index} 号",
                    "approved_on": date(2025, 9, 30),
                    "location": zone.short_name,
                },
                None,
                status=status,
                on=min(PLAN_ISSUED, local_today()),
            )
            parcel.polygon = _box(index)
            created += 1
            project = _project(zone, to)
            if project is not None and supplied:
                claim(parcel, project, "supply", None, _day(supplied))
            elif supplied:
                change_status(parcel, "supplied", None, _day(supplied))
            if status == "idle":
                change_status(parcel, "reviving", None, _day("2026-10-12"), "引入新业主盘活")
        for name, kind, sqm, floors, leased in BUILDINGS.get(code, []):
            building = create_building(
                zone.id,
                {
                    "name": name,
                    "kind": kind,
                    "floor_area_sqm": sqm,
                    "floors": floors,
                    "clear_height_m": "9",
                    "floor_load_kn": "10",
                    "rent_yuan": "12",
                },
                None,
                on=min(PLAN_ISSUED, local_today()),
            )
            if leased:
                change_status(building, "leased", None, _day(leased))
        for (zone_code, name), mu in NEEDS.items():
            project = _project(zone, name) if zone_code == code else None
            if project is not None and project.land_need_mu is None:
                project.land_need_mu = mu
        for zone_code, pcode, name in RESERVED:
            project = _project(zone, name) if zone_code == code else None
            parcel = db.session.scalar(
                select(Parcel).where(Parcel.zone_id == zone.id, Parcel.code == pcode)
            )
            if project is not None and parcel is not None:
                claim(parcel, project, "reserve", None, _day("2026-11-02"))
        db.session.flush()
    return created
