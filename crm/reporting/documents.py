"""Reports as documents: the weekly and monthly report turned into plain data (title, 主送机关,
numbered sections with paragraphs and tables, 落款, 成文日期) that the Word builder lays out
and that a submission keeps frozen as JSON — what was submitted, not today's figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from crm.core.money import wan_to_yi_str
from crm.core.settings import get_setting
from crm.dashboard.reports import MonthlyReport, WeeklyReport
from crm.dashboard.services import percent
from crm.projects.stages import stage_label
from crm.quotas.indicators import value_text
from crm.zones.models import Zone

VERSION = 1


def _md(day: date) -> str:
    return _("%(month)s月%(day)s日", month=day.month, day=day.day)


def _ymd(day: date) -> str:
    return _("%(year)s年%(month)s月%(day)s日", year=day.year, month=day.month, day=day.day)


def _frame(kind: str, zone: Zone | None, title: str, dated: date) -> dict[str, Any]:
    office = get_setting("reporting.office")
    return {
        "version": VERSION,
        "kind": kind,
        "zone_id": zone.id if zone else None,
        "scope": zone.name if zone else _("全市"),
        "title": title,
        "addressee": office if zone else get_setting("reporting.city_addressee"),
        "sender": zone.name if zone else office,
        "dated": dated.isoformat(),
        "opening": [],
        "sections": [],
        "figures": {},
    }


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _quota_table(report: MonthlyReport, many: bool) -> dict[str, Any]:
    columns = [_("档次"), _("本期"), _("累计"), _("目标"), _("完成率"), _("缺口")]
    rows = []
    for zm in report.zones:
        for index, tier in enumerate(zm.attainment.result.tiers):
            done = zm.to_date[index]
            ratio = percent(done / tier.required) if tier.required else "—"
            row = [tier.label, zm.in_month[index], done, tier.required, ratio]
            row.append(max(tier.required - done, 0))
            rows.append(([zm.zone.short_name] if many else []) + [str(v) for v in row])
    return {"columns": ([_("开发区")] if many else []) + columns, "rows": rows}


def _row(*values: str) -> list[str]:
    """An indicator line without a target of its own: 目标 and 完成率 stay "—"."""
    return [*values, "—", "—"]


def _indicator_table(report: MonthlyReport) -> dict[str, Any]:
    period, ytd, progress = report.period, report.year_to_date, report.progress
    rows = [
        _row(_("签约项目数"), _("个"), str(period.signed), str(ytd.signed)),
        _row(_("签约金额"), _("亿元"), *map(wan_to_yi_str, (period.signed_wan, ytd.signed_wan))),
        _row(_("开工率（开工／签约）"), "%", *map(percent, (period.start_rate, ytd.start_rate))),
        _row(
            _("履约率（注册及以后／签约）"),
            "%",
            *map(percent, (period.performance_rate, ytd.performance_rate)),
        ),
        _row(
            _("资金到位率（实际到位／合同额）"),
            "%",
            *map(percent, (period.funds_rate, ytd.funds_rate)),
        ),
        _row(
            _("完成投资（固定资产投资）"),
            _("亿元"),
            *map(wan_to_yi_str, (progress.month_investment_wan, progress.year_investment_wan)),
        ),
        _row(
            _("实际到位资金"),
            _("亿元"),
            *map(wan_to_yi_str, (progress.month_funds_wan, progress.year_funds_wan)),
        ),
    ]
    for goal in report.goals:
        latest = goal.latest(report.key)
        here = next((a for a in goal.actuals if a.period == report.key), None)
        name = (goal.zone.short_name + "·" if goal.zone else "") + goal.indicator.name
        rows.append(
            [
                name,
                goal.indicator.unit or "",
                value_text(here.value) if here else "—",
                f"{value_text(latest.value)}（{latest.period}）" if latest else "—",
                f"{goal.target_text}（{goal.indicator.target_year}）",
                percent(goal.ratio(latest)) if latest else "—",
            ]
        )
    columns = [_("指标"), _("单位"), _("本期"), _("累计"), _("目标"), _("完成率")]
    return {"columns": columns, "rows": rows}


def _land_section(report: MonthlyReport, many: bool) -> dict[str, Any]:
    """批而未供 activated to the month's end against each zone's goal, and the reserve."""
    land = report.land
    columns = [_("开发区"), _("已盘活（亩）"), _("目标（亩）"), _("完成度"), _("储备用地（亩）")]
    rows = [
        [
            z.zone.short_name,
            value_text(z.activated_mu),
            str(z.goal_mu) if z.goal_mu else _("未设目标"),
            percent(z.share) if z.goal_mu else "—",
            value_text(z.reserve_mu),
        ]
        for z in land.zones
    ]
    if many:
        rows.append(
            [
                _("合计"),
                value_text(land.activated_mu),
                str(land.goal_mu),
                percent(land.share) if land.goal_mu else "—",
                value_text(land.reserve_mu),
            ]
        )
    summary = _(
        "截至%(month)s月末，批而未供土地盘活 %(done)s 亩，目标 %(goal)s 亩（%(day)s 前）；"
        "储备用地 %(reserve)s 亩，全市动态储备不少于 %(floor)s 亩。",
        month=report.month,
        done=value_text(land.activated_mu),
        goal=land.goal_mu,
        day=_ymd(land.deadline),
        reserve=value_text(land.reserve_mu),
        floor=land.reserve_goal_mu,
    )
    table = {"columns": columns, "rows": rows}
    return {"heading": _("批而未供土地盘活与用地储备"), "paragraphs": [summary], "tables": [table]}


def monthly_document(
    report: MonthlyReport, zone: Zone | None, dated: date, text: str = ""
) -> dict[str, Any]:
    """The monthly report (月报) of a zone or the city, with the zone's own account ``text``."""
    scope = zone.name if zone else _("全市")
    title = _(
        "%(scope)s%(year)s年%(month)s月招商引资工作月报",
        scope=scope,
        year=report.year,
        month=report.month,
    )
    doc = _frame("monthly", zone, title, dated)
    doc["period"] = report.key
    doc["opening"] = [
        _(
            "现将%(scope)s%(year)s年%(month)s月招商引资工作情况报告如下：",
            scope=scope,
            year=report.year,
            month=report.month,
        )
    ]
    if _paragraphs(text):
        doc["sections"].append({"heading": _("工作开展情况"), "paragraphs": _paragraphs(text)})
    many = len(report.zones) > 1
    required = sum(t.required for zm in report.zones for t in zm.attainment.result.tiers)
    counted = sum(sum(zm.to_date.values()) for zm in report.zones)
    summary = _(
        "截至%(month)s月末，年度目标项目累计计入 %(done)s 个，目标 %(required)s 个。",
        month=report.month,
        done=counted,
        required=required,
    )
    quota = _quota_table(report, many)
    doc["sections"].append(
        {
            "heading": _("年度目标完成情况"),
            "paragraphs": [summary] if quota["rows"] else [_("本年度未设定年度招商目标。")],
            "tables": [quota] if quota["rows"] else [],
        }
    )
    period, ytd = report.period, report.year_to_date
    signed = _(
        "本月新签约项目 %(n)s 个，签约金额 %(yi)s 亿元；"
        "年内累计签约 %(total)s 个，%(total_yi)s 亿元。",
        n=period.signed,
        yi=wan_to_yi_str(period.signed_wan),
        total=ytd.signed,
        total_yi=wan_to_yi_str(ytd.signed_wan),
    )
    doc["sections"].append(
        {
            "heading": _("主要指标"),
            "paragraphs": [signed],
            "tables": [_indicator_table(report)],
        }
    )
    if report.land is not None:
        doc["sections"].append(_land_section(report, many))
    doc["figures"] = {
        "signed": period.signed,
        "signed_wan": period.signed_wan,
        "year_signed": ytd.signed,
        "year_signed_wan": ytd.signed_wan,
        "counted": counted,
        "required": required,
        "month_investment_wan": report.progress.month_investment_wan,
        "year_investment_wan": report.progress.year_investment_wan,
        "month_funds_wan": report.progress.month_funds_wan,
        "year_funds_wan": report.progress.year_funds_wan,
    }
    if report.land is not None:
        doc["figures"]["land_activated_mu"] = value_text(report.land.activated_mu)
        doc["figures"]["land_reserve_mu"] = value_text(report.land.reserve_mu)
    doc["text"] = text or ""
    return doc


