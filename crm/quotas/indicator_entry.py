"""Entering an indicator's actual: for a period and a zone (or city-wide), with a source note
(来源说明) and optionally a supporting file.

Who enters what: coordinators and admins any zone's value and the city-wide one; a zone's
manager (开发区负责人) their own zone's values only — each zone reports its own figures in the
monthly cycle, while the city-wide figure is the city's (市级统筹). Staff and leaders read.
A zone's month closed by an accepted report (``crm.core.period_lock``) is corrected by the
city only, audited as a correction. Computed indicators (``indicator_compute``) refuse typed
values.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.audit import record_audit
from crm.core.period_lock import PERIOD_RE, is_locked
from crm.core.timeutil import utcnow
from crm.extensions import db
from crm.projects.attachments import (
    KINDS,
    AttachmentError,
    clean_filename,
    detect_kind,
    max_bytes,
    upload_dir,
)
from crm.quotas.indicator_compute import COMPUTED_HOOKS, is_computed
from crm.quotas.indicator_values import IndicatorError, parse_period, parse_value, text_of
from crm.quotas.models import Indicator, IndicatorActual
from crm.zones.models import Zone

CITY_ENTERERS = ("coordinator", "admin")
ENTERERS = ("manager", *CITY_ENTERERS)
MAX_NOTE = 500
_STORED_NAME = "{}.{}"


def computed_message(indicator: Indicator | None = None) -> str:
    hook = COMPUTED_HOOKS.get(indicator.code) if indicator is not None else None
    if hook is not None:
        return str(hook.message)
    return str(_l("该指标由系统根据落地项目企业的标签自动计算，不能手工录入或导入"))


def may_enter(user: Any) -> bool:
    """Whether the user enters actuals at all (their zones: :func:`entry_zone`)."""
    return getattr(user, "role", None) in ENTERERS


def entry_zone(indicator: Indicator, zone_id: int | None, actor: Any) -> int | None:
    """The zone a value goes to (None: city-wide), else IndicatorError for a zone the actor
    may not enter or the indicator does not take."""
    if indicator.zone_id is not None:  # a zone's own goal: its values are that zone's
        if zone_id not in (None, indicator.zone_id):
            raise IndicatorError(_l("该指标只属于一个开发区，不能为其他开发区录入"), "zone")
        zone_id = indicator.zone_id
    elif zone_id is not None:
        zone = db.session.get(Zone, zone_id)
        if zone is None or not zone.active:
            raise IndicatorError(_l("请选择开发区，或留空表示全市"), "zone")
    role = getattr(actor, "role", None)
    if role in CITY_ENTERERS:
        return zone_id
    if role == "manager" and actor.zone_id is not None:
        if zone_id is None:
            raise IndicatorError(_l("全市数值由市级统筹录入，开发区只录入本区数值"), "zone")
        if zone_id != actor.zone_id:
            raise IndicatorError(_l("只能录入本开发区的数值"), "zone")
        return zone_id
    raise IndicatorError(_l("只有开发区负责人和市级统筹可以录入实际值"), "zone")


def clean_note(text: Any) -> str:
    note = " ".join(str(text or "").split())
    if len(note) > MAX_NOTE:
        raise IndicatorError(_l("来源说明不能超过 %(max)s 个字", max=MAX_NOTE), "source_note")
    return note


def check_lock(zone_id: int | None, period: str, actor: Any) -> bool:
    """Whether this is a correction of a closed month (refused to zone users)."""
    if zone_id is None or not PERIOD_RE.fullmatch(period) or not is_locked(zone_id, period):
        return False
    if getattr(actor, "role", None) not in CITY_ENTERERS:
        raise IndicatorError(
            _l("%(period)s 的月报已被市级接收，该月已锁定；如需更正请联系市级统筹", period=period),
            "period",
        )
    return True


def record_actual(
    indicator: Indicator,
    period: Any,
    value: Any,
    actor: Any,
    *,
    zone_id: int | None = None,
    note: Any = "",
    upload: tuple[IO[bytes], str] | None = None,
) -> IndicatorActual:
    """Enter (or correct) an indicator's value for a period and zone, audited old → new."""
    if is_computed(indicator):
        raise IndicatorError(computed_message(indicator), "value")
    zone_id = entry_zone(indicator, zone_id, actor)
    period = parse_period(period)
    number = parse_value(value, indicator.unit)
    source_note = clean_note(note)
    correction = check_lock(zone_id, period, actor)
    row = find_actual(indicator.id, zone_id, period)
    old = None if row is None else (row.value, row.source_note)
    if row is None:
        row = IndicatorActual(indicator_id=indicator.id, zone_id=zone_id, period=period)
        db.session.add(row)
    row.value, row.source_note, row.computed = number, source_note, False
    row.entered_by_id, row.entered_at = getattr(actor, "id", None), utcnow()
    changes: dict[str, Any] = {}
    if upload is not None:
        changes["attachment"] = attach_file(row, *upload)
    db.session.flush()
    if old is None or Decimal(old[0]) != number:
        changes["value"] = [text_of(old[0]) if old else None, text_of(number)]
    if old is not None and old[1] != source_note:
        changes["source_note"] = [old[1], source_note]
    if changes:
        changes |= {"period": period, "zone_id": zone_id}
        action = "correct" if correction else "actual"
        record_audit(action, "indicator", indicator.id, changes, actor=actor)
    return row


def find_actual(indicator_id: int, zone_id: int | None, period: str) -> IndicatorActual | None:
    zone = (
        IndicatorActual.zone_id.is_(None) if zone_id is None else IndicatorActual.zone_id == zone_id
    )
    return db.session.scalar(
        select(IndicatorActual).where(
            IndicatorActual.indicator_id == indicator_id, IndicatorActual.period == period, zone
        )
    )


# --- the supporting file ----------------------------------------------------------------


def attachment_dir() -> Path:
    """``UPLOAD_DIR/indicators`` (beside the projects' files, same rules)."""
    return upload_dir().parent / "indicators"


def attach_file(row: IndicatorActual, stream: IO[bytes], filename: str) -> str:
    """Check (as a project attachment: size, type by content, no macros) and store a file for
    an actual, replacing the one it had (the old file is kept on disk); returns its name."""
    limit = max_bytes()
    data = stream.read(limit + 1)
    try:
        if len(data) > limit:
            raise AttachmentError(
                _l("文件过大，单个附件不能超过 %(value)s MB", value=limit // (1024 * 1024))
            )
        name = clean_filename(filename)
        kind = detect_kind(data, name)
    except AttachmentError as exc:
        raise IndicatorError(str(exc), "attachment") from None
    folder = attachment_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = _STORED_NAME.format(secrets.token_hex(16), kind)
    path = folder / stored
    with open(path, "xb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)
    row.attachment_name, row.attachment_stored = name, stored
    row.attachment_type, row.attachment_size = KINDS[kind][0], len(data)
    row.attachment_sha256 = hashlib.sha256(data).hexdigest()
    return name


def attachment_file(row: IndicatorActual) -> Path | None:
    """The stored file of an actual, if it has one on disk (names are ours, checked)."""
    stored = row.attachment_stored or ""
    stem, _dot, ext = stored.partition(".")
    if len(stem) != 32 or not all(c in "0123456789abcdef" for c in stem) or ext not in KINDS:
        return None
    path = attachment_dir() / stored
    return path if path.is_file() else None
