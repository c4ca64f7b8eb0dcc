"""Project rules: creation, stages with evidence, reasons, history, locking, signals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.core.timeutil import local_today
from crm.enterprises.services import create_enterprise
from crm.enterprises.uscc import make_uscc
from crm.extensions import db
from crm.projects.models import StageEvent
from crm.projects.services import (
    ProjectError,
    StaleVersion,
    create_project,
    log_project_activity,
    project_signals,
    stage_durations,
    update_project,
)
from crm.projects.stages import evidence_for_step
from crm.projects.transitions import change_stage
from crm.targets.models import Conflict
from crm.targets.services import create_target
from tests.factories import make_user, make_zone

TODAY = local_today()


@pytest.fixture
def world(app):
    zone_a, zone_b = make_zone(), make_zone()
    return {
        "a": zone_a,
        "b": zone_b,
        "staff_a": make_user("staff", zone=zone_a),
        "staff_b": make_user("staff", zone=zone_b),
        "city": make_user("coordinator"),
    }


def _project(world, stage="negotiation", days_ago=100, **values):
    ent = create_enterprise({"name": values.pop("enterprise", "河南新材料科技有限公司")}, None)
    project = create_project(
        ent,
        None,
        {"name": "高端铜箔项目", "planned_total_wan": 150000, **values},
        world["staff_a"],
        stage=stage,
        started_on=TODAY - timedelta(days=days_ago),
    )
    db.session.commit()
    return project


def test_create_from_target_converts_it_and_records_the_first_event(world):
    ent = create_enterprise({"name": "某某电子有限公司"}, None)
    target = create_target(ent, None, {}, world["staff_a"])
    project = create_project(ent, None, {"name": "电子项目"}, world["staff_a"], target=target)
    assert target.status == "converted"
    assert project.zone_id == world["a"].id and project.owner_id == world["staff_a"].id
    assert [e.to_stage for e in project.events] == ["lead"]


def test_project_for_enterprise_another_zone_pursues_raises_conflict(world):
    ent = create_enterprise({"name": "某某钢铁有限公司"}, None)
    create_target(ent, None, {}, world["staff_b"])
    create_project(ent, None, {"name": "特钢项目"}, world["staff_a"])
    assert db.session.scalars(select(Conflict)).one().status == "open"


def test_signing_needs_contract_date_and_amount(world):
    project = _project(world)
    with pytest.raises(ProjectError) as info:
        change_stage(project, "signed", None, {}, "", project.version, world["staff_a"])
    assert info.value.field == "contract_signed_on"
    signed_on = TODAY - timedelta(days=3)
    result = change_stage(
        project,
        "signed",
        None,
        {"contract_signed_on": signed_on, "contract_amount_wan": 300000},
        "",
        project.version,
        world["staff_a"],
    )
    assert project.stage == "signed" and project.stage_since == signed_on
    assert result.event.effective_on == signed_on and result.event.amount_wan == 300000
    assert result.warnings  # ≥ 10亿 without 首报


def test_skipping_stages_needs_every_skipped_stages_evidence(world):
    names = [e.name for e in evidence_for_step("negotiation", "construction")]
    assert names == [
        "contract_signed_on",
        "contract_amount_wan",
        "registered_company_name",
        "registered_uscc",
        "land_area_mu",
        "started_on",
    ]


@pytest.mark.parametrize(
    "evidence,field",
    [
        ({"contract_signed_on": "FUTURE", "contract_amount_wan": 1000}, "contract_signed_on"),
        ({"contract_signed_on": "BEFORE", "contract_amount_wan": 1000}, "contract_signed_on"),
        ({"contract_signed_on": "OK", "contract_amount_wan": -5}, "contract_amount_wan"),
        ({"contract_signed_on": "OK", "contract_amount_wan": 0}, "contract_amount_wan"),
    ],
)
def test_bad_signing_evidence(world, evidence, field):
    project = _project(world, days_ago=10)
    dates = {
        "FUTURE": TODAY + timedelta(days=1),
        "BEFORE": TODAY - timedelta(days=30),
        "OK": TODAY,
    }
    raw = {k: dates.get(v, v) if isinstance(v, str) else v for k, v in evidence.items()}
    with pytest.raises(ProjectError) as info:
        change_stage(project, "signed", None, raw, "", project.version, world["staff_a"])
    assert info.value.field == field
    assert project.stage == "negotiation"


def test_registration_checks_the_credit_code(world):
    project = _project(world, stage="inspection")
    change_stage(
        project,
        "signed",
        None,
        {"contract_signed_on": TODAY, "contract_amount_wan": 120000},
        "",
        project.version,
        world["staff_a"],
    )
    good = make_uscc("91419001MA4000002")
    with pytest.raises(ProjectError) as info:
        change_stage(
            project,
            "registered",
            None,
            {"registered_company_name": "济源某某有限公司", "registered_uscc": good[:-1] + "I"},
            "",
            project.version,
            world["staff_a"],
        )
    assert info.value.field == "registered_uscc"


def test_step_back_and_termination_need_a_reason(world):
    project = _project(world)
    with pytest.raises(ProjectError) as info:
        change_stage(project, "contact", None, {}, "", project.version, world["staff_a"])
    assert info.value.field == "note"
    change_stage(project, "terminated", None, {}, "企业战略调整", project.version, world["staff_a"])
    assert project.terminated_reason == "企业战略调整"


def test_future_effective_date_and_out_of_order_dates_are_refused(world):
    project = _project(world)
    with pytest.raises(ProjectError):
        change_stage(
            project,
            "inspection",
            TODAY + timedelta(days=1),
            {},
            "",
            project.version,
            world["staff_a"],
        )
    with pytest.raises(ProjectError):
        change_stage(
            project,
            "inspection",
            TODAY - timedelta(days=200),
            {},
            "",
            project.version,
            world["staff_a"],
        )


def test_history_is_appended_never_rewritten(world):
    project = _project(world)
    change_stage(
        project, "inspection", TODAY - timedelta(days=5), {}, "", project.version, world["staff_a"]
    )
    change_stage(
        project, "negotiation", None, {}, "考察后需再谈", project.version, world["staff_a"]
    )
    events = db.session.scalars(select(StageEvent).order_by(StageEvent.id)).all()
    assert [(e.from_stage, e.to_stage) for e in events] == [
        (None, "negotiation"),
        ("negotiation", "inspection"),
        ("inspection", "negotiation"),
    ]
    durations = [days for _e, days in stage_durations(project)]
    assert durations[0] == 95 and durations[1] == 5


def test_stale_version_is_refused_naming_who_saved(world):
    project = _project(world)
    opened = project.version
    update_project(project, {"next_step": "约见董事长"}, opened, world["city"])
    db.session.commit()
    with pytest.raises(StaleVersion) as info:
        update_project(project, {"next_step": "别的"}, opened, world["staff_a"])
    assert world["city"].display_name in str(info.value)
    assert project.next_step == "约见董事长"


def test_activity_updates_follow_up(world):
    project = _project(world)
    log_project_activity(
        project,
        {
            "kind": "meeting",
            "occurred_on": TODAY,
            "summary": "专题会",
            "next_step": "报规划",
            "next_follow_up": TODAY + timedelta(days=3),
        },
        world["staff_a"],
    )
    assert project.next_follow_up == TODAY + timedelta(days=3)
    assert project.next_step == "报规划"


def test_signals(world):
    project = _project(world, days_ago=100, code_name="A01")
    signals = project_signals(project)
    assert signals.rotting and signals.no_next_step and signals.first_report_missing
    assert signals.confidential and signals.days_in_stage == 100
    assert project.display_name() == "A01" and project.display_name(reveal=True) == "高端铜箔项目"


@pytest.mark.parametrize("amount", [-1, 10**12, "30亿", True])
def test_absurd_amounts_are_refused(world, amount):
    project = _project(world)
    with pytest.raises(ProjectError):
        update_project(project, {"planned_total_wan": amount}, project.version, world["staff_a"])