def _project_rows(projects: list[Any], many: bool) -> list[list[str]]:
    return [
        ([p.zone.short_name] if many else [])
        + [p.display_name(), stage_label(p.stage), wan_to_yi_str(p.quota_amount_wan) or "—"]
        for p in projects
    ]


def weekly_document(report: WeeklyReport, zone: Zone | None, dated: date) -> dict[str, Any]:
    """The weekly report (周报) of a zone or the city."""
    scope = zone.name if zone else _("全市")
    span = _("%(start)s至%(end)s", start=_md(report.start), end=_md(report.end))
    title = _("%(scope)s招商引资工作周报（%(span)s）", scope=scope, span=span)
    doc = _frame("weekly", zone, title, dated)
    doc["period"] = f"{report.start.isoformat()}/{report.end.isoformat()}"
    many = zone is None
    head = ([_("开发区")] if many else []) + [_("项目"), _("阶段"), _("投资额（亿元）")]
    new = report.new_projects.rows
    doc["sections"].append(
        {
            "heading": _("本周新增"),
            "paragraphs": [
                _(
                    "本周新增项目 %(projects)s 个，新增目标企业 %(targets)s 家。",
                    projects=len(new),
                    targets=len(report.new_targets.rows),
                )
            ],
            "tables": [{"columns": head, "rows": _project_rows(new, many)}] if new else [],
        }
    )
    changes = [
        ([p.zone.short_name] if many else [])
        + [
            p.display_name(),
            f"{stage_label(e.from_stage)} → {stage_label(e.to_stage)}",
            e.effective_on.isoformat(),
        ]
        for e, p in report.changes.rows
    ]
    change_head = ([_("开发区")] if many else []) + [_("项目"), _("变化"), _("生效日期")]
    doc["sections"].append(
        {
            "heading": _("阶段变化"),
            "paragraphs": [] if changes else [_("本周无阶段变化。")],
            "tables": [{"columns": change_head, "rows": changes}] if changes else [],
        }
    )
    key = report.key_projects.rows
    doc["sections"].append(
        {
            "heading": _("重点项目（10亿元以上）推进情况"),
            "paragraphs": [] if key else [_("暂无10亿元以上在推进项目。")],
            "tables": [{"columns": head, "rows": _project_rows(key, many)}] if key else [],
        }
    )
    doc["sections"].append(
        {
            "heading": _("需协调事项"),
            "paragraphs": [
                _("跨区冲突待协调 %(n)s 件。", n=len(report.conflicts.rows)),
                _("阶段停滞项目 %(n)s 个。", n=len(report.rotting.rows)),
                _("达到首报门槛但未首报项目 %(n)s 个。", n=len(report.unreported.rows)),
            ],
        }
    )
    doc["figures"] = {"new_projects": len(new), "key_projects": len(key)}
    return doc
