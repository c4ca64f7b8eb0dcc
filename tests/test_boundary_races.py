"""Lost races answer 409/422 with a JSON body naming the conflict, never 500: two saves of one
project at once, twenty creations of one target or one enterprise at once."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crm.auth.services import create_api_token
from crm.core.conflicts import conflict_subject, http_error, integrity_kind
from crm.enterprises.models import Enterprise
from crm.enterprises.services import create_enterprise
from crm.enterprises.uscc import make_uscc
from crm.extensions import db
from crm.projects.models import Project
from crm.projects.services import create_project
from crm.targets.models import Target
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_user, make_zone

ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
USCC = make_uscc("91410100MA4000007")


def _headers(user) -> dict[str, str]:
    token = create_api_token(user, "race")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def world(app):
    zone = make_zone(code="za", short_name="甲区")
    city = make_user("coordinator", login="city-r", display_name="王统筹")
    staff = make_user("staff", zone=zone, login="staff-r", display_name="甲专员")
    enterprise = create_enterprise({"name": "河南竞态测试有限公司"}, None, confirm_duplicate=True)
    project = create_project(enterprise, zone.id, {"name": "竞态项目"}, staff, stage="lead")
    db.session.commit()
    return {
        "zone": zone,
        "city": city,
        "staff": staff,
        "enterprise": enterprise,
        "project": project,
    }


def _when_flushing(model: type, action):
    """Run ``action`` once per thread just before the first flush that writes a ``model``."""
    seen = threading.local()

    def before_flush(session, _context, _instances):
        pending = [*session.new, *session.dirty]
        if getattr(seen, "done", False) or not any(isinstance(o, model) for o in pending):
            return
        seen.done = True
        action()

    event.listen(Session, "before_flush", before_flush)
    return lambda: event.remove(Session, "before_flush", before_flush)


def _wait(gate: threading.Barrier) -> None:
    """Meet the others at the gate; late ones (refused by the check before it) do not come."""
    with contextlib.suppress(threading.BrokenBarrierError):
        gate.wait()


def _in_parallel(app, count: int, request) -> list:
    def run(_i):
        return request(app.test_client())

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


# --- deterministic: the version moves between the check and the UPDATE (both databases) ------


def test_a_save_that_loses_the_race_at_the_flush_is_409(app, client, world):
    project = world["project"]
    opened = project.version
    headers = _headers(world["city"])

    def someone_else_saves():
        with db.engine.begin() as connection:
            connection.execute(
                update(Project).where(Project.id == project.id).values(version=opened + 1)
            )

    stop = _when_flushing(Project, someone_else_saves)
    try:
        response = client.patch(
            f"/api/v1/projects/{project.id}",
            json={"next_step": "我的修改", "version": opened},
            headers=headers,
        )
    finally:
        stop()
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert body["code"] == 409 and body["status"] == "Conflict" and "修改" in body["message"]
    db.session.expire_all()
    assert db.session.get(Project, project.id).next_step != "我的修改"


def test_a_duplicate_created_meanwhile_is_refused_like_a_sequential_one(app, client, world):
    """The target's unique index fires at the flush: the service answers as for a duplicate."""
    headers = _headers(world["city"])
    enterprise = world["enterprise"]

    def someone_else_adds_it():
        with Session(db.engine) as other:
            other.add(Target(enterprise_id=enterprise.id, zone_id=world["zone"].id))
            other.commit()

    stop = _when_flushing(Target, someone_else_adds_it)
    try:
        response = client.post(
            "/api/v1/targets",
            json={"enterprise_id": enterprise.id, "zone_id": world["zone"].id},
            headers=headers,
        )
    finally:
        stop()
    assert response.status_code == 422, response.get_json()
    assert "已在甲区的目标清单中" in str(response.get_json()["errors"])


def test_database_refusals_reaching_the_app_are_409_or_422_json(app, client, world):
    """Whatever a service does not expect is still answered by the app, on every route."""
    headers = _headers(world["city"])

    def collide():
        raise StaleDataError("UPDATE statement on table 'zone' expected to update 1 row(s)")

    stop = _when_flushing(Project, collide)
    try:
        response = client.post(
            f"/api/v1/projects/{world['project'].id}/activities",
            json={"kind": "visit", "occurred_on": "2026-10-10", "summary": "拜访"},
            headers=headers,
        )
    finally:
        stop()
    assert response.status_code == 409 and response.get_json()["code"] == 409


def test_integrity_errors_are_named(app, world):
    db.session.add(Enterprise(name="甲", normalized_name="甲2", uscc=USCC))
    db.session.commit()
    db.session.add(Enterprise(name="乙", normalized_name="乙2", uscc=USCC))
    with pytest.raises(IntegrityError) as caught:
        db.session.flush()
    db.session.rollback()
    assert integrity_kind(caught.value) == "unique"
    assert conflict_subject(caught.value) == "enterprise(uscc)"
    with app.test_request_context():
        answer = http_error(caught.value)
    assert answer.code == 409 and answer.description == {"conflict": ["enterprise(uscc)"]}


# --- real concurrency: threads against PostgreSQL ------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (row locks, concurrent writers)")
def test_two_simultaneous_patches_one_wins_the_other_is_409(app, world):
    project = world["project"]
    headers = _headers(world["city"])
    opened = project.version
    gate = threading.Barrier(2, timeout=10)
    stop = _when_flushing(Project, gate.wait)
    try:
        answers = _in_parallel(
            app,
            2,
            lambda c: c.patch(
                f"/api/v1/projects/{project.id}",
                json={"next_step": f"并发{threading.get_ident()}", "version": opened},
                headers=headers,
            ),
        )
    finally:
        stop()
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 409], [a.get_json() for a in answers]
    db.session.expire_all()
    assert db.session.get(Project, project.id).version == opened + 1


@pytest.mark.postgres_only
@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL (row locks, concurrent writers)")
@pytest.mark.parametrize("kind", ["target", "enterprise"])
def test_twenty_simultaneous_creations_one_row_the_others_refused(app, world, kind):
    headers = _headers(world["city"])
    gate = threading.Barrier(10, timeout=5)  # ten at a time: the pool holds fifteen connections
    if kind == "target":
        model, path = Target, "/api/v1/targets"
        body = {"enterprise_id": world["enterprise"].id, "zone_id": world["zone"].id}
    else:
        model, path = Enterprise, "/api/v1/enterprises"
        body = {"name": "河南同码测试有限公司", "uscc": USCC}
    stop = _when_flushing(model, lambda: _wait(gate))
    try:
        answers = _in_parallel(app, 20, lambda c: c.post(path, json=body, headers=headers))
    finally:
        stop()
    codes = sorted(a.status_code for a in answers)
    assert codes.count(201) == 1 and set(codes) <= {201, 409, 422}, codes
    assert all(
        a.is_json and a.get_json()["code"] in (409, 422) for a in answers if a.status_code != 201
    )
    where = Enterprise.uscc == USCC if kind == "enterprise" else Target.zone_id == world["zone"].id
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(model).where(where)) == 1
