"""GET /api/v1/instructions: scoped like the pages."""

from __future__ import annotations

from datetime import timedelta

from crm.auth.services import create_api_token
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.instructions import services
from tests.factories import make_user, make_zone


def _headers(user) -> dict[str, str]:
    token = create_api_token(user, "test")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_the_api_lists_instructions_in_scope(app, client):
    a, b = make_zone(), make_zone()
    leader = make_user("viewer")
    staff = make_user("staff", zone=a)
    due = local_today() + timedelta(days=2)
    mine = services.create_instruction(leader, "zone", a, content="甲区的批示", due_on=due)
    theirs = services.create_instruction(leader, "zone", b, content="乙区的批示", due_on=due)
    services.add_report(mine, staff, "已办")
    db.session.commit()
    body = client.get("/api/v1/instructions", headers=_headers(staff)).get_json()
    assert [i["id"] for i in body["items"]] == [mine.id] and body["total"] == 1
    assert body["items"][0]["status"] == "in_progress" and body["items"][0]["overdue"] is False
    detail = client.get(f"/api/v1/instructions/{mine.id}", headers=_headers(staff)).get_json()
    assert detail["entries"][0]["note"] == "已办"
    assert (
        client.get(f"/api/v1/instructions/{theirs.id}", headers=_headers(staff)).status_code == 404
    )
    city = client.get(f"/api/v1/instructions?zone={b.id}", headers=_headers(leader)).get_json()
    assert [i["id"] for i in city["items"]] == [theirs.id]


def test_bad_filters_answer_422_not_500(app, client):
    headers = _headers(make_user("coordinator"))
    for query in ("state=bogus", "zone=99999999999999", "overdue=maybe", "per_page=0"):
        response = client.get(f"/api/v1/instructions?{query}", headers=headers)
        assert response.status_code == 422 and response.is_json, query
