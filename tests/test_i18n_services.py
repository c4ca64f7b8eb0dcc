"""Messages raised by the services follow the reader's language and survive as plain text."""

from __future__ import annotations

import json

import pytest
from flask_babel import force_locale

from crm.auth.services import create_api_token
from crm.core.i18n import join_words, label, words
from crm.core.money import format_wan, format_yi
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.projects.stages import stage_label, stage_name
from crm.targets.activities import ActivityError, build_activity
from crm.targets.importing import RowError
from crm.targets.services import create_target
from tests.factories import make_user, make_zone


def _refusal(raw: dict) -> ActivityError:
    with pytest.raises(ActivityError) as info:
        build_activity(raw, None, None)
    return info.value


def test_service_message_is_lazy_and_follows_the_locale(app):
    with app.test_request_context():
        error = _refusal({"kind": "fax"})
        assert str(error) == "请选择跟进方式"  # Chinese text unchanged for Chinese readers
        with force_locale("en"):
            assert str(error) == "Choose how you followed up"
            assert error.args[0] == "Choose how you followed up"  # compares as text


def test_messages_outside_a_request_are_chinese(app):
    # CLI and worker: no request, no user; the default language, never a RuntimeError
    assert str(_refusal({"kind": "fax"})) == "请选择跟进方式"


def test_import_reasons_are_stored_as_plain_text(app):
    with app.test_request_context(), force_locale("en"):
        row = RowError(3, label("招商方式"), str(_refusal({"kind": "fax"})))
        stored = json.loads(json.dumps(row.as_dict()))
        assert stored == {
            "row": 3,
            "column": "Approach",
            "reason": "Choose how you followed up",
        }
        lazy_row = RowError(4, "", _refusal({"kind": "fax"}).args[0])
        assert type(lazy_row.reason) is str


def test_stages_have_an_english_name_and_files_keep_the_chinese_one(app):
    with app.test_request_context():
        assert stage_label("signed") == "签约"
        with force_locale("en"):
            assert stage_label("signed") == "Signed"
            assert stage_label("inspection") == "Site visit"
            assert stage_name("signed") == "签约"  # exports and imports


def test_english_words_money_and_lists(app):
    with app.test_request_context():
        assert words(["企业招商", "资本招商"]) == "企业招商、资本招商"
        assert format_yi(300000) == "30.00亿元"
        with force_locale("en"):
            assert words(["企业招商", "资本招商"]) == "Enterprise attraction, Capital attraction"
            assert words([]) == "—"
            assert join_words(["a", "b"]) == "a, b"
            assert format_yi(300000) == "30.00 × 100M CNY"
            assert format_wan(120000) == "120,000 × 10k CNY"
            assert label("不是词表里的词") == "不是词表里的词"


def test_api_errors_are_plain_english_strings_for_an_english_user(app, client):
    zone = make_zone()
    user = make_user("staff", zone=zone, locale="en")
    enterprise = create_enterprise({"name": "Acme Copper Co."}, None)
    target = create_target(enterprise, zone.id, {}, user)
    token = create_api_token(user, "test")
    db.session.commit()
    response = client.post(
        f"/api/v1/targets/{target.id}/activities",
        json={"kind": "phone", "occurred_on": "2999-01-01", "summary": "x"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
    body = json.loads(response.get_data(as_text=True))
    assert body["errors"]["json"]["occurred_on"] == [
        "The follow-up date cannot be later than today"
    ]


def test_graph_tooltips_come_translated(app, client, login_as):
    from crm.chains.models import Chain
    from crm.chains.seed import seed_chains

    seed_chains()
    user = make_user("coordinator", locale="en")
    db.session.commit()
    chain_id = db.session.scalar(db.select(Chain.id).order_by(Chain.id))
    login_as(user)
    data = client.get(f"/chains/{chain_id}/graph.json").get_json()
    node = data["children"][0]["children"][0]
    assert data["children"][0]["name"] == "Upstream"
    assert "\nLocal enterprises " in node["tooltip"] and "(" in node["tooltip"]


def test_password_refusals_and_a_stale_project_speak_the_readers_language(app):
    from crm.auth.services import AuthError, refuse_weak_password
    from crm.projects.services import StaleVersion

    with app.test_request_context():
        with pytest.raises(AuthError) as info:
            refuse_weak_password("abc", "abc")
        assert str(info.value) == "密码至少 8 个字符；密码不能与用户名相同"
        with force_locale("en"), pytest.raises(AuthError) as info:
            refuse_weak_password("abc", "abc")
        assert str(info.value) == (
            "The password needs at least 8 characters; "
            "The password cannot be the same as the user name"
        )
        project = type("P", (), {"updated_by_id": None})()
        stale = StaleVersion(project)
        with force_locale("en"):
            assert str(stale) == (
                "This project was changed by another user; reload the page and enter your "
                "changes again"
            )
        assert str(stale) == "该项目已被其他用户修改，请刷新页面后重新填写"


def test_credit_code_and_duplicate_messages_speak_the_readers_language(app):
    from crm.enterprises.services import DuplicateHit
    from crm.enterprises.uscc import UsccError, validate_uscc

    with app.test_request_context(), force_locale("en"):
        with pytest.raises(UsccError) as forbidden:
            validate_uscc("9135I100M000100Y43")
        assert str(forbidden.value) == (
            "Character 5 is I, which is not allowed (credit codes do not use I, O, S, V or Z)"
        )
        with pytest.raises(UsccError) as symbol:
            validate_uscc("91350100M0001#0Y43")
        assert str(symbol.value) == (
            "Character 14 is “#”: only digits and capital letters are allowed"
        )
        assert DuplicateHit(None, "similar").label == "similar name"
