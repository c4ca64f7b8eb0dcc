"""Values of the goal list: periods (2026, 2026-Q3, 2026-09) and exact numbers, as people type them.

Values are exact decimals (never floats); an unclear entry ("约30亿", "三十", a wrong unit) is
refused with a message that says what to write instead.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l

from crm.core.timeutil import local_today
from crm.quotas.services import QuotaError, check_year

MAX_VALUE = Decimal("99999999999999")  # Numeric(18, 4)
_PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:[-/](?:(?P<q>[Qq][1-4])|(?P<month>\d{1,2})))?$")
_CN_PERIOD_RE = re.compile(
    r"^(?P<year>\d{4})年(?:(?P<month>\d{1,2})月|第?(?P<q>[1-4一二三四])季度?)?$"
)
_VAGUE_RE = re.compile(r"约|大约|左右|多|余|近|超|以上|以下|上下|不少于|不低于|至|到|~|～|—")
_VALUE_RE = re.compile(r"^(?P<num>\d+(?:\.\d+)?|\.\d+)(?P<unit>.*)$")
_CN_QUARTERS = {"一": "1", "二": "2", "三": "3", "四": "4"}
_UNIT_ALIASES = {"亿元": {"亿元", "亿"}, "%": {"%", "％"}, "万元/亩": {"万元/亩", "万/亩"}}


class IndicatorError(ValueError):
    """Invalid goal-list input; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def fold(text: Any) -> str:
    folded = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return "".join(folded.split())


def parse_period(text: Any) -> str:
    """ "2026", "2026-Q3", "2026-09" (also 2026/9, 2026年9月, 2026年第三季度), normalised."""
    raw = fold(text)
    match = _PERIOD_RE.fullmatch(raw) or _CN_PERIOD_RE.fullmatch(raw)
    if not raw or match is None:
        raise IndicatorError(
            _l("期间应写作 2026（全年）、2026-Q3（季度）或 2026-09（月份）"), "period"
        )
    try:
        year = check_year(match["year"])
    except QuotaError as exc:
        raise IndicatorError(str(exc), "period") from None
    quarter, month = match["q"], match["month"]
    if quarter:
        number = int(_CN_QUARTERS.get(quarter, quarter[-1]))
        period, first = f"{year}-Q{number}", date(year, 3 * number - 2, 1)
    elif month:
        if not 1 <= int(month) <= 12:
            raise IndicatorError(_l("月份应在 1 到 12 之间"), "period")
        period, first = f"{year}-{int(month):02d}", date(year, int(month), 1)
    else:
        period, first = str(year), date(year, 1, 1)
    if first > local_today():
        raise IndicatorError(_l("不能填写尚未开始的期间的实际值"), "period")
    return period


def period_end(period: str) -> tuple[date, int]:
    """(last month's first day, breadth) of a period: later ends first, a year beats a month."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 12, 1), 2
    if period[5] == "Q":
        return date(year, 3 * int(period[6]), 1), 1
    return date(year, int(period[5:7]), 1), 0


def parse_value(text: Any, unit: str = "", field: str = "value") -> Decimal:
    """An exact non-negative number, optionally followed by the indicator's own unit."""
    shown = str(text or "").strip()[:20]
    raw = fold(text).replace(",", "")
    if not raw:
        raise IndicatorError(_l("请填写数值"), field)
    if raw.startswith(("-", "−", "负")):
        raise IndicatorError(_l("数值不能为负数：“%(shown)s”", shown=shown), field)
    if _VAGUE_RE.search(raw):
        raise IndicatorError(
            _l("“%(shown)s”不是确切数字，请填写具体数值，如 2800", shown=shown), field
        )
    match = _VALUE_RE.fullmatch(raw)
    if match is None:
        raise IndicatorError(
            _l("无法识别“%(shown)s”，请只填写阿拉伯数字，如 2800 或 1.35", shown=shown), field
        )
    allowed = _UNIT_ALIASES.get(unit, {unit}) | {""}
    if match["unit"] not in allowed:
        raise IndicatorError(
            _l("“%(shown)s”的单位不对：该指标以“%(unit)s”计，请只填写数字", shown=shown, unit=unit),
            field,
        )
    try:
        value = Decimal(match["num"])
    except InvalidOperation:
        raise IndicatorError(_l("无法识别“%(shown)s”", shown=shown), field) from None
    if value > MAX_VALUE:
        raise IndicatorError(_l("数值过大，请检查"), field)
    if value != value.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP):
        raise IndicatorError(_l("最多保留 4 位小数"), field)
    return value


def text_of(value: Any) -> str | None:
    """A decimal without trailing zeros: 1.3500 → "1.35", 2800.0000 → "2800"."""
    if value is None:
        return None
    normal = Decimal(value).normalize()
    return f"{normal:f}"


def value_text(value: Any) -> str:
    """An indicator value for people (no trailing zeros)."""
    return text_of(value) or "—"
