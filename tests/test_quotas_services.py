"""Quotas from the database: seeding, tier validation, attainment through real stage events."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from crm.core.models import AuditLog
from crm.core.timeutil import local_today
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.projects.services import create_project
from crm.projects.transitions import change_stage
from crm.quotas.models import Quota
from crm.quotas.seed import seed_quotas
from crm.quotas.services import QuotaError, report, save_quota
from crm.zones.seed import seed_zones
from tests.factories import make_user, make_zone

TODAY = local_today()


@pytest.fixture
def plan(app):
    seed_zones()
    seed_quotas()
    db.session.commit()
    from crm.zones.models import Zone

    zones = {z.code: z for z in db.session.scalars(select(Zone))}
    return zones, make_user("staff", zone=zones["gxq"]), make_user("coordinator")


def test_seed_is_idempotent_and_skips_the_services_zone(plan):
    assert seed_quotas() == 0
    quotas = db.session.scalars(select(Quota)).all()
    assert len(quotas) == 4
    zones, _staff, _city = plan
    assert {q.zone_id for q in quotas} == {zones["gxq"].id, zones["jkq"].id}
    assert [(t.threshold_wan, t.required) for t in quotas[0].tiers] == [(300000, 1), (100000, 5)]


@pytest.mark.parametrize(
    "rows,year,message",
    [
        ([{"label": "零", "threshold_wan": 0, "required": 1}], 2026, "必须大于 0"),
        ([{"label": "负", "threshold_wan": -5, "required": 1}], 2026, "必须大于 0"),
        (
            [
                {"label": "甲", "threshold_wan": 100000, "required": 1},
                {"label": "乙", "threshold_wan": 100000, "required": 2},
            ],
            2026,
            "金额门槛相同",
        ),
        ([{"label": "多", "threshold_wan": 100000, "required": 101}], 2026, "1 到 100"),
        ([{"label": "远", "threshold_wan": 100000, "required": 1}], 1990, "年份应在"),
        ([{"label": "远", "threshold_wan": 100000, "required": 1}], 2099, "年份应在"),
        ([{"label": "约", "threshold_wan": "约30亿", "required": 1}], 2026, "必须大于 0"),
    ],
)
def test_bad_quotas_are_refused(plan, rows, year, message):
    zones, _staff, city = plan
    with pytest.raises(QuotaError) as info:
        save_quota(zones["gxq"], year, rows, city)
    assert message in str(info.value)


def test_save_quota_is_audited(plan):
    zones, _staff, city = plan
    save_quota(
        zones["xdfw"], 2026, [{"label": "5亿元以上", "threshold_wan": 50000, "required": 2}], city
    )
    db.session.commit()
    entry = db.session.scalars(select(AuditLog).where(AuditLog.entity == "quota")).one()
    assert entry.actor_id == city.id


def _signed_project(zone_staff, amount, signed_on, name, **values):
    ent = create_enterprise({"name": f"{name}有限公司"}, None, confirm_duplicate=True)
    project = create_project(
        ent,
        None,
        {"name": name, "planned_total_wan": amount, **values},
        zone_staff,
        stage="negotiation",
        started_on=date(signed_on.year, 1, 1),
    )
    change_stage(
        project,
        "signed",
        signed_on,
        {"contract_signed_on": signed_on, "contract_amount_wan": amount},
        "",
        project.version,
        zone_staff,
    )
    return project


def test_attainment_from_real_stage_events(plan, runner):
    zones, staff, _city = plan
    year = TODAY.year
    day = TODAY
    big = _signed_project(staff, 300000, day, "铜箔")
    mid = _signed_project(staff, 120000, day, "储能")
    gone = _signed_project(staff, 150000, day, "电池")
    change_stage(gone, "terminated", TODAY, {}, "企业撤资", gone.version, staff)
    db.session.commit()
    data = report([zones["gxq"], zones["xdfw"]], year)
    gxq = data["zones"][0]
    assert [(t["achieved"], t["gap"], t["projects"]) for t in gxq["tiers"]] == [
        (1, 0, [big.id]),
        (1, 4, [mid.id]),
    ]
    assert gxq["withdrawn"] == [gone.id]
    assert data["zones"][1]["tiers"] == []
    result = runner.invoke(args=["quota", "report", "--year", str(year), "--zone", "gxq", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["zones"][0]["tiers"][0]["projects"] == [big.id]


def test_report_cli_refuses_a_distant_year(plan, runner):
    result = runner.invoke(args=["quota", "report", "--year", "1900", "--json"])
    assert result.exit_code != 0 and "年份应在" in result.output


def test_other_zones_projects_do_not_count(plan):
    zones, _staff, _city = plan
    other = make_user("staff", zone=make_zone())
    _signed_project(other, 400000, TODAY, "别处项目")
    db.session.commit()
    gxq = report([zones["gxq"]], TODAY.year)["zones"][0]
    assert all(t["achieved"] == 0 for t in gxq["tiers"])
