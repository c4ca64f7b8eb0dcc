"""Money: parse and format amounts stored as integer 万元 (never floats).

Rounding rule: every input is converted exactly with ``Decimal`` and then rounded to the
nearest whole 万元 with ROUND_HALF_UP, whatever its unit. So "3,000,012,345元" → 300001,
"1.23456亿" → 12346 and "300000.5万" → 300001. A positive amount that rounds to 0 (less than
0.5万元) is refused rather than silently stored as zero. Display values (亿元, two decimals)
are for people only; thresholds are always compared on the stored integer.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

from crm.core.i18n import is_english

YI = 10000  # 1亿元 = 10000万元
MAX_WAN = 1_000_000_000  # 100000亿元: anything above is treated as a typing mistake

_UNIT_FACTORS: dict[str, Decimal] = {
    "元": Decimal("0.0001"),
    "万": Decimal(1),
    "万元": Decimal(1),
    "亿": Decimal(YI),
    "亿元": Decimal(YI),
}
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_AMOUNT_RE = re.compile(rf"(?P<num>{_NUMBER})(?P<unit>亿元|亿|万元|万|元)?")
_VAGUE_RE = re.compile(r"约|大约|左右|多|余|近|超|以上|以下|上下|不少于|不低于|至|到|~|～|—|-")
_CHINESE_NUMERAL_RE = re.compile(r"[零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟]")
_CURRENCY_RE = re.compile(r"^(?:人民币|rmb|cny|¥|￥)|(?:人民币|rmb|cny)$", re.IGNORECASE)
_MAX_LENGTH = 40


class AmountError(ValueError):
    """An amount a person typed that cannot be stored as whole 万元."""


def _fold(text: str) -> str:
    """NFKC-fold (full-width digits, commas, spaces → ASCII) and drop all whitespace."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(folded.split())


def parse_amount(text: str, default_unit: str = "万元") -> int:
    """Parse an amount such as "30亿", "3,000,000,000元" or "300000" into integer 万元."""
    if default_unit not in _UNIT_FACTORS:
        raise ValueError(f"unknown default unit {default_unit!r}")
    raw = "" if text is None else str(text)
    compact = _fold(raw)
    if not compact:
        raise AmountError(_l("金额不能为空"))
    if len(compact) > _MAX_LENGTH:
        raise AmountError(_l("金额“%(value)s…”过长，请检查", value=raw.strip()[:20]))
    compact = _CURRENCY_RE.sub("", compact)
    if compact.startswith(("-", "−", "负")):
        raise AmountError(_l("金额不能为负数：“%(value)s”", value=raw.strip()))
    if _VAGUE_RE.search(compact):
        raise AmountError(
            _l(
                "金额“%(value)s”不是确切数字，请填写具体金额，如 30亿元 或 300000万元",
                value=raw.strip(),
            )
        )
    if _CHINESE_NUMERAL_RE.search(compact):
        raise AmountError(_l("金额“%(value)s”请使用阿拉伯数字填写，如 30亿元", value=raw.strip()))
    match = _AMOUNT_RE.fullmatch(compact)
    if match is None:
        raise AmountError(
            _l(
                "无法识别的金额“%(value)s”，请填写数字和单位，如 30亿元、300000万元",
                value=raw.strip(),
            )
        )
    number = Decimal(match["num"].replace(",", ""))
    exact_wan = number * _UNIT_FACTORS[match["unit"] or default_unit]
    if exact_wan > MAX_WAN:
        raise AmountError(_l("金额过大：“%(value)s”超过 100000亿元，请检查单位", value=raw.strip()))
    wan = int(exact_wan.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if wan == 0 and exact_wan > 0:
        raise AmountError(_l("金额“%(value)s”不足 1万元；系统以万元为最小单位", value=raw.strip()))
    return wan


def _yi_decimal(wan: int) -> Decimal:
    """The stored 万元 integer as 亿元, rounded half up to two decimals."""
    return (Decimal(int(wan)) / YI).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def wan_to_yi_str(wan: int | None) -> str:
    """12345 → "1.23" (亿元, two decimals, no unit); None → ""."""
    if wan is None:
        return ""
    return f"{_yi_decimal(wan):f}"


def format_yi(wan: int | None) -> str:
    """300000 → "30.00亿元"; None → "—"."""
    if wan is None:
        return "—"
    if is_english():
        return f"{wan_to_yi_str(wan)} × 100M CNY"
    return f"{wan_to_yi_str(wan)}亿元"


def format_wan(wan: int | None) -> str:
    """300000 → "300,000万元"; None → "—"."""
    if wan is None:
        return "—"
    if is_english():
        return f"{int(wan):,} × 10k CNY"
    return f"{int(wan):,}万元"
