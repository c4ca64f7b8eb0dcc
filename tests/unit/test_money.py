"""Unit tests for crm.core.money: parsing and formatting integer 万元 amounts."""

import pytest

from crm.core.money import (
    MAX_WAN,
    YI,
    AmountError,
    format_wan,
    format_yi,
    parse_amount,
    wan_to_yi_str,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30亿", 300000),
        ("30亿元", 300000),
        ("30.5 亿元", 305000),
        ("3,000,000,000元", 300000),
        ("300000万", 300000),
        ("300000万元", 300000),
        ("300000", 300000),
        ("３０亿", 300000),
        ("３０　亿 元", 300000),
        ("３，０００，０００，０００元", 300000),
        ("1.2345亿", 12345),
        (" 10亿元 ", 100000),
        ("0", 0),
        ("0万元", 0),
        (".5亿", 5000),
        ("人民币30亿元", 300000),
        ("￥30亿", 300000),
        ("100000亿元", MAX_WAN),
        # rounding: nearest whole 万元, half up
        ("1.23456亿", 12346),
        ("1.23454亿", 12345),
        ("3,000,012,345元", 300001),
        ("3,000,015,000元", 300002),
        ("3,000,014,999元", 300001),
        ("300000.5万", 300001),
        ("5000元", 1),
    ],
)
def test_parse_amount_accepts(text: str, expected: int) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "default_unit", "expected"),
    [
        ("30", "亿元", 300000),
        ("30", "亿", 300000),
        ("300000", "万元", 300000),
        ("3000000000", "元", 300000),
        ("30万", "亿元", 30),  # an explicit unit wins over the default
    ],
)
def test_parse_amount_default_unit(text: str, default_unit: str, expected: int) -> None:
    assert parse_amount(text, default_unit=default_unit) == expected


@pytest.mark.parametrize(
    ("text", "message_part"),
    [
        ("", "不能为空"),
        ("   ", "不能为空"),
        ("\u3000", "不能为空"),
        ("-30亿", "负数"),
        ("－30亿", "负数"),
        ("负30亿", "负数"),
        ("abc", "无法识别"),
        ("30亿美元", "无法识别"),
        ("30亿万", "无法识别"),
        ("3,00亿", "无法识别"),
        ("1e5", "无法识别"),
        ("30..5亿", "无法识别"),
        ("约30亿", "不是确切数字"),
        ("30多亿", "不是确切数字"),
        ("30余亿元", "不是确切数字"),
        ("30亿左右", "不是确切数字"),
        ("10-20亿", "不是确切数字"),
        ("10~20亿", "不是确切数字"),
        ("三十亿", "阿拉伯数字"),
        ("两亿", "阿拉伯数字"),
        ("100001亿", "金额过大"),
        ("1,000,000,000,000,000元", "金额过大"),
        ("4999元", "不足 1万元"),
        ("0.00001亿", "不足 1万元"),
        ("1" * 50, "过长"),
    ],
)
def test_parse_amount_rejects(text: str, message_part: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert message_part in str(caught.value)


def test_amount_error_is_value_error() -> None:
    assert issubclass(AmountError, ValueError)


def test_unknown_default_unit_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown default unit"):
        parse_amount("30", default_unit="美元")


@pytest.mark.parametrize(
    ("wan", "yi", "yi_str", "wan_str"),
    [
        (300000, "30.00亿元", "30.00", "300,000万元"),
        (100000, "10.00亿元", "10.00", "100,000万元"),
        (12345, "1.23亿元", "1.23", "12,345万元"),
        (12350, "1.24亿元", "1.24", "12,350万元"),  # half up, not banker's rounding
        (12250, "1.23亿元", "1.23", "12,250万元"),
        (299950, "30.00亿元", "30.00", "299,950万元"),
        (1, "0.00亿元", "0.00", "1万元"),
        (0, "0.00亿元", "0.00", "0万元"),
        (MAX_WAN, "100000.00亿元", "100000.00", "1,000,000,000万元"),
        (None, "—", "", "—"),
    ],
)
def test_formatting(wan: int | None, yi: str, yi_str: str, wan_str: str) -> None:
    assert format_yi(wan) == yi
    assert wan_to_yi_str(wan) == yi_str
    assert format_wan(wan) == wan_str


def test_yi_constant_and_round_trip() -> None:
    assert YI == 10000
    for wan in (1, 9999, 10000, 123456789, 300000):
        assert parse_amount(format_wan(wan)) == wan
        assert parse_amount(f"{wan}万元") == wan
