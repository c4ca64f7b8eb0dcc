"""Unit tests for crm.enterprises.names: normalised names, pinyin, fuzzy matches."""

import pytest

from crm.enterprises.names import (
    PINYIN_VARIANTS,
    name_pinyin,
    name_pinyin_variants,
    normalize_name,
    similar_names,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("河南豫光金铅股份有限公司", "豫光金铅"),
        ("豫光金铅集团有限责任公司", "豫光金铅"),
        ("豫光金铅集团股份有限公司", "豫光金铅"),
        ("济源市（豫光）金铅有限公司", "豫光金铅"),
        ("河南省济源市豫光金铅有限公司", "豫光金铅"),
        ("【河南】豫光 · 金铅", "豫光金铅"),
        ("豫光金铅 股份 有限 公司", "豫光金铅"),
        ("ＡＢＣ科技有限公司", "abc科技"),
        ("华为技术（深圳）有限公司", "华为技术"),
        ("比亚迪(深圳市)有限公司", "比亚迪"),
        ("河南省中原内配股份有限公司", "中原内配"),
        ("北京市京东世纪贸易有限公司", "京东世纪贸易"),
        ("上海振华重工（集团）股份有限公司", "振华重工"),
        ("广西壮族自治区柳工机械股份有限公司", "柳工机械"),
        ("郑州宇通客车股份有限公司", "宇通客车"),
        ("济源市克井镇华丰耐火材料厂", "华丰耐火材料"),
        ("济源示范区万洋冶炼（集团）有限公司", "万洋冶炼"),
        ("中国建筑第七工程局有限公司济源分公司", "中国建筑第七工程局"),
        ("Foxconn Technology Co., Ltd.", "foxconntechnology"),
        ("ＡＢＣ　Group Co.,Ltd", "abc"),
        ("Zhongjin Zinc Inc.", "zhongjinzinc"),  # "zinc" is not the "inc" legal form
        ("宁德时代新能源科技股份有限公司", "宁德时代新能源科技"),
    ],
)
def test_normalize_name(name: str, expected: str) -> None:
    assert normalize_name(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("济源市", "济源市"),  # only a place: keep it rather than return ""
        ("集团", "集团"),
        ("北京汽车", "汽车"),  # two characters left: the prefix goes
        ("北京车", "北京车"),  # one character left: the prefix stays
        ("  ", ""),
        ("", ""),
    ],
)
def test_normalize_name_never_empties_a_name(name: str, expected: str) -> None:
    assert normalize_name(name) == expected


@pytest.mark.parametrize(
    "name",
    ["河南豫光金铅股份有限公司", "济源市（豫光）金铅有限公司", "Foxconn Technology Co., Ltd."],
)
def test_normalize_name_is_idempotent(name: str) -> None:
    once = normalize_name(name)
    assert normalize_name(once) == once


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("豫光金铅", ("yuguangjinqian", "ygjq")),
        ("ABC科技", ("abckeji", "abckj")),
        ("ＡＢＣ 科技", ("abckeji", "abckj")),
        ("重庆长安", ("chongqingchangan", "cqca")),
        ("万洋（冶炼）", ("wanyangyelian", "wyyl")),
        ("", ("", "")),
    ],
)
def test_name_pinyin(name: str, expected: tuple[str, str]) -> None:
    assert name_pinyin(name) == expected


CANDIDATES = [
    (1, "豫光金铅"),
    (2, "豫光金业"),
    (3, "金利金铅"),
    (4, ""),
    (5, "豫光金铅集"),
    (6, "宇通客车"),
]


def test_similar_names_best_first_above_threshold() -> None:
    matches = similar_names("河南豫光金铅股份有限公司", CANDIDATES)
    assert [key for key, _ in matches] == [1, 5]
    assert matches[0][1] == 100.0
    assert 88 <= matches[1][1] < 100


@pytest.mark.parametrize(
    ("threshold", "expected_ids"),
    [(100, [1]), (88, [1, 5]), (70, [1, 5, 2]), (101, [])],
)
def test_similar_names_threshold(threshold: float, expected_ids: list[int]) -> None:
    matches = similar_names("豫光金铅有限公司", CANDIDATES, threshold=threshold)
    assert [key for key, _ in matches] == expected_ids


def test_similar_names_accepts_any_id_and_iterables() -> None:
    candidates = ((f"e{i}", name) for i, name in enumerate(["宇通客车", "宇通重工"]))
    assert similar_names("郑州宇通客车股份有限公司", candidates) == [("e0", 100.0)]
    assert similar_names("", [(1, "豫光金铅")]) == []
    assert similar_names("豫光金铅", []) == []


def test_every_reading_of_a_character_is_indexed() -> None:
    fulls, initials = name_pinyin_variants("龙峤")
    assert fulls[0] == "longjiao" and "longqiao" in fulls  # the usual reading first
    assert initials[0] == "lj" and "lq" in initials


def test_phrases_keep_their_reading() -> None:
    assert name_pinyin_variants("重庆银行") == (["chongqingyinhang"], ["cqyh"])


@pytest.mark.parametrize("name", ["峤" * 30, "济源市龙峤科技有限公司" * 4, "都行长重" * 10])
def test_readings_are_bounded(name: str) -> None:
    fulls, initials = name_pinyin_variants(name)
    assert 1 <= len(fulls) <= PINYIN_VARIANTS + 1 and 1 <= len(initials) <= PINYIN_VARIANTS + 1
    assert len(set(initials)) == len(initials)


def test_beyond_the_cap_each_character_still_gets_its_other_reading() -> None:
    # five characters with two readings each: 31 combinations, more than the cap
    _fulls, initials = name_pinyin_variants("峤行峤行峤", limit=5)
    assert len(initials) == 6 and initials[0] == "jxjxj"
    assert "qxjxj" in initials and "jhjxj" in initials
