"""Enterprise names: normalisation for duplicate detection, pinyin keys, fuzzy matches.

Normalisation folds full-width characters (NFKC), lowercases Latin letters, drops whitespace
and punctuation, drops bracketed place names (“华为技术（深圳）有限公司” → 华为技术) but keeps
other bracketed text, and strips place prefixes and legal-form suffixes until nothing changes.
Decisions: a branch (…分公司) normalises to its parent, so it is flagged as a possible
duplicate of it (duplicates are only warnings); a place prefix is kept when removing it would
leave fewer than two characters; the result is never empty for a non-blank name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable
from functools import lru_cache
from typing import TypeVar

from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.seg.simpleseg import seg as pinyin_segments
from rapidfuzz import fuzz, process

IdT = TypeVar("IdT", bound=Hashable)


def _words(text: str) -> list[str]:
    """Space-separated words (keeps the long place lists readable)."""
    return text.split()


_PROVINCES = _words(
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 "
    "湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"
)
_AUTONOMOUS_FULL = _words(
    "内蒙古自治区 广西壮族自治区 西藏自治区 宁夏回族自治区 新疆维吾尔自治区 "
    "香港特别行政区 澳门特别行政区"
)
_CITIES = _words(
    # provincial capitals and other large cities
    "石家庄 太原 呼和浩特 沈阳 长春 哈尔滨 南京 杭州 合肥 福州 南昌 济南 武汉 长沙 广州 南宁 "
    "海口 成都 贵阳 昆明 拉萨 西安 兰州 西宁 银川 乌鲁木齐 台北 深圳 苏州 宁波 厦门 青岛 "
    "大连 无锡 东莞 佛山 温州 常州 南通 泉州 烟台 唐山 徐州 "
    # Henan's prefecture-level cities and Jiyuan
    "郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 "
    "驻马店 济源"
)
_JIYUAN_AREA = _words(
    "济源产城融合示范区 济源示范区 济源高新技术产业开发区 济源高新区 济源经济技术开发区 "
    "虎岭高新技术产业开发区 虎岭高新区 玉泉特色产业园区 "
    "沁园街道 济水街道 北海街道 天坛街道 玉泉街道 "
    "克井镇 五龙口镇 轵城镇 承留镇 梨林镇 思礼镇 邵原镇 王屋镇 大峪镇 坡头镇 下冶镇"
)
PLACE_NAMES: tuple[str, ...] = tuple(
    sorted(
        {*_PROVINCES, *(p + "省" for p in _PROVINCES), *(p + "市" for p in _PROVINCES)}
        | {*_AUTONOMOUS_FULL, *_CITIES, *(c + "市" for c in _CITIES), *_JIYUAN_AREA},
        key=lambda place: (-len(place), place),
    )
)
_PLACE_SET = frozenset(PLACE_NAMES)
LEGAL_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        _words(
            "集团股份有限公司 集团有限责任公司 集团有限公司 股份有限公司 有限责任公司 有限公司 "
            "责任公司 股份公司 集团公司 控股集团 总公司 公司 集团 股份 有限合伙 合伙企业 "
            "控股 个人独资企业 厂"
        ),
        key=lambda suffix: (-len(suffix), suffix),
    )
)
_BRACKETED = re.compile(r"[(\[【〔「『]([^()\[\]【】〔〕「」『』]*)[)\]】〕」』]")
_LATIN_SUFFIX = re.compile(
    r"(?:[\s,.]+|\b)(?:co\.?,?\s*ltd|ltd|limited|inc|incorporated|corp|corporation|llc|gmbh"
    r"|company|group)\.?\s*$"
)
_MIN_REMAINDER = 2


def _fold(name: str) -> str:
    """NFKC fold, lowercase, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", name or "").lower().split())


def _strip_latin_forms(name: str) -> str:
    """Drop trailing Latin legal forms on word boundaries ("Foo Co., Ltd." → "foo")."""
    text = unicodedata.normalize("NFKC", name or "").lower().strip()
    while (stripped := _LATIN_SUFFIX.sub("", text)) != text and stripped:
        text = stripped
    return text


def _keep_only_word_chars(text: str) -> str:
    """Drop punctuation and symbols; keep letters (incl. CJK) and digits."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def _is_place(text: str) -> bool:
    """Whether the text is exactly one of the known place names."""
    return text in _PLACE_SET


def _drop_brackets(text: str) -> str:
    """Remove bracketed place names; unwrap other bracketed text."""
    return _BRACKETED.sub(lambda m: "" if _is_place(m[1]) else m[1], text)


def _index(words: tuple[str, ...], position: int) -> dict[str, tuple[str, ...]]:
    """Words grouped by their first (0) or last (-1) character, each group in the original
    order — only those can match at the start or end of a text, so lookups stay short."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[position], []).append(word)
    return {char: tuple(group) for char, group in groups.items()}


_PLACES_BY_FIRST = _index(PLACE_NAMES, 0)
_PLACES_BY_LAST = _index(PLACE_NAMES, -1)
_SUFFIXES_BY_LAST = _index(LEGAL_SUFFIXES, -1)


