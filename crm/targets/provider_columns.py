"""Columns of data-provider exports (企查查, 天眼查, 启信宝, 国家企业信用信息公示系统) that the
target-list import reads beside its own template's: an export imports as it comes.

Registration facts go to the enterprise (a filled cell replaces the stored value, as
everywhere in the import); columns recognised but not kept (所属区县, 注册地址, 更多电话 …)
are not reported as unknown. A file with 电话 but no 联系人 column records the phone under the
法定代表人 (a header-level warning says so). An enterprise whose status is 注销 / 吊销 / 迁出 is
imported with a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from crm.core.tabular import TabularError, parse_date
from crm.enterprises.gb_industries import match_industry
from crm.enterprises.registration import (
    given,
    ownership_from_type,
    parse_capital,
    parse_count,
    parse_status,
    website_from,
)

PROVIDER_ALIASES: dict[str, tuple[str, ...]] = {
    "legal_representative": ("法定代表人", "法人代表", "法人", "法定代表人(负责人)", "负责人姓名"),
    "business_status": ("登记状态", "经营状态", "企业状态", "企业登记状态", "存续状态"),
    "registered_capital": ("注册资本", "注册资金"),
    "paid_in_capital": ("实缴资本", "实缴资金", "实收资本"),
    "founded_on": ("成立日期", "成立时间", "注册成立日期"),
    "province": ("所属省份", "省份", "省"),
    "city": ("所属城市", "城市", "地市"),
    "district": ("所属区县", "区县", "所属区域"),
    "company_type": ("企业类型", "公司类型", "企业(机构)类型", "市场主体类型", "类型"),
    "gb_industry": ("国标行业", "国民经济行业", "国标行业门类", "国标行业大类", "行业大类"),
    "insured_count": ("参保人数", "社保人数", "参保人员"),
    "more_phones": ("更多电话", "其他电话"),
    "email": ("邮箱", "电子邮箱", "更多邮箱", "企业邮箱"),
    "website": ("网址", "官网", "企业官网", "网站"),
    "address": ("注册地址", "企业地址", "通信地址", "地址", "最新年报地址", "住所"),
    "business_scope": ("经营范围",),
    "former_names": ("曾用名",),
    "english_name": ("英文名", "英文名称"),
}
IGNORED = ("district", "more_phones", "email", "address", "english_name")
REGISTRATION_FIELDS = (
    "legal_representative",
    "registered_capital_wan",
    "registered_capital_currency",
    "paid_in_capital_wan",
    "paid_in_capital_currency",
    "founded_on",
    "business_status",
    "insured_count",
    "business_scope",
    "gb_section",
    "gb_division",
    "ownership",
    "website",
)
CONTACT_FALLBACK = "文件没有“联系人”列：电话记在法定代表人名下（没有法定代表人的行不导入电话）"
LIMITS = {"legal_representative": 100, "business_scope": 4000}
_founded = lru_cache(maxsize=8192)(parse_date)  # errors are not cached: raised every time


def gone_warning(status: str) -> str:
    return f"企业登记状态为“{status}”，已照常导入；请核实是否仍作为招商目标"


def read_registration(
    values: dict[str, str],
    units: dict[str, str],
    enterprise: dict[str, Any],
    fail: Callable[[str, str], None],
) -> str:
    """Put the row's registration facts into ``enterprise``; returns the business status."""
    for name in ("legal_representative", "business_scope"):
        if text := given(values.get(name, "")):
            if len(text) > LIMITS[name]:
                fail(name, f"不能超过 {LIMITS[name]} 个字符")
            enterprise[name] = text[: LIMITS[name]]
    for name, label in (("registered_capital", "注册资本"), ("paid_in_capital", "实缴资本")):
        if text := given(values.get(name, "")):
            try:
                wan, currency = parse_capital(text, units.get(name), label)
            except ValueError as exc:
                fail(name, str(exc))
                continue
            enterprise[f"{name}_wan"], enterprise[f"{name}_currency"] = wan, currency
    if text := given(values.get("founded_on", "")):
        try:
            enterprise["founded_on"] = _founded(text)
        except TabularError as exc:
            fail("founded_on", str(exc))
    if text := given(values.get("insured_count", "")):
        try:
            enterprise["insured_count"] = parse_count(text)
        except ValueError as exc:
            fail("insured_count", str(exc))
    status = parse_status(values.get("business_status", ""))
    if status:
        enterprise["business_status"] = status
    industry = given(values.get("gb_industry", "")) or given(values.get("industry", ""))
    if industry:
        section, division = match_industry(industry)
        if section:
            enterprise["gb_section"], enterprise["gb_division"] = section, division
    if ownership := ownership_from_type(given(values.get("company_type", ""))):
        enterprise["ownership"] = ownership
    if website := website_from(values.get("website", "")):
        enterprise["website"] = website
    return status
