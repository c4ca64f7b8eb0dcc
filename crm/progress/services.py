"""Monthly progress rules: which projects report, how a month is written, how the cumulative
figures are checked, and what a correction of a locked month does.

Cumulative figures (累计完成投资, 累计到位资金) follow the monthly ones:

- the month after a reported month: 累计 = 上月累计 + 本月, exactly; either figure may be left
  blank and is then computed from the other;
- the first month a project reports: 累计 may be larger than 本月 (it carries what was invested
  before reporting started) but not smaller; a blank 累计 is taken as 本月;
- after a gap (months not reported in between): 累计 ≥ 上次累计 + 本月, both must be given,
  and a warning names the gap.

No figure is negative. 到位资金 is not capped by 完成投资: funds in place also pay for working
capital (流动资金), so either may be the larger. Only projects that reached 签约 (or paused after
signing) report. A month of a zone that is locked (its report was accepted by the city) is never
overwritten: a correction is saved as the month's next revision, audited; the month's current
figures are those of its newest revision. Correcting a month's cumulative shifts the later
months' cumulatives by the same difference (locked ones by a new revision each), so the chain
stays consistent. The project's 累计实际到位 follows the newest month's 累计到位资金 in the same
transaction.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.core.access import scope_rule, zone_clause
from crm.core.money import AmountError, parse_amount
from crm.core.period_lock import period_of
from crm.core.timeutil import local_today
from crm.progress.models import AMOUNT_FIELDS, TEXT_FIELDS, MonthlyProgress
from crm.projects.models import Project
from crm.projects.stages import PIPELINE, rank

MAX_TEXT = 2000
FIRST_YEAR = 2000
PAIRS = (
    ("month_investment_wan", "total_investment_wan", _l("完成投资")),
    ("month_funds_wan", "total_funds_wan", _l("到位资金")),
)
LABELS = {
    "period": _l("月份"),
    "month_investment_wan": _l("本月完成投资"),
    "total_investment_wan": _l("累计完成投资"),
    "month_funds_wan": _l("本月到位资金"),
    "total_funds_wan": _l("累计到位资金"),
    "image_progress": _l("形象进度"),
    "problems": _l("存在问题"),
    "coordination": _l("需协调事项"),
    "note": _l("修订说明"),
}
_PERIOD_RES = (
    re.compile(r"(\d{4})[-/.年](\d{1,2})月?(?:[-/.]\d{1,2}日?)?(?: .*)?"),  # 2026-11, 2026年11月
    re.compile(r"(\d{4})(\d{2})"),  # 202611
)


class ProgressError(ValueError):
    """A progress rule was broken; ``field`` names the form field (or import column)."""

    def __init__(self, message: Any, field: str = "") -> None:
        super().__init__(str(message))
        self.field = field


@scope_rule(MonthlyProgress)
def _progress_scope(user: Any):
    clause = zone_clause(Project.zone_id, user)  # a project's months are its zone's and the city's
    if clause is None:
        return None
    return MonthlyProgress.project_id.in_(select(Project.id).where(clause))


def reportable(project: Project) -> bool:
    """Signed or later (a paused project only if it was signed)."""
    if project.stage in PIPELINE:
        return rank(project.stage) >= rank("signed")
    return project.stage == "paused" and project.contract_signed_on is not None


def parse_period(text: Any) -> str:
    """ "2026-11", "2026年11月", "202611", "2026/11" or a date in the month → "2026-11"; not a
    month after the current one."""
    raw = unicodedata.normalize("NFKC", "" if text is None else str(text)).strip()
    if not raw:
        raise ProgressError(_l("请填写月份，如 2026-11"), "period")
    match = next((m for pattern in _PERIOD_RES if (m := pattern.fullmatch(raw))), None)
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < FIRST_YEAR:
        raise ProgressError(
            _l("无法识别的月份“%(value)s”，请写作 2026-11、2026年11月 或 202611", value=raw[:20]),
            "period",
        )
    period = period_of(int(match[1]), int(match[2]))
    today = local_today()
    if period > period_of(today.year, today.month):
        raise ProgressError(_l("%(period)s 尚未到来，不能填报", period=period), "period")
    return period


def previous_month(period: str) -> str:
    year, month = int(period[:4]), int(period[5:])
    return period_of(year - (month == 1), (month - 2) % 12 + 1)


def parse_figures(raw: dict[str, Any], units: dict[str, str] | None = None) -> dict[str, Any]:
    """Amount texts as 万元 integers (blank → None; the unit from ``units`` or 万元) and the
    texts trimmed; raises ProgressError for the first bad value."""
    values: dict[str, Any] = {}
    for name in AMOUNT_FIELDS:
        text = "" if raw.get(name) is None else str(raw[name]).strip()
        if not text:
            values[name] = None
            continue
        try:
            values[name] = parse_amount(text, (units or {}).get(name, "万元"))
        except AmountError as exc:
            raise ProgressError(exc, name) from None
    for name in TEXT_FIELDS:
        values[name] = str(raw.get(name) or "").strip()
        if len(values[name]) > MAX_TEXT:
            raise ProgressError(_l("不能超过 %(max)d 个字符", max=MAX_TEXT), name)
    return values


@dataclass
class Checked:
    values: dict[str, Any]
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def check_figures(period: str, values: dict[str, Any], previous: Any) -> Checked:
    """Complete and check the figures of ``period`` against the month reported before it
    (``previous``: an object with period and the total fields, or None)."""
    checked = Checked(dict(values))
    out = checked.values
    for month_f, total_f, label in PAIRS:
        month, total = out.get(month_f), out.get(total_f)
        base = getattr(previous, total_f, None) if previous is not None else None
        if month is None and total is None:
            checked.errors.append(
                (month_f, str(_l("请填写本月%(what)s或累计%(what)s", what=label)))
            )
            continue
        if base is None:
            if month is None:
                reason = _l("首次填报请填写本月%(what)s", what=label)
                checked.errors.append((month_f, str(reason)))
                continue
            total = month if total is None else total
            if total < month:
                reason = _l(
                    "累计%(what)s（%(total)s万元）不能小于本月%(what)s（%(month)s万元）",
                    what=label,
                    total=total,
                    month=month,
                )
                checked.errors.append((total_f, str(reason)))
        elif previous.period == previous_month(period):
            if month is None:
                month = total - base
                if month < 0:
                    reason = _l(
                        "累计%(what)s（%(total)s万元）小于上月累计（%(base)s万元）",
                        what=label,
                        total=total,
                        base=base,
                    )
                    checked.errors.append((total_f, str(reason)))
            total = base + month if total is None else total
            if total != base + month and month >= 0:
                reason = _l(
                    "累计%(what)s应为上月累计 %(base)s万元 + 本月 %(month)s万元 = %(sum)s万元，"
                    "填写的是 %(total)s万元",
                    what=label,
                    base=base,
                    month=month,
                    sum=base + month,
                    total=total,
                )
                checked.errors.append((total_f, str(reason)))
        else:
            if month is None or total is None:
                reason = _l(
                    "上次填报为 %(prev)s，中间月份未填报，请同时填写本月和累计%(what)s",
                    prev=previous.period,
                    what=label,
                )
                checked.errors.append((total_f if month is not None else month_f, str(reason)))
                continue
            if total < base + month:
                reason = _l(
                    "累计%(what)s（%(total)s万元）不能小于 %(prev)s 累计 %(base)s万元 + 本月 "
                    "%(month)s万元",
                    what=label,
                    total=total,
                    prev=previous.period,
                    base=base,
                    month=month,
                )
                checked.errors.append((total_f, str(reason)))
        out[month_f], out[total_f] = month, total
    if previous is not None and previous.period != previous_month(period) and not checked.errors:
        reason = _l("%(prev)s 至 %(period)s 之间有月份未填报", prev=previous.period, period=period)
        checked.warnings.append(("period", str(reason)))
    return checked
