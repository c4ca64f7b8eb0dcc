"""规则设置 as a typed form: Chinese labels and help, numbers with bounds, switches, selects,
and per-stage rows instead of JSON; bad input keeps what was typed and says what is wrong."""

# ruff: noqa: F811 — the ``admin`` fixture is shared with the admin page tests

from __future__ import annotations

import re

from flask import g

from crm.core.settings import get_setting
from crm.extensions import db
from crm.projects.stages import DEFAULT_PROBABILITY, rot_days
from tests.conftest import post
from tests.test_admin_views import _audits, admin  # noqa: F401


def _text(html: str) -> str:
    """What a reader sees: tags and attribute values removed."""
    return re.sub(r"<[^>]+>", " ", html)


def _fresh(key: str):
    g.pop("settings_cache", None)
    return get_setting(key)


def _probabilities(**changes: str) -> dict[str, str]:
    rows = {f"projects.stage_probability[{k}]": str(v) for k, v in DEFAULT_PROBABILITY.items()}
    rows.update({f"projects.stage_probability[{k}]": v for k, v in changes.items()})
    return rows


def test_the_page_shows_labels_and_help_not_keys_json_or_true(app, client, admin):
    html = client.get("/admin/settings").get_data(as_text=True)
    text = _text(html)
    for label in ("会话空闲超时（分钟）", "各阶段成功概率（%）", "计入年度目标的阶段", "登录会话"):
        assert label in text
    assert "多久没有操作后需要重新登录" in text  # help text
    assert "session.idle_minutes" not in text and "quota.counting_stage" not in text
    assert '{"lead"' not in html and "&#34;lead&#34;" not in html and "True" not in text
    # typed inputs: a number with bounds, a switch, a select of stages, a row per stage
    number = r'type="number"[^>]*name="session.idle_minutes"[^>]*min="5"[^>]*max="1440"'
    assert re.search(number, html, re.S)
    assert 'role="switch"' in html and 'name="quota.manufacturing_only" value="1" checked' in html
    assert re.search(r'<select[^>]*name="quota.counting_stage"', html)
    assert '<option value="signed" selected>签约</option>' in html
    assert 'name="projects.stage_probability[negotiation]"' in html
    assert 'name="projects.stage_labels[lead]" value="线索"' in html


def test_stage_probabilities_are_edited_as_rows(app, client, admin):
    response = post(client, "/admin/settings", _probabilities(negotiation="30"))
    assert response.status_code == 302
    assert _fresh("projects.stage_probability")["negotiation"] == 30
    assert _audits("update", "setting")


def test_a_bad_row_names_the_stage_and_keeps_the_input(app, client, admin):
    response = post(client, "/admin/settings", _probabilities(negotiation="101", lead="5"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "各阶段成功概率（%） · 洽谈：不能大于 100" in html
    assert 'name="projects.stage_probability[negotiation]" value="101"' in html
    response = post(client, "/admin/settings", _probabilities(inspection="四十"))
    assert response.status_code == 400 and "考察：请输入整数" in response.get_data(as_text=True)
    response = post(client, "/admin/settings", _probabilities(lead=""))
    assert response.status_code == 400 and "线索：不能为空" in response.get_data(as_text=True)
    assert _fresh("projects.stage_probability") == DEFAULT_PROBABILITY


def test_an_empty_rot_row_means_no_reminder_for_that_stage(app, client, admin):
    rows = {"projects.rot_days[lead]": "", "projects.rot_days[contact]": "12"}
    assert post(client, "/admin/settings", rows).status_code == 302
    g.pop("settings_cache", None)
    assert rot_days("lead") is None and rot_days("contact") == 12


def test_stage_names_are_rows_and_an_unknown_stage_is_refused(app, client, admin):
    response = post(client, "/admin/settings", {"projects.stage_labels[lead]": "意向"})
    assert response.status_code == 302
    assert _fresh("projects.stage_labels")["lead"] == "意向"
    response = post(client, "/admin/settings", {"projects.stage_labels[hack]": "x"})
    assert response.status_code == 400 and "未知的项目" in response.get_data(as_text=True)
    response = post(client, "/admin/settings", {"projects.stage_labels[lead]": "长" * 51})
    assert response.status_code == 400 and "不能超过 50 个字" in response.get_data(as_text=True)


def test_switches_turn_off_and_on(app, client, admin):
    assert post(client, "/admin/settings", {"quota.new_only": "0"}).status_code == 302
    assert _fresh("quota.new_only") is False
    form = {"quota.new_only": ["0", "1"]}
    assert post(client, "/admin/settings", form).status_code == 302
    assert _fresh("quota.new_only") is True


def test_a_select_takes_only_its_choices(app, client, admin):
    response = post(client, "/admin/settings", {"quota.counting_stage": "signed;DROP"})
    assert response.status_code == 400 and "请从列表中选择" in response.get_data(as_text=True)
    assert _fresh("quota.counting_stage") == "signed"
    response = post(client, "/admin/settings", {"quota.counting_stage": "registered"})
    assert response.status_code == 302
    assert _fresh("quota.counting_stage") == "registered"
    response = post(client, "/admin/settings", {"quota.matching_mode": "both"})
    assert response.status_code == 400


def test_odd_numbers_are_refused_not_500(app, client, admin):
    for value in ("²", "١٢", "1e3", "12\x00", "9" * 40, "-0x10"):
        response = post(client, "/admin/settings", {"session.idle_minutes": value})
        assert response.status_code == 400, value
    assert _fresh("session.idle_minutes") == 120


def test_the_form_in_english_has_english_labels(app, client, admin):
    admin.locale = "en"
    db.session.commit()
    text = _text(client.get("/admin/settings").get_data(as_text=True))
    assert "Session idle timeout (minutes)" in text
    assert "Probability of success per stage (%)" in text
