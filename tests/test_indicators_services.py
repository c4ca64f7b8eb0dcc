"""Goal-list actuals: entry per period and zone (who may enter which), period formats,
computed indicators (refused for entry, equal to a recount), progress and trend."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from crm.core.models import AuditLog
from crm.core.period_lock import lock_period
from crm.enterprises.models import Enterprise
from crm.extensions import db
from crm.quotas.indicator_compute import COMPUTED, computed_counts, record_counts
from crm.quotas.indicator_entry import attachment_file, record_actual
from crm.quotas.indicator_progress import Point, Series, goal_rows
from crm.quotas.indicator_trend import sparkline
from crm.quotas.indicator_values import IndicatorError, parse_period
from crm.quotas.indicators import seed_indicators
from crm.quotas.models import Indicator, IndicatorActual
from tests.test_dashboard_data import TODAY, YEAR, make_plan, new_project, signed

MONTH = f"{YEAR}-{TODAY.month:02d}"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def plan(app):
    zones, people = make_plan()
    seed_indicators()
    db.session.commit()
    goals = {(i.code, i.zone_id): i for i in db.session.scalars(select(Indicator))}
    return zones, people, goals


def typed_zone_goal(zone, name="标准厂房建成面积"):
    """A zone's own typed goal (the plan's zone goals, 批而未供土地盘活, are computed)."""
    goal = Indicator(
        code="factory_floor",
        name=name,
        unit="亩",
        zone_id=zone.id,
        target_year=YEAR,
        target_value=Decimal("1000"),
        comparison=">=",
        cumulative=True,
        sort_order=990,
    )
    db.session.add(goal)
    db.session.flush()
    return goal


def _row(rows, code, zone_id=None):
    return next(r for r in rows if r.indicator.code == code and r.indicator.zone_id == zone_id)


def test_the_seed_has_the_plans_24_goals_and_marks_the_computed_ones(plan):
    _zones, people, goals = plan
    assert len(goals) == 24
    rows = goal_rows(people["city"])
    computed = {r.indicator.code for r in rows if r.computed}
    assert computed == {*COMPUTED, "land_activation", "land_reserve"}
    assert "srdi_ladder" not in COMPUTED  # its ladder counts 创新型中小企业, not a label here


@pytest.mark.parametrize(
    "raw,period",
    [
        ("2026", "2026"),
        ("2026-Q3", "2026-Q3"),
        ("2026-q3", "2026-Q3"),
        ("2026-09", "2026-09"),
        ("2026/9", "2026-09"),
        ("2026年9月", "2026-09"),
        ("2026年第三季度", "2026-Q3"),
        (" 2026-09 ", "2026-09"),
    ],
)
def test_periods_are_a_year_a_quarter_or_a_month(app, raw, period):
    assert parse_period(raw) == period


@pytest.mark.parametrize(
    "raw", ["", "2026-13", "2026-Q5", "2026-00", "九月", "26-09", "2026-09-01", "1990", "2026 Q3"]
)
def test_other_periods_are_refused(app, raw):
    with pytest.raises(IndicatorError) as exc:
        parse_period(raw)
    assert exc.value.field == "period"


def test_a_future_period_is_refused(app):
    with pytest.raises(IndicatorError, match="尚未开始"):
        parse_period(str(YEAR + 1))


def test_zone_and_city_values_are_kept_apart_and_one_per_period(plan):
    zones, people, goals = plan
    revenue = goals[("revenue", None)]
    gxq, jkq = zones["gxq"].id, zones["jkq"].id
    record_actual(revenue, MONTH, "1200", people["gxq_manager"], zone_id=gxq, note="统计快报")
    record_actual(revenue, MONTH, "600", people["city"], zone_id=jkq)
    record_actual(revenue, MONTH, "1250", people["gxq_manager"], zone_id=gxq, note="更正")
    db.session.commit()
    stored = db.session.scalars(select(IndicatorActual).order_by(IndicatorActual.zone_id)).all()
    assert [(a.zone_id, a.value, a.source_note) for a in stored] == [
        (gxq, Decimal("1250"), "更正"),
        (jkq, Decimal("600"), ""),
    ]
    audit = db.session.scalars(select(AuditLog).where(AuditLog.entity == "indicator")).all()
    assert len(audit) == 3 and audit[-1].changes["value"] == ["1200", "1250"]
    row = _row(goal_rows(people["city"]), "revenue")
    assert row.latest().value == Decimal("1850") and row.latest().source_note == "各开发区合计"
    assert row.ratio() == Decimal("1850") / Decimal("2800")
    mine = _row(goal_rows(people["gxq_manager"]), "revenue")  # the total, not jkq's value
    assert mine.latest().value == Decimal("1850") and [s.zone.code for s in mine.zones] == ["gxq"]
    # a city-wide value for the period is the city's figure, not the sum
    record_actual(revenue, MONTH, "1900", people["city"])
    row = _row(goal_rows(people["city"]), "revenue")
    assert row.latest().value == Decimal("1900")
    by_zone = {s.zone.code: s.latest() for s in row.zones}
    assert by_zone["gxq"].value == Decimal("1250") and by_zone["xdfw"] is None
    # a zone sees its own zone and the city, not another zone's
    mine = _row(goal_rows(people["gxq_manager"]), "revenue")
    assert [s.zone.code for s in mine.zones] == ["gxq"] and mine.latest().value == Decimal("1900")


def test_shares_are_not_summed(plan):
    zones, people, goals = plan
    rd = goals[("rd_ratio", None)]
    record_actual(rd, MONTH, "1.2", people["city"], zone_id=zones["gxq"].id)
    record_actual(rd, MONTH, "1.4", people["city"], zone_id=zones["jkq"].id)
    row = _row(goal_rows(people["city"]), "rd_ratio")
    assert row.latest() is None  # 1.2 % + 1.4 % is not a city figure
    assert {s.zone.code: s.met() for s in row.zones if s.actuals} == {"gxq": False, "jkq": True}


@pytest.mark.parametrize(
    "who,zone,message",
    [
        ("gxq_manager", None, "全市数值由市级统筹录入"),
        ("gxq_manager", "jkq", "只能录入本开发区的数值"),
        ("gxq_staff", "gxq", "只有开发区负责人和市级统筹可以录入"),
        ("viewer", None, "只有开发区负责人和市级统筹可以录入"),
    ],
)
def test_who_enters_which_zone(plan, who, zone, message):
    zones, people, goals = plan
    zone_id = zones[zone].id if zone else None
    with pytest.raises(IndicatorError, match=message):
        record_actual(goals[("revenue", None)], MONTH, "1", people[who], zone_id=zone_id)


def test_a_zones_own_goal_takes_only_that_zones_values(plan):
    zones, people, _goals = plan
    land = typed_zone_goal(zones["gxq"])
    row = record_actual(land, MONTH, "800", people["gxq_manager"])
    assert row.zone_id == zones["gxq"].id
    with pytest.raises(IndicatorError, match="只属于一个开发区"):
        record_actual(land, MONTH, "800", people["city"], zone_id=zones["jkq"].id)


def test_a_closed_month_is_corrected_by_the_city_only(plan):
    zones, people, goals = plan
    revenue, gxq = goals[("revenue", None)], zones["gxq"].id
    record_actual(revenue, MONTH, "100", people["gxq_manager"], zone_id=gxq)
    lock_period(gxq, MONTH, people["city"].id)
    with pytest.raises(IndicatorError, match="已锁定"):
        record_actual(revenue, MONTH, "120", people["gxq_manager"], zone_id=gxq)
    record_actual(revenue, MONTH, "120", people["city"], zone_id=gxq)
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.entity == "indicator"))
    assert list(actions) == ["actual", "correct"]


def _landed(actor, name: str, labels: list[str], stage_signed: bool = True):
    project = signed(actor, name, 1000) if stage_signed else new_project(actor, name, 1000)
    enterprise = db.session.get(Enterprise, project.enterprise_id)
    enterprise.labels = labels
    db.session.flush()
    return project


def _recount(code: str, zone_id: int | None) -> int:
    """The count computed here on its own: enterprises with the label and a project signed
    or later (not paused/terminated) in the zone."""
    from crm.projects.models import Project

    wanted = set(COMPUTED[code])
    ids = set()
    for project in db.session.scalars(select(Project).where(Project.deleted_at.is_(None))):
        if project.stage in ("lead", "contact", "negotiation", "inspection", "paused"):
            continue
        if project.stage == "terminated" or (zone_id and project.zone_id != zone_id):
            continue
        if wanted & set(db.session.get(Enterprise, project.enterprise_id).labels or ()):
            ids.add(project.enterprise_id)
    return len(ids)


def test_computed_indicators_refuse_entry_and_equal_a_recount(plan):
    zones, people, goals = plan
    _landed(people["gxq_staff"], "甲项目", ["高新技术企业", "专精特新"])
    _landed(people["gxq_staff"], "乙项目", ["小巨人", "瞪羚"])
    _landed(people["jkq_staff"], "丙项目", ["高新技术企业", "头雁"])
    _landed(people["jkq_staff"], "丁项目", ["高新技术企业"], stage_signed=False)  # not landed
    db.session.commit()
    high_tech = goals[("high_tech", None)]
    with pytest.raises(IndicatorError, match="自动计算"):
        record_actual(high_tech, MONTH, "3", people["city"])
    rows = goal_rows(people["city"])
    for code in COMPUTED:
        row = _row(rows, code)
        assert row.latest().period == MONTH
        assert int(row.latest().value) == _recount(code, None), code
        for series in row.zones:
            assert int(series.latest().value) == _recount(code, series.zone.id), code
    assert computed_counts()["high_tech"] == {None: 2, zones["gxq"].id: 1, zones["jkq"].id: 1}
    assert computed_counts()["srdi_provincial"][None] == 2  # 专精特新 and 小巨人
    # kept as this month's values for the trend; a second recount changes nothing
    assert record_counts(people["city"]) > 0
    assert record_counts(people["city"]) == 0
    kept = db.session.scalar(
        select(IndicatorActual).where(
            IndicatorActual.indicator_id == high_tech.id, IndicatorActual.zone_id.is_(None)
        )
    )
    assert kept.computed and kept.value == 2 and kept.period == MONTH


def test_an_at_most_goal_counts_down(plan):
    indicator = Indicator(
        code="energy", name="单位能耗", unit="吨", target_year=YEAR, target_value=Decimal(50)
    )
    indicator.comparison = "<="
    series = Series(indicator, None, [Point("2026", Decimal(40))])
    assert series.ratio() == 1 and series.met()
    series = Series(indicator, None, [Point("2026", Decimal(100))])
    assert series.ratio() == Decimal("0.5") and not series.met()


def test_the_trend_line_spans_the_values_oldest_first(app):
    assert sparkline([("2026-01", 1)]) is None
    line = sparkline([("2026-01", 10), ("2026-02", 20), ("2026-03", 15)], target=30)
    xs = [x for x, _y, _t in line.dots]
    ys = [y for _x, y, _t in line.dots]
    assert xs == sorted(xs) and ys[1] < ys[2] < ys[0]  # higher values are drawn higher
    assert line.goal_y is not None and line.goal_y < min(ys)
    assert line.dots[-1][2] == "2026-03 15"


def test_a_supporting_file_is_checked_like_a_project_attachment(plan):
    zones, people, goals = plan
    revenue, gxq = goals[("revenue", None)], zones["gxq"].id
    with pytest.raises(IndicatorError, match="可执行程序") as exc:
        upload = (io.BytesIO(b"MZ\x90\x00rest"), "快报.pdf")
        record_actual(revenue, MONTH, "1", people["city"], zone_id=gxq, upload=upload)
    assert exc.value.field == "attachment"
    db.session.rollback()
    with pytest.raises(IndicatorError, match="只能上传"):
        upload = (io.BytesIO(b"<html>"), "快报.html")
        record_actual(revenue, MONTH, "1", people["city"], zone_id=gxq, upload=upload)
    db.session.rollback()
    row = record_actual(
        revenue, MONTH, "1", people["city"], zone_id=gxq, upload=(io.BytesIO(PDF), "快报.pdf")
    )
    db.session.commit()
    path = attachment_file(row)
    assert path is not None and path.read_bytes() == PDF
    assert (row.attachment_name, row.attachment_type) == ("快报.pdf", "application/pdf")
    assert db.session.scalar(select(func.count()).select_from(IndicatorActual)) == 1
