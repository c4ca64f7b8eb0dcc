"""Monthly progress rules: months as people write them, cumulative = previous + month, the
first month and gaps, no negatives, signed projects only, locked months as new revisions
(audited), corrections carried into later months, 累计实际到位 kept in step."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from crm.core.models import AuditLog
from crm.core.period_lock import lock_period, period_of
from crm.extensions import db
from crm.progress.models import MonthlyProgress
from crm.progress.recording import current_rows, save_progress
from crm.progress.services import (
    ProgressError,
    check_figures,
    parse_figures,
    parse_period,
    previous_month,
    reportable,
)
from tests.test_dashboard_data import TODAY, YEAR, make_plan, new_project, signed

CURRENT = period_of(TODAY.year, TODAY.month)
P1 = previous_month(CURRENT)  # last month
P2 = previous_month(P1)
P3 = previous_month(P2)


def figures(mi=None, ti=None, mf=None, tf=None, **texts):
    return {
        "month_investment_wan": mi,
        "total_investment_wan": ti,
        "month_funds_wan": mf,
        "total_funds_wan": tf,
        "image_progress": texts.get("image", ""),
        "problems": "",
        "coordination": "",
    }


@pytest.fixture
def plan(app):
    return make_plan()


@pytest.fixture
def project(plan):
    _zones, people = plan
    made = signed(people["gxq_staff"], "铜箔项目", 100000, on=date(YEAR, 1, 1))
    db.session.commit()
    return made


# --- months --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11", "2026-11"),
        ("2026年11月", "2026-11"),
        ("202611", "2026-11"),
        ("2026/3", "2026-03"),
        ("２０２６－０３", "2026-03"),  # full-width, as typed with a Chinese IME
        ("2026-03-01", "2026-03"),  # a date cell of the month
        ("2026-03-01 00:00:00", "2026-03"),
    ],
)
def test_months_are_read_as_people_write_them(app, text, expected):
    if expected > CURRENT:
        pytest.skip("the clock is before the example month")  # never under a 2026+ clock
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["", "11月", "2026-13", "2026-00", "1999-05", "abc", "20261"])
def test_a_month_that_cannot_be_read_names_the_formats(app, text):
    with pytest.raises(ProgressError) as caught:
        parse_period(text)
    assert caught.value.field == "period"
    assert "2026-11" in str(caught.value)


def test_a_month_still_to_come_is_refused(app):
    year, month = TODAY.year + (TODAY.month == 12), TODAY.month % 12 + 1
    with pytest.raises(ProgressError, match="尚未到来"):
        parse_period(f"{year}-{month:02d}")


def test_previous_month_crosses_the_year():
    assert previous_month("2026-01") == "2025-12"
    assert previous_month("2026-11") == "2026-10"


# --- figures -------------------------------------------------------------------------------


def test_figures_accept_units_and_refuse_negatives(app):
    values = parse_figures({"month_investment_wan": "1.2亿", "total_funds_wan": "3,000"})
    assert values["month_investment_wan"] == 12000 and values["total_funds_wan"] == 3000
    assert values["month_funds_wan"] is None
    assert (
        parse_figures({"month_funds_wan": "2"}, {"month_funds_wan": "亿元"})["month_funds_wan"]
        == 20000
    )
    with pytest.raises(ProgressError, match="负数") as caught:
        parse_figures({"month_funds_wan": "-5"})
    assert caught.value.field == "month_funds_wan"
    with pytest.raises(ProgressError, match="字符"):
        parse_figures({"problems": "问" * 2001})


def _prev(period, ti, tf):
    return SimpleNamespace(period=period, total_investment_wan=ti, total_funds_wan=tf)


def test_cumulative_is_previous_plus_month():
    ok = check_figures(P1, figures(100, 600, 50, 250), _prev(P2, 500, 200))
    assert not ok.errors and not ok.warnings
    bad = check_figures(P1, figures(100, 700, 50, 250), _prev(P2, 500, 200))
    assert bad.errors == [
        (
            "total_investment_wan",
            "累计完成投资应为上月累计 500万元 + 本月 100万元 = 600万元，填写的是 700万元",
        )
    ]


def test_a_blank_figure_is_computed_from_the_other():
    done = check_figures(P1, figures(100, None, None, 260), _prev(P2, 500, 200))
    assert not done.errors
    assert done.values["total_investment_wan"] == 600 and done.values["month_funds_wan"] == 60
    fell = check_figures(P1, figures(100, None, None, 150), _prev(P2, 500, 200))
    assert fell.errors[0][0] == "total_funds_wan" and "小于上月累计" in fell.errors[0][1]


def test_the_first_month_may_carry_earlier_investment_but_not_less_than_the_month():
    first = check_figures(P1, figures(100, 900, 50, None), None)
    assert not first.errors and first.values["total_funds_wan"] == 50
    smaller = check_figures(P1, figures(100, 90, 50, 50), None)
    assert smaller.errors[0][0] == "total_investment_wan" and "不能小于本月" in smaller.errors[0][1]
    blank = check_figures(P1, figures(None, 900, 50, 50), None)
    assert blank.errors == [("month_investment_wan", "首次填报请填写本月完成投资")]
    nothing = check_figures(P1, figures(None, None, 50, 50), None)
    assert nothing.errors == [("month_investment_wan", "请填写本月完成投资或累计完成投资")]


def test_after_a_gap_the_cumulative_is_at_least_the_sum_and_a_warning_names_it():
    gap = check_figures(P1, figures(100, 700, 50, 300), _prev(P3, 500, 200))
    assert not gap.errors and gap.warnings == [("period", f"{P3} 至 {P1} 之间有月份未填报")]
    short = check_figures(P1, figures(100, 550, 50, 300), _prev(P3, 500, 200))
    assert short.errors[0][0] == "total_investment_wan"
    blank = check_figures(P1, figures(100, None, 50, 300), _prev(P3, 500, 200))
    assert "中间月份未填报" in blank.errors[0][1]


def test_funds_may_exceed_investment():  # 到位资金 also pays for working capital (流动资金)
    assert not check_figures(P1, figures(10, 10, 500, 500), None).errors


# --- writing -------------------------------------------------------------------------------


def test_only_signed_projects_report(plan):
    _zones, people = plan
    talks = new_project(people["gxq_staff"], "在谈项目", 50000)
    assert not reportable(talks)
    with pytest.raises(ProgressError, match="签约后"):
        save_progress(talks, P1, figures(1, 1, 1, 1), people["gxq_staff"])


def test_a_month_is_saved_then_corrected_in_place_while_open(plan, project):
    staff = plan[1]["gxq_staff"]
    first = save_progress(project, P2, figures(500, 500, 200, 200), staff)
    second = save_progress(project, P1, figures(100, None, 50, None), staff)
    db.session.commit()
    assert (first.action, second.action) == ("created", "created")
    assert project.actual_in_place_wan == 250  # the newest month's 累计到位资金
    again = save_progress(project, P1, figures(100, None, 50, None), staff)
    assert again.action == "unchanged"
    fixed = save_progress(project, P1, figures(120, None, 50, None, image="封顶"), staff)
    db.session.commit()
    assert fixed.action == "updated" and fixed.row.revision == 1
    rows = db.session.scalars(select(MonthlyProgress).where(MonthlyProgress.period == P1)).all()
    assert len(rows) == 1 and rows[0].total_investment_wan == 620
    audit = db.session.scalars(
        select(AuditLog).where(AuditLog.entity == "monthly_progress", AuditLog.action == "update")
    ).one()
    assert audit.changes["total_investment_wan"] == [600, 620]


def test_a_locked_month_is_corrected_by_a_new_audited_revision(plan, project):
    staff = plan[1]["gxq_staff"]
    save_progress(project, P1, figures(500, 500, 200, 200), staff)
    lock_period(project.zone_id, P1, None)
    db.session.commit()
    saved = save_progress(project, P1, figures(500, 500, 260, 260), staff, note="补录银行凭证")
    db.session.commit()
    assert saved.action == "revised" and saved.row.revision == 2
    revisions = db.session.scalars(
        select(MonthlyProgress.total_funds_wan)
        .where(MonthlyProgress.period == P1)
        .order_by(MonthlyProgress.revision)
    ).all()
    assert revisions == [200, 260]  # the accepted figures are kept
    assert current_rows(project.id)[-1].total_funds_wan == 260
    assert project.actual_in_place_wan == 260
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "revise")).one()
    assert audit.changes["total_funds_wan"] == [200, 260] and "补录银行凭证" in audit.note


def test_a_correction_is_carried_into_the_later_months(plan, project):
    staff = plan[1]["gxq_staff"]
    save_progress(project, P3, figures(100, 100, 10, 10), staff)
    save_progress(project, P2, figures(100, 200, 10, 20), staff)
    save_progress(project, P1, figures(100, 300, 10, 30), staff)
    lock_period(project.zone_id, P1, None)
    save_progress(project, P3, figures(150, 150, 10, 10), staff)
    db.session.commit()
    totals = [(r.period, r.revision, r.total_investment_wan) for r in current_rows(project.id)]
    assert totals == [(P3, 1, 150), (P2, 1, 250), (P1, 2, 350)]  # the locked month: revision 2


def test_a_month_filled_in_before_a_reported_one_must_lead_up_to_it(plan, project):
    staff = plan[1]["gxq_staff"]
    save_progress(project, P3, figures(100, 100, 10, 10), staff)
    save_progress(project, P1, figures(100, 400, 10, 40), staff)  # P2 missing: a gap
    with pytest.raises(ProgressError, match=P1) as caught:
        save_progress(project, P2, figures(100, None, 10, None), staff)  # 200 ≠ 400 − 100
    assert caught.value.field == "total_investment_wan"
    db.session.rollback()
    saved = save_progress(project, P2, figures(200, None, 20, None), staff)
    assert saved.action == "created"


def test_another_zones_user_cannot_see_the_months(plan, project):
    from crm.core.access import scoped_select

    _zones, people = plan
    save_progress(project, P1, figures(5, 5, 5, 5), people["gxq_staff"])
    db.session.commit()
    own = db.session.scalars(scoped_select(MonthlyProgress, people["gxq_manager"])).all()
    other = db.session.scalars(scoped_select(MonthlyProgress, people["jkq_staff"])).all()
    city = db.session.scalars(scoped_select(MonthlyProgress, people["viewer"])).all()
    assert (len(own), len(other), len(city)) == (1, 0, 1)
