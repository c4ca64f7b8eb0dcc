"""Unit tests for crm.enterprises.uscc: GB 32100-2015 credit codes."""

import random

import pytest

from crm.enterprises.uscc import (
    CHARSET,
    WEIGHTS,
    UsccError,
    compute_check_char,
    generate_uscc,
    is_valid_uscc,
    make_uscc,
    normalize_uscc,
    org_code_ok,
    validate_uscc,
)

# Real codes verified in the domain research (domain.md §5.4), plus the mod-0 edge cases.
REAL_CODES = [
    "91350100M000100Y43",  # the standard's worked example
    "91110108551385082Q",  # 小米科技
    "91370000728611939A",
    "52410000663412719U",
    "91110000600037341L",
    "531000005000160090",  # 中国红十字基金会: S mod 31 == 0 → check char 0
]


def test_charset_and_weights() -> None:
    assert len(CHARSET) == 31
    assert not set("IOSVZ") & set(CHARSET)
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert validate_uscc(code) == code
    assert is_valid_uscc(code)
    assert compute_check_char(code[:17]) == code[17]
    assert org_code_ok(code)


def test_remainder_zero_gives_check_char_zero() -> None:
    assert compute_check_char("91410000MA0000013") == "0"
    assert validate_uscc("91410000MA00000130") == "91410000MA00000130"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" 91350100M000100Y43 ", "91350100M000100Y43"),
        ("9135 0100 M000 100Y 43", "91350100M000100Y43"),
        ("91350100-M000100Y4-3", "91350100M000100Y43"),
        ("\u300091350100M000100Y43\u3000", "91350100M000100Y43"),
        ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),
    ],
)
def test_validate_normalizes_spaces_and_full_width(text: str, expected: str) -> None:
    assert validate_uscc(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("91350100m000100y43", "91350100M000100Y43"),
        ("９１３５ ０１００ｍ０００１００ｙ４３", "91350100M000100Y43"),
        ("", ""),
    ],
)
def test_normalize_uscc_folds_to_upper(text: str, expected: str) -> None:
    assert normalize_uscc(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "统一社会信用代码不能为空"),
        ("   ", "统一社会信用代码不能为空"),
        ("91350100m000100Y43", "统一社会信用代码含有小写字母，请使用大写"),
        ("91350100M000100Y4", "统一社会信用代码长度应为18位，实际为17位"),
        ("91350100M000100Y433", "统一社会信用代码长度应为18位，实际为19位"),
        (
            "9135I100M000100Y43",
            "第5位含有不允许的字符 I（统一社会信用代码不使用 I、O、S、V、Z）",
        ),
        (
            "91350100M000100Y4Z",
            "第18位含有不允许的字符 Z（统一社会信用代码不使用 I、O、S、V、Z）",
        ),
        ("91350100M0001#0Y43", "第14位含有非法字符 “#”（只允许数字和大写字母）"),
        ("B1350100M000100Y43", "第1位（登记管理部门代码）B 无效"),
        ("94350100M000100Y43", "第2位（机构类别代码）4 与第1位登记管理部门 9 不匹配"),
        ("9135A100M000100Y43", "第5位应为数字（第3–8位是行政区划码），实际为 A"),
        ("91350100M000100Y44", "第18位校验码应为 3，实际为 4"),
        ("91110108551385082F", "第18位校验码应为 Q，实际为 F"),
    ],
)
def test_validate_errors_name_the_position(text: str, message: str) -> None:
    with pytest.raises(UsccError) as caught:
        validate_uscc(text)
    assert str(caught.value) == message
    assert not is_valid_uscc(text)


@pytest.mark.parametrize("first17", ["91350100M000100Y4", "91110108551385082"])
def test_make_uscc_appends_the_check_char(first17: str) -> None:
    assert is_valid_uscc(make_uscc(first17))


@pytest.mark.parametrize(
    ("first17", "message_part"),
    [("9135010", "前17位"), ("91350100M000100YO", "第17位")],
)
def test_compute_check_char_rejects_bad_input(first17: str, message_part: str) -> None:
    with pytest.raises(UsccError, match=message_part):
        compute_check_char(first17)


@pytest.mark.parametrize(
    ("region", "department", "category"),
    [("419001", "9", "1"), ("410000", "5", "2"), ("110108", "9", "3"), ("419001", "1", "2")],
)
def test_generated_codes_are_valid(region: str, department: str, category: str) -> None:
    rng = random.Random(2026)
    codes = {generate_uscc(rng, region, department, category) for _ in range(300)}
    assert len(codes) == 300
    for code in codes:
        assert validate_uscc(code) == code
        assert code[:8] == department + category + region
        assert org_code_ok(code)


def test_generation_is_reproducible() -> None:
    assert generate_uscc(random.Random(7)) == generate_uscc(random.Random(7))


@pytest.mark.parametrize(
    ("region", "department", "category"),
    [("4190", "9", "1"), ("41900A", "9", "1"), ("419001", "9", "9"), ("419001", "X", "1")],
)
def test_generate_rejects_bad_parameters(region: str, department: str, category: str) -> None:
    with pytest.raises(ValueError, match=r"region|category"):
        generate_uscc(random.Random(1), region, department, category)


def test_org_code_check_is_separate_from_validity() -> None:
    code = make_uscc("91419001MA0000010")  # valid mod-31, wrong GB 11714 check char
    assert is_valid_uscc(code)
    assert not org_code_ok(code)
