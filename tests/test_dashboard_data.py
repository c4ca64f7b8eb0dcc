"""Data helpers for the dashboard, quota page and report tests: projects made through the
services (create_project, change_stage with evidence), never by writing rows directly."""

from __future__ import annotations

import itertools
import random
from datetime import date

import pytest
from sqlalchemy import select

from crm.core.timeutil import local_today
from crm.enterprises.services import create_enterprise
from crm.enterprises.uscc import generate_uscc
from crm.extensions import db
from crm.projects.models import Project
from crm.projects.services import create_project
from crm.projects.transitions import change_stage
from crm.quotas.seed import seed_quotas
from crm.zones.models import Zone
from crm.zones.seed import seed_zones
from tests.conftest import login
from tests.factories import make_user

TODAY = local_today()
YEAR = TODAY.year
_names = itertools.count(1)


def new_project(actor, name: str, amount: int | None, stage: str = "negotiation", **values):
    """A project of the actor's zone opened on 1 January, ``amount`` 万元 planned."""
    n = next(_names)
    enterprise = create_enterprise({"name": f"{name}{n}有限公司"}, None, confirm_duplicate=True)
    raw = {"name": name, "planned_total_wan": amount, **values}
    project = create_project(enterprise, None, raw, actor, stage=stage, started_on=date(YEAR, 1, 1))
    db.session.flush()
    return project


def move(project: Project, actor, to_stage: str, on: date | None = None, note: str = "", **ev):
    """Change the stage with whatever evidence the step needs (filled in when missing)."""
    on = on or TODAY
    evidence = {
        "contract_signed_on": on,
        "contract_amount_wan": project.quota_amount_wan or 10000,
        "registered_company_name": f"{project.name}公司",
        "registered_uscc": generate_uscc(random.Random(project.id)),
        "land_area_mu": "50",
        "started_on": on,
        "produced_on": on,
        "full_production_on": on,
        **ev,
    }
    change_stage(project, to_stage, on, evidence, note, project.version, actor)
    db.session.flush()
    return project


def signed(actor, name: str, amount: int, on: date | None = None, **values) -> Project:
    """A project signed (签约) on ``on`` (default today) for ``amount`` 万元."""
    project = new_project(actor, name, amount, **values)
    return move(project, actor, "signed", on, contract_amount_wan=amount)


def client_of(app, user):
    """A fresh test client signed in as ``user``."""
    client = app.test_client()
    response = login(client, user)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def make_plan() -> tuple[dict, dict]:
    """The plan's zones and quotas, a manager and a staff member of 高新区 and 经开区, the city."""
    seed_zones()
    seed_quotas()
    db.session.commit()
    zones = {z.code: z for z in db.session.scalars(select(Zone))}
    people = {
        "gxq_manager": make_user("manager", zone=zones["gxq"]),
        "gxq_staff": make_user("staff", zone=zones["gxq"]),
        "jkq_manager": make_user("manager", zone=zones["jkq"]),
        "jkq_staff": make_user("staff", zone=zones["jkq"]),
        "city": make_user("coordinator"),
        "viewer": make_user("viewer"),
        "admin": make_user("admin"),
    }
    return zones, people


@pytest.fixture
def plan(app):
    return make_plan()


def test_helpers_make_a_signed_project(plan):
    zones, people = plan
    project = signed(people["gxq_staff"], "测试项目", 120000)
    db.session.commit()
    assert project.stage == "signed" and project.zone_id == zones["gxq"].id
    assert project.contract_amount_wan == 120000
