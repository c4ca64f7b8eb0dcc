"""Reading and writing single cells of the import template: lists, places, formula guards."""

from __future__ import annotations

import re

from crm.imports.spreadsheets import TEXT_LITERAL

_LIST_SPLIT = re.compile(r"[、,，/;；\s]+")
_LOCATION_SPLIT = re.compile(r"[\s/,，、|·\-－—]+")
_GUARDED = ("=", "+", "-", "@", "\t", "\r")
_PROVINCE_TEXT = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
    "广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"
)
_PROVINCES = _PROVINCE_TEXT.split()
PROVINCE_NAMES = tuple(_PROVINCES)
PROVINCE_FORMS = sorted(
    {
        *_PROVINCES,
        *(p + "省" for p in _PROVINCES),
        *(p + "市" for p in ("北京", "天津", "上海", "重庆")),
        "内蒙古自治区",
        "广西壮族自治区",
        "西藏自治区",
        "宁夏回族自治区",
        "新疆维吾尔自治区",
        "香港特别行政区",
        "澳门特别行政区",
    },
    key=len,
    reverse=True,
)


def unguard(text: str) -> str:
    """Drop the apostrophe our export puts before = + - @ (formula-injection guard), and
    unwrap the ="..." it writes around credit codes and phone numbers (nothing else)."""
    if text[:1] == "'" and text[1:2] in _GUARDED:
        return text[1:]
    if text.startswith('="') and text.endswith('"') and TEXT_LITERAL.fullmatch(text[2:-1]):
        return text[2:-1]
    return text


def split_list(text: str) -> list[str]:
    return [part for part in _LIST_SPLIT.split(text) if part]


def split_location(text: str) -> tuple[str, str]:
    """(province, city) from 所在地: "河南省 郑州市", "河南/郑州", "广东省深圳市", "深圳市"."""
    parts = [part for part in _LOCATION_SPLIT.split(text) if part]
    if not parts:
        return "", ""
    if len(parts) > 1:
        return parts[0], "".join(parts[1:])
    single = parts[0]
    for province in PROVINCE_FORMS:
        if single.startswith(province):
            return province, single[len(province) :]
    return "", single  # a city (or district) alone


def join_location(province: str, city: str) -> str:
    """The 所在地 cell for stored values; ``split_location`` reads it back unchanged."""
    return " ".join(part for part in (province, city) if part)
