"""A zone's planning image (PNG/JPEG, checked by content, size-limited, its pixel size read
from the file), polygons drawn on it (validated point lists), and parcel attachments (checked
and stored as project attachments are, under ``UPLOAD_DIR/land/``)."""

from __future__ import annotations

import hashlib
import json
import math
import os
import secrets
import struct
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.audit import record_audit
from crm.extensions import db
from crm.land.models import LandAttachment, Parcel, ZonePlan
from crm.projects.attachments import (
    KINDS,
    AttachmentError,
    clean_filename,
    detect_kind,
    max_bytes,
)

MAX_POINTS = 500
MIN_POINTS = 3
MAX_SIDE = 20000  # pixels of a planning image (and of the drawing plane without one)
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg"}
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


class PlanError(ValueError):
    """An image or a polygon that is refused; the message is for the user."""


def upload_dir() -> Path:
    configured = current_app.config.get("UPLOAD_DIR")
    base = Path(configured) if configured else Path(current_app.instance_path) / "uploads"
    return base / "land"


def plan_max_bytes() -> int:
    return int(current_app.config.get("LAND_PLAN_MAX_BYTES") or 10 * 1024 * 1024)


def image_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """(width, height) read from a PNG's IHDR or a JPEG's frame header, None if unreadable."""
    if kind == "png":
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        return struct.unpack(">II", data[16:24])
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        at += 2 + length
    return None


def _store(data: bytes, kind: str) -> str:
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{kind}"
    path = folder / stored_name
    with open(path, "xb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)
    return stored_name


def save_plan(zone_id: int, stream: IO[bytes], filename: str, actor: Any) -> ZonePlan:
    """Check and store a zone's planning image, replacing the previous one (caller commits)."""
    limit = plan_max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise PlanError(_l("图片过大，不能超过 %(value)s MB", value=limit // (1024 * 1024)))
    name = clean_filename(filename)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ("png", "jpg", "jpeg"):
        raise PlanError(_l("规划图只能是 PNG 或 JPG 图片"))
    try:
        kind = detect_kind(data, name)
    except AttachmentError as exc:
        raise PlanError(str(exc)) from None
    size = image_size(data, kind)
    if size is None or not (1 <= size[0] <= MAX_SIDE and 1 <= size[1] <= MAX_SIDE):
        raise PlanError(_l("读不出图片尺寸，或边长超过 %(n)s 像素", n=MAX_SIDE))
    plan = db.session.scalar(select(ZonePlan).where(ZonePlan.zone_id == zone_id))
    if plan is None:
        plan = ZonePlan(zone_id=zone_id)
        db.session.add(plan)
    plan.stored_name = _store(data, kind)
    plan.content_type, plan.size = IMAGE_TYPES[kind], len(data)
    plan.width, plan.height = size
    plan.uploaded_by_id = getattr(actor, "id", None)
    db.session.flush()
    record_audit(
        "upload", "land_zone_plan", plan.id, {"zone_id": zone_id, "size": len(data)}, actor=actor
    )
    return plan


def stored_path(stored_name: str) -> Path:
    if "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise FileNotFoundError(stored_name)
    return upload_dir() / stored_name


def clean_polygon(value: Any, plan: ZonePlan | None) -> list[list[float]] | None:
    """A polygon as [[x, y], …] in image pixels: 3 to 500 finite points within the image
    (``[]`` or None removes it). Anything else is refused with PlanError."""
    if value is None or value == []:
        return None
    if not isinstance(value, list):
        raise PlanError(_l("轮廓应为坐标点列表"))
    if not MIN_POINTS <= len(value) <= MAX_POINTS:
        raise PlanError(_l("轮廓应有 %(low)s 到 %(high)s 个点", low=MIN_POINTS, high=MAX_POINTS))
    width = plan.width if plan else MAX_SIDE
    height = plan.height if plan else MAX_SIDE
    points = []
    for point in value:
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise PlanError(_l("每个点应为 [x, y] 两个数"))
        x, y = point
        if any(isinstance(v, bool) or not isinstance(v, int | float) for v in (x, y)):
            raise PlanError(_l("坐标应为数字"))
        if not (math.isfinite(x) and math.isfinite(y)):
            raise PlanError(_l("坐标应为数字"))
        if not (0 <= x <= width and 0 <= y <= height):
            raise PlanError(_l("坐标超出规划图范围（%(w)s × %(h)s）", w=width, h=height))
        points.append([round(float(x), 1), round(float(y), 1)])
    if len({tuple(p) for p in points}) < MIN_POINTS:
        raise PlanError(_l("轮廓至少要有 3 个不同的点"))
    return points


def zone_outline(value: Any, zone_id: int) -> list[list[float]] | None:
    """An outline drawn on a zone's plan, given as a point list or its JSON text (a form's
    hidden field), checked against the zone's image; empty gives None."""
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = json.loads(value)
        except ValueError:
            raise PlanError(_l("轮廓应为坐标点列表")) from None
    plan = db.session.scalar(select(ZonePlan).where(ZonePlan.zone_id == zone_id))
    return clean_polygon(value, plan)


def save_land_attachment(parcel: Parcel, stream: IO[bytes], filename: str, actor: Any):
    """Check and store a parcel's attachment with the project attachments' rules."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise AttachmentError(
            _l("文件过大，单个附件不能超过 %(value)s MB", value=limit // (1024 * 1024))
        )
    name = clean_filename(filename)
    kind = detect_kind(data, name)
    attachment = LandAttachment(
        parcel_id=parcel.id,
        filename=name,
        stored_name=_store(data, kind),
        content_type=KINDS[kind][0],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(attachment)
    db.session.flush()
    record_audit(
        "upload", "land_parcel", parcel.id, {"filename": name, "size": len(data)}, actor=actor
    )
    return attachment
