"""The quota's counting rules as settings (edited on 系统管理 → 规则设置)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.core.settings import define_section, define_setting
from crm.projects.stages import stage_choices

define_section("quota", _l("年度目标统计口径"))
define_setting(
    "quota.counting_stage",
    str,
    "signed",
    _l("计入年度目标的阶段"),
    _l("项目在当年首次进入这个阶段时计入当年的目标（默认：签约）。"),
    choices=stage_choices,
)
define_setting(
    "quota.matching_mode",
    str,
    "disjoint",
    _l("档次匹配方式"),
    _l(
        "不重复计入：一个项目只占一个档次的名额，从高档往低档依次填；累计计入：项目计入它达到的每个档次。"
    ),
    choices=lambda: [("disjoint", _l("不重复计入")), ("cumulative", _l("累计计入"))],
)
define_setting(
    "quota.amount_basis",
    str,
    "contract_else_planned",
    _l("按哪个金额统计"),
    _l("与档次门槛比较的投资额。"),
    choices=lambda: [
        ("contract_else_planned", _l("合同投资额，未填时按计划总投资")),
        ("planned", _l("计划总投资")),
    ],
)
define_setting(
    "quota.manufacturing_only",
    bool,
    True,
    _l("只统计制造业项目"),
    _l("关闭后，非制造业项目也计入年度目标。"),
)
define_setting(
    "quota.new_only",
    bool,
    True,
    _l("只统计新引进项目（不含增资扩产）"),
    _l("关闭后，增资扩产项目也计入年度目标。"),
)
