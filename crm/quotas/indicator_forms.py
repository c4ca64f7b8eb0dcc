"""Goal-list forms: an actual (zone, period, value, source note, supporting file)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField

from crm.core.forms import choices
from crm.enterprises.forms import ChoiceField, maxlen
from crm.quotas.indicator_entry import CITY_ENTERERS, MAX_NOTE
from crm.quotas.models import Indicator
from crm.zones.services import visible_zones

CITY = ""  # the zone choice for the city-wide value


class ActualEntryForm(FlaskForm):
    """An indicator's value for a period and a zone (blank: city-wide)."""

    zone = ChoiceField(_l("范围"), validate_choice=True)
    period = StringField(_l("期间"), description=_l("如 2026、2026-Q3 或 2026-09"))
    value = StringField(_l("实际值"))
    source_note = TextAreaField(
        _l("来源说明"),
        validators=[maxlen(MAX_NOTE)],
        description=_l("数据出处，如：统计局 9 月快报、税务局提供"),
    )
    attachment = FileField(
        _l("附件（可选）"), description=_l("PDF、图片（PNG/JPG）或 .docx/.xlsx，不含宏")
    )


class ActualEditForm(FlaskForm):
    """A stored actual's value, source note and file (its zone and period stay)."""

    value = StringField(_l("实际值"))
    source_note = TextAreaField(_l("来源说明"), validators=[maxlen(MAX_NOTE)])
    attachment = FileField(
        _l("替换附件（可选）"), description=_l("PDF、图片（PNG/JPG）或 .docx/.xlsx，不含宏")
    )


def zone_choices(form: ActualEntryForm, indicator: Indicator, user: Any) -> None:
    """The zones the user may enter for this indicator (city-wide first for the city)."""
    if indicator.zone_id is not None:
        zone = indicator.zone_id
        form.zone.choices = choices([(str(zone), str(_l("本开发区指标")))])
        form.zone.data = str(zone)
        return
    pairs = []
    if user.role in CITY_ENTERERS:
        pairs.append((CITY, str(_l("全市"))))
        pairs += [(str(z.id), z.name) for z in visible_zones()]
    elif user.zone is not None:
        pairs.append((str(user.zone.id), user.zone.name))
    form.zone.choices = choices(pairs)
    if form.zone.data is None:
        form.zone.data = pairs[0][0] if pairs else CITY