def _strip_once(text: str) -> str:
    """Strip one legal-form suffix, branch marker or place prefix, if any."""
    if not text:
        return text
    if text.endswith("分公司") and len(text) > 3:
        text = text[:-3]
        for place in _PLACES_BY_LAST.get(text[-1], ()):
            if text.endswith(place) and len(text) - len(place) >= _MIN_REMAINDER:
                return text[: -len(place)]
        return text
    for suffix in _SUFFIXES_BY_LAST.get(text[-1], ()):
        if text.endswith(suffix) and len(text) - len(suffix) >= 1:
            return text[: -len(suffix)]
    for place in _PLACES_BY_FIRST.get(text[0], ()):
        if text.startswith(place) and len(text) - len(place) >= _MIN_REMAINDER:
            return text[len(place) :]
    return text


def normalize_name(name: str) -> str:
    """The comparison key of an enterprise name: no place prefix, legal form or punctuation."""
    folded = _fold(name)
    text = _keep_only_word_chars(_drop_brackets(_fold(_strip_latin_forms(name))))
    while True:
        stripped = _strip_once(text)
        if stripped == text:
            break
        text = stripped
    return text or _keep_only_word_chars(folded) or folded


PINYIN_VARIANTS = 8  # other readings indexed per name, beyond the usual one (bounded)


def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) without tones or spaces, e.g. 豫光金铅 → (yuguangjinqian, ygjq)."""
    fulls, initials = name_pinyin_variants(name)
    return (fulls[0], initials[0]) if fulls else ("", "")


def name_pinyin_variants(name: str, limit: int = PINYIN_VARIANTS) -> tuple[list[str], list[str]]:
    """Every common reading of a name: (full pinyins, initials), the usual reading first.

    A character with several readings (峤 jiao / qiao) gives a variant per other reading; words
    pypinyin knows as phrases (重庆, 银行) keep their phrase reading. The cartesian product of
    readings is indexed while it stays within ``limit`` variants; beyond, one other reading at a
    time (so each character's readings are still found), cut at ``limit``.
    """
    text = _keep_only_word_chars(_fold(name))
    if not text:
        return [], []
    # pypinyin converts each segment of its word segmentation on its own, so converting the
    # segments one by one (cached: names share 有限公司, 科技, place names…) gives the same
    # result as converting the whole name, several times faster for bulk imports.
    readings: list[tuple[str, ...]] = []
    letters: list[tuple[str, ...]] = []
    for segment in pinyin_segments(text):
        full, first = _segment_readings(segment)
        readings += full
        letters += first
    return _variants(readings, limit), _variants(letters, limit)


def _variants(choices: list[tuple[str, ...]], limit: int) -> list[str]:
    """The usual reading (each first choice) joined, then other readings, at most 1 + limit."""
    usual = [c[0] for c in choices]
    result = ["".join(usual)]
    ambiguous = [(i, c[1:]) for i, c in enumerate(choices) if len(c) > 1]
    if not ambiguous:
        return result
    product = 1
    for _i, others in ambiguous:
        product *= len(others) + 1
    if product - 1 <= limit:
        combos = [usual]
        for index, others in ambiguous:
            combos += [
                [*combo[:index], other, *combo[index + 1 :]] for combo in combos for other in others
            ]
        candidates = ["".join(combo) for combo in combos[1:]]
    else:
        candidates = [
            "".join([*usual[:index], other, *usual[index + 1 :]])
            for index, others in ambiguous
            for other in others
        ]
    for candidate in candidates:
        if candidate not in result:
            result.append(candidate)
        if len(result) > limit:
            break
    return result


@lru_cache(maxsize=50_000)
def _segment_readings(segment: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Per character (or run of letters and digits) of a segment: its readings, the usual one
    first, and their initials (a run of letters and digits is its own initials)."""
    usual = [r.lower() for r in lazy_pinyin(segment, style=Style.NORMAL)]
    firsts = [r.lower() for r in lazy_pinyin(segment, style=Style.FIRST_LETTER)]
    every = pinyin(segment, style=Style.NORMAL, heteronym=True)
    if not len(every) == len(usual) == len(firsts):
        return tuple((r,) for r in usual), tuple((r,) for r in firsts)
    readings, letters = [], []
    for first, initial, others in zip(usual, firsts, every, strict=True):
        options = tuple(dict.fromkeys([first, *(r.lower() for r in others)]))
        readings.append(options)
        if len(options) > 1:
            letters.append(tuple(dict.fromkeys([initial, *(r[:1] for r in options)])))
        else:
            letters.append((initial,))
    return tuple(readings), tuple(letters)


def similar_names(
    name: str, candidates: Iterable[tuple[IdT, str]], threshold: float = 88
) -> list[tuple[IdT, float]]:
    """Candidates whose normalised name scores ≥ threshold (rapidfuzz ratio), best first."""
    query = normalize_name(name)
    pairs = [(key, normalized) for key, normalized in candidates if normalized]
    if not query or not pairs or threshold > 100:
        return []
    matches = process.extract(
        query,
        [normalized for _, normalized in pairs],
        scorer=fuzz.ratio,
        score_cutoff=max(threshold, 0),
        limit=None,
    )
    ranked = sorted(matches, key=lambda match: (-match[1], match[2]))
    return [(pairs[index][0], float(score)) for _, score, index in ranked]
