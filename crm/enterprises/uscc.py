"""统一社会信用代码 (GB 32100-2015): normalise, validate, compute and generate.

Rules (see shared research domain.md §5):
- 18 characters from the 31-symbol set without I, O, S, V, Z;
- position 1 (登记管理部门) and position 2 (机构类别) from the department/category table,
  including the departments added after the first edition (2–4, 6–8, A, N);
- positions 3–8: a six-digit administrative division code (digits only; not looked up);
- position 18: check character, weights 3^(i-1) mod 31, C18 = (31 - S mod 31) mod 31.
The GB 11714 organisation-code check on position 17 is only a warning (``org_code_ok``),
because the 主体标识码 is assigned by the registration authority.
"""

from __future__ import annotations

import random
import unicodedata
from typing import Any

from flask_babel import lazy_gettext as _l

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
FORBIDDEN_LETTERS = "IOSVZ"
JIYUAN_REGION = "419001"

# 登记管理部门代码 → allowed 机构类别代码 (GB 32100-2015 and later additions).
CATEGORIES: dict[str, str] = {
    "1": "1239",  # 机构编制: 机关 / 事业单位 / 编办管理的群众团体 / 其他
    "2": "19",  # 外交
    "3": "123459",  # 司法行政: 律师事务所 / 公证处 / 基层法律服务所 / 司法鉴定 / 仲裁委 / 其他
    "4": "19",  # 文化
    "5": "1239",  # 民政: 社会团体 / 民办非企业单位 / 基金会 / 其他
    "6": "129",  # 旅游
    "7": "129",  # 宗教
    "8": "19",  # 工会
    "9": "123",  # 工商: 企业 / 个体工商户 / 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业: 组级 / 村级 / 乡镇级集体经济组织 / 其他
    "Y": "123456789",  # 其他: the standard leaves the category open
}

_VALUES = {char: value for value, char in enumerate(CHARSET)}
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_SEPARATORS = "-‐–—"


class UsccError(ValueError):
    """A 统一社会信用代码 that fails validation; the message names the position."""


def _compact(text: str) -> str:
    """NFKC-fold and drop whitespace (incl. full-width spaces) and separators."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in folded if not ch.isspace() and ch not in _SEPARATORS)


def normalize_uscc(text: str) -> str:
    """Fold full-width characters, drop spaces and hyphens, uppercase (for lookups)."""
    return _compact(text).upper()


def _weighted_check(first17: str) -> str:
    """The mod-31 check character for 17 already-validated characters."""
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def compute_check_char(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a code."""
    code = normalize_uscc(first17)
    if len(code) != 17:
        raise UsccError(_l("计算校验码需要前17位，实际为%(len)s位", len=len(code)))
    for position, char in enumerate(code, start=1):
        if char not in _VALUES:
            raise UsccError(
                _l("第%(position)s位含有非法字符 %(char)s", position=position, char=char)
            )
    return _weighted_check(code)


def make_uscc(first17: str) -> str:
    """Append the correct check character to 17 characters."""
    code = normalize_uscc(first17)
    return code + compute_check_char(code)


def _char_problem(position: int, char: str) -> Any:
    """The message for a character outside the 31-symbol set, in the reader's language."""
    if char in FORBIDDEN_LETTERS:
        return _l(
            "第%(position)s位含有不允许的字符 %(char)s（统一社会信用代码不使用 I、O、S、V、Z）",
            position=position,
            char=char,
        )
    return _l(
        "第%(position)s位含有非法字符 “%(char)s”（只允许数字和大写字母）",
        position=position,
        char=char,
    )


def validate_uscc(text: str) -> str:
    """Return the normalised code or raise ``UsccError`` naming the position of the problem."""
    code = _compact(text)
    if not code:
        raise UsccError(_l("统一社会信用代码不能为空"))
    if any("a" <= char <= "z" for char in code):
        raise UsccError(_l("统一社会信用代码含有小写字母，请使用大写"))
    if len(code) != 18:
        raise UsccError(_l("统一社会信用代码长度应为18位，实际为%(len)s位", len=len(code)))
    for position, char in enumerate(code, start=1):
        if char not in _VALUES:
            raise UsccError(_char_problem(position, char))
    department, category = code[0], code[1]
    if department not in CATEGORIES:
        raise UsccError(_l("第1位（登记管理部门代码）%(department)s 无效", department=department))
    if category not in CATEGORIES[department]:
        raise UsccError(
            _l(
                "第2位（机构类别代码）%(category)s 与第1位登记管理部门 %(department)s 不匹配",
                category=category,
                department=department,
            )
        )
    for position in range(3, 9):
        if not code[position - 1].isdigit():
            raise UsccError(
                _l(
                    "第%(position)s位应为数字（第3–8位是行政区划码），实际为 %(value)s",
                    position=position,
                    value=code[position - 1],
                )
            )
    expected = _weighted_check(code[:17])
    if code[17] != expected:
        raise UsccError(
            _l("第18位校验码应为 %(expected)s，实际为 %(value)s", expected=expected, value=code[17])
        )
    return code


def is_valid_uscc(text: str) -> bool:
    """True when ``validate_uscc`` accepts the text."""
    try:
        validate_uscc(text)
    except UsccError:
        return False
    return True


def _org_check_char(body8: str) -> str:
    """GB 11714 check character for the eight body characters of an organisation code."""
    total = sum(int(char, 36) * weight for char, weight in zip(body8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def org_code_ok(code: str) -> bool:
    """Whether positions 9–17 pass the GB 11714 check (a warning only, never an error)."""
    code = normalize_uscc(code)
    if len(code) != 18 or not code[8:16].isalnum():
        return False
    return _org_check_char(code[8:16]) == code[16]


def generate_uscc(
    rng: random.Random, region: str = JIYUAN_REGION, department: str = "9", category: str = "1"
) -> str:
    """A random, fully valid code (mod-31 and GB 11714 checks) for demo data and benchmarks."""
    if len(region) != 6 or not region.isdigit():
        raise ValueError("region must be a six-digit division code")
    if category not in CATEGORIES.get(department, ""):
        raise ValueError("unknown department/category combination")
    body_chars = CHARSET[:10] if rng.random() < 0.5 else CHARSET
    prefix = "MA" if body_chars == CHARSET else ""
    body = prefix + "".join(rng.choice(body_chars) for _ in range(8 - len(prefix)))
    return make_uscc(department + category + region + body + _org_check_char(body))
