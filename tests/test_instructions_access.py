"""A leader (viewer) reads everything and writes only instructions (批示): the URL map walk
proves no other route that changes data lets them in."""

from __future__ import annotations

from crm.auth.services import create_api_token
from crm.core.access import ISSUERS
from crm.extensions import db
from tests.conftest import csrf_token, login
from tests.factories import make_user, make_zone

SAFE = {"GET", "HEAD", "OPTIONS"}
# What a leader may change: their own account, token, reminder and message-channel preferences,
# and 批示.
OWN_ACCOUNT = {
    "auth.login",
    "auth.logout",
    "auth.password",
    "auth.create_token",
    "auth.revoke_token",
    "auth.set_locale",
    "reminders.preferences",
    "channels.preferences",
    "reminders.feed_create",
    "reminders.feed_revoke",
    "api.update_me",
}
INSTRUCTIONS = {"instructions.create", "instructions.close", "instructions.reopen"}


def _unsafe_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.methods - SAFE:
            continue
        yield rule, app.view_functions[rule.endpoint].access_rule


def _url(rule) -> str:
    return rule.build({arg: 1 for arg in rule.arguments}, append_unknown=False)[1]


def test_issuers_are_leaders_and_coordinators():
    assert set(ISSUERS) == {"viewer", "coordinator"}


def test_the_only_writes_open_to_a_leader_are_their_account_and_instructions(app):
    open_to_leader = {
        rule.endpoint
        for rule, access in _unsafe_routes(app)
        if access.roles is None or "viewer" in access.roles
    }
    assert open_to_leader == OWN_ACCOUNT | INSTRUCTIONS


def test_a_leader_is_refused_on_every_other_write(app):
    zone = make_zone()
    make_user("staff", zone=zone)
    leader = make_user("viewer")
    client = app.test_client()
    assert login(client, leader).status_code == 302
    token = csrf_token(client, "/about")
    refused = 0
    for rule, _access in _unsafe_routes(app):
        if rule.endpoint in OWN_ACCOUNT | INSTRUCTIONS or rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods - SAFE):
            response = client.open(_url(rule), method=method, data={"csrf_token": token})
            assert response.status_code == 403, (rule.rule, method)
            refused += 1
    assert refused > 40  # the walk really covered the product's writes


def test_a_leader_token_is_refused_on_every_api_write_but_their_profile(app):
    leader = make_user("viewer")
    token = create_api_token(leader, "walk")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    for rule, _access in _unsafe_routes(app):
        if not rule.rule.startswith("/api/") or rule.endpoint in OWN_ACCOUNT:
            continue
        for method in sorted(rule.methods - SAFE):
            response = client.open(_url(rule), method=method, headers=headers, json={})
            assert response.status_code == 403, (rule.rule, method)


def test_a_leader_writes_an_instruction_but_cannot_report_on_it(app):
    from datetime import timedelta

    from crm.core.timeutil import local_today
    from tests.conftest import post

    zone = make_zone()
    leader = make_user("viewer")
    client = app.test_client()
    login(client, leader)
    due = (local_today() + timedelta(days=3)).isoformat()
    created = post(client, f"/instructions/new/zone/{zone.id}", {"content": "请办", "due_on": due})
    assert created.status_code == 302
    assert post(client, created.headers["Location"] + "/report", {"note": "x"}).status_code == 403
