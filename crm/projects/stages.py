"""The project lifecycle: stage codes, order, evidence each step needs, and their settings."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from crm.core.settings import define_section, define_setting, get_setting

# Forward order of the lifecycle; 暂缓 and 终止 are side states.
PIPELINE = (
    "lead",
    "contact",
    "negotiation",
    "inspection",
    "signed",
    "registered",
    "land",
    "construction",
    "production",
    "full_production",
)
SIDE = ("paused", "terminated")
ALL_STAGES = PIPELINE + SIDE
DEFAULT_LABELS = {
    "lead": "线索",
    "contact": "接洽",
    "negotiation": "洽谈",
    "inspection": "考察",
    "signed": "签约",
    "registered": "注册",
    "land": "供地",
    "construction": "开工",
    "production": "投产",
    "full_production": "达产",
    "paused": "暂缓",
    "terminated": "终止",
}
DEFAULT_PROBABILITY = {
    "lead": 5,
    "contact": 10,
    "negotiation": 25,
    "inspection": 40,
    "signed": 100,
    "registered": 100,
    "land": 100,
    "construction": 100,
    "production": 100,
    "full_production": 100,
    "paused": 5,
    "terminated": 0,
}
DEFAULT_ROT_DAYS = {
    "lead": 30,
    "contact": 30,
    "negotiation": 45,
    "inspection": 45,
    "signed": 90,
    "registered": 90,
    "land": 120,
    "construction": 365,
    "production": 365,
}


def stage_rows() -> list[tuple[str, str]]:
    """Every stage as (code, current name): the rows of the per-stage settings."""
    return [(code, stage_label(code)) for code in ALL_STAGES]


def stage_choices() -> list[tuple[str, str]]:
    """The pipeline stages as choices of a setting (code, current name)."""
    return [(code, stage_label(code)) for code in PIPELINE]


define_section("projects", _l("项目与阶段"))
define_setting(
    "projects.stage_labels",
    dict,
    DEFAULT_LABELS,
    _l("阶段名称"),
    _l("看板、列表、报表和提醒中显示的阶段名称；左边是默认名称。"),
    rows=lambda: list(DEFAULT_LABELS.items()),
)
define_setting(
    "projects.stage_probability",
    dict,
    DEFAULT_PROBABILITY,
    _l("各阶段成功概率（%）"),
    _l("预测年度目标完成情况时，未落地项目按所处阶段的概率加权；0–100。"),
    rows=stage_rows,
    item_kind=int,
    minimum=0,
    maximum=100,
)
define_setting(
    "projects.rot_days",
    dict,
    DEFAULT_ROT_DAYS,
    _l("各阶段停留多少天视为停滞"),
    _l("项目在某阶段停留超过这个天数时，看板和列表显示“停滞”；0 或留空表示该阶段不提示。"),
    rows=lambda: [
        (code, stage_label(code)) for code in PIPELINE[: PIPELINE.index("production") + 1]
    ],
    item_kind=int,
    minimum=0,
    maximum=3650,
    blank_item=0,
)
define_setting(
    "projects.first_report_threshold_wan",
    int,
    100000,
    _l("首报门槛（万元）"),
    _l("投资额达到这个金额的项目签约前须向省里首报，未首报的显示提示。100000 万元即 10 亿元。"),
    minimum=1,
    maximum=100000000,
)


@dataclass(frozen=True)
class Evidence:
    """A field a forward step into a stage must record."""

    name: str
    label: str
    kind: str  # date | amount | text | uscc | area


EVIDENCE: dict[str, tuple[Evidence, ...]] = {
    "signed": (
        Evidence("contract_signed_on", "签约日期", "date"),
        Evidence("contract_amount_wan", "合同投资额", "amount"),
    ),
    "registered": (
        Evidence("registered_company_name", "注册公司名称", "text"),
        Evidence("registered_uscc", "统一社会信用代码", "uscc"),
    ),
    "land": (Evidence("land_area_mu", "供地面积（亩）", "area"),),
    "construction": (Evidence("started_on", "开工日期", "date"),),
    "production": (Evidence("produced_on", "投产日期", "date"),),
    "full_production": (Evidence("full_production_on", "达产日期", "date"),),
}


def stage_label(code: str) -> str:
    labels = get_setting("projects.stage_labels") or {}
    return labels.get(code) or DEFAULT_LABELS.get(code, code)


def stage_probability(code: str) -> int:
    values = get_setting("projects.stage_probability") or {}
    return int(values.get(code, DEFAULT_PROBABILITY.get(code, 0)))


def rot_days(code: str) -> int | None:
    values = get_setting("projects.rot_days") or {}
    days = values.get(code, DEFAULT_ROT_DAYS.get(code))
    return int(days) if days else None


def rank(code: str) -> int:
    """Position in the pipeline (side states rank below everything)."""
    return PIPELINE.index(code) if code in PIPELINE else -1


def is_forward(old: str, new: str) -> bool:
    return new in PIPELINE and (old in SIDE or rank(new) > rank(old))


def evidence_for_step(old: str, new: str) -> tuple[Evidence, ...]:
    """Evidence of every stage passed when moving forward from ``old`` to ``new``
    (skipping a stage still needs that stage's evidence)."""
    if not is_forward(old, new):
        return ()
    start = rank(old) + 1 if old in PIPELINE else 0
    needed: list[Evidence] = []
    for code in PIPELINE[start : rank(new) + 1]:
        needed.extend(EVIDENCE.get(code, ()))
    return tuple(needed)


def needs_reason(old: str, new: str) -> bool:
    """A step back, a pause or a termination needs a reason."""
    return new in SIDE or (new in PIPELINE and old in PIPELINE and rank(new) < rank(old))
