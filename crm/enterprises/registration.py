"""Registration facts (工商登记信息) as data providers write them: capital, status, counts.

企查查, 天眼查, 启信宝 and the 国家企业信用信息公示系统 write registered capital as
"5000万人民币", "1,000万美元", "5000万元人民币", "5000.000000万人民币" or "500万(元)"; a
missing value as "-", "--" or "暂无". Capital is kept in 万 of its currency, rounded to a whole
万 (half up), with the currency beside it.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

NOT_GIVEN = frozenset(
    {"-", "--", "---", "—", "——", "/", "无", "暂无", "未公开", "不公示", "null", "none"}
    | {"NULL", "Null", "None", "NONE"}
)
CURRENCIES = {
    "人民币": "人民币",
    "元": "人民币",
    "美元": "美元",
    "美金": "美元",
    "港元": "港元",
    "港币": "港元",
    "欧元": "欧元",
    "日元": "日元",
    "英镑": "英镑",
    "澳元": "澳元",
    "加元": "加元",
    "韩元": "韩元",
    "新台币": "新台币",
    "新加坡元": "新加坡元",
    "瑞士法郎": "瑞士法郎",
}
_AMOUNT = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>亿|万)?(?P<rest>.*)$")
# canonical status → the words providers use for it
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "存续": ("存续", "在业", "在营", "开业", "在册", "正常"),
    "注销": ("注销", "已注销"),
    "吊销": ("吊销", "已吊销"),
    "迁出": ("迁出", "已迁出"),
    "撤销": ("撤销", "已撤销"),
    "停业": ("停业", "歇业"),
    "清算": ("清算", "清算中"),
}
BUSINESS_STATUSES = tuple(STATUS_WORDS)
GONE = ("注销", "吊销", "迁出")  # no longer operating where it was registered
_STATUS = {word: code for code, words in STATUS_WORDS.items() for word in words}
_OWNERSHIP_HINTS = (
    ("国有", "国有"),
    ("全民所有制", "国有"),
    ("港澳台", "港澳台"),
    ("台港澳", "港澳台"),
    ("外商", "外资"),
    ("外国", "外资"),
    ("中外合资", "外资"),
    ("中外合作", "外资"),
    ("自然人", "民营"),
    ("私营", "民营"),
    ("个人独资", "民营"),
    ("合伙", "民营"),
)


def given(text: str | None) -> str:
    """The (cleaned) cell, or "" for a provider's "no value" mark."""
    return "" if not text or text in NOT_GIVEN else text


@lru_cache(maxsize=4096)  # a provider export repeats a few hundred values
def parse_capital(
    text: str, unit: str | None = None, label: str = "注册资本"
) -> tuple[int | None, str]:
    """(万 of the currency, currency) from "5000万人民币", "1,000万美元", "1.2亿元"; a bare
    number is in ``unit`` (the header's, e.g. 注册资本（万元）), else in 万元 as usual."""
    compact = re.sub(r"[\s,，()（）]", "", given(text))
    if not compact:
        return None, ""
    match = _AMOUNT.match(compact)
    if match is None:
        raise ValueError(f"{label}“{text}”无法识别，请填写如“5000万人民币”“1,000万美元”")
    try:
        number = Decimal(match["number"])
    except InvalidOperation as exc:  # pragma: no cover — the pattern admits only digits
        raise ValueError(f"{label}“{text}”无法识别") from exc
    rest = match["rest"]
    if rest.startswith("元") and rest != "元":
        rest = rest[1:]  # 万元人民币 → 人民币
    currency = CURRENCIES.get(rest or "元")
    if currency is None:
        raise ValueError(f"{label}“{text}”的币种“{rest}”无法识别")
    written = match["unit"] or ("" if match["rest"].startswith("元") else None)
    if written is None:  # no unit in the cell: the header's, else 万
        written = {"亿元": "亿", "元": ""}.get(unit or "", "万")
    scale = {"亿": Decimal(10000), "万": Decimal(1)}.get(written, Decimal("0.0001"))
    wan = (number * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if wan > 2**31 - 1:
        raise ValueError(f"{label}“{text}”超出可记录的范围")
    return int(wan), currency


@lru_cache(maxsize=256)
def parse_status(text: str) -> str:
    """The canonical status: "存续（在营、开业、在册）" → 存续; "吊销，未注销" → 吊销."""
    text = given(text.strip())
    if not text:
        return ""
    head = re.split(r"[（(，,、\s]", text, maxsplit=1)[0]
    return _STATUS.get(head) or _STATUS.get(text) or text[:20]


def parse_count(text: str) -> int | None:
    """参保人数: "125", "125人"; None when not given."""
    text = given(text).removesuffix("人")
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise ValueError(f"参保人数“{text}”应为整数")
    return int(text)


@lru_cache(maxsize=256)
def ownership_from_type(text: str) -> str:
    """所有制 from a 企业类型 such as "有限责任公司（自然人投资或控股）" (→ 民营); "" if unclear."""
    for hint, ownership in _OWNERSHIP_HINTS:
        if hint in text:
            return ownership
    return ""


def website_from(text: str) -> str:
    """A provider's 网址 ("www.example.com") as a link the enterprise can keep."""
    text = given(text).split()[0] if given(text) else ""
    if text and not re.match(r"^https?://", text, re.IGNORECASE):
        text = "http://" + text
    return text if len(text) <= 200 and re.match(r"^https?://[^\s<>\"']+$", text) else ""


def is_gone(status: str) -> bool:
    """注销, 吊销 or 迁出: the enterprise no longer operates where it was registered."""
    return any(word in status for word in GONE)


def capital_text(wan: int | None, currency: str) -> str:
    """5000, 人民币 → "5,000万元"; 1000, 美元 → "1,000万美元"; None → "—"."""
    if wan is None:
        return "—"
    return f"{wan:,}万元" if currency in ("", "人民币") else f"{wan:,}万{currency}"
