"""The flask commands: seed, demo, users create|token|list."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app import create_app
from config import ProductionConfig
from crm.auth.demo import demo_logins
from crm.auth.models import ApiToken, User
from crm.auth.services import authenticate
from crm.extensions import db
from crm.zones.models import Zone
from tests.factories import make_user

STRONG_SECRET = "f3a9c1e07b5d4e2a8c6b9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c"
DEMO_LOGINS = {
    "admin": ("admin", None),
    "city": ("coordinator", None),
    "leader": ("viewer", None),
    **{
        f"{code}-{suffix}": (role, code)
        for code in ("gxq", "jkq", "xdfw")
        for suffix, role in (("manager", "manager"), ("staff1", "staff"), ("staff2", "staff"))
    },
}


@pytest.fixture(autouse=True)
def _no_prompts(monkeypatch):
    """A command that prompts would hang in CI; make it fail instead."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("the command prompted for input")

    monkeypatch.setattr("getpass.getpass", refuse)
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def _user(login: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.login == login))


def _created(output: str) -> dict[str, int]:
    """{"zone": 3, "user": 12, ...} from "seed: 3 zone(s), 4 quota(s) created"."""
    counts = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)\(s\)", output)}
    assert counts, output
    return counts


def _created_users(output: str) -> int:
    return _created(output)["user"]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_creates_the_three_plan_zones_once(runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert _created(first.output)["zone"] == 3
    kinds = {z.code: z.kind for z in db.session.scalars(select(Zone))}
    assert kinds == {"gxq": "manufacturing", "jkq": "manufacturing", "xdfw": "services"}

    second = runner.invoke(args=["seed"])
    assert second.exit_code == 0, second.output
    assert set(_created(second.output).values()) == {0}  # nothing at all the second time
    assert _count(Zone) == 3


def test_seed_keeps_an_edited_zone(runner):
    runner.invoke(args=["seed"])
    zone = db.session.scalar(select(Zone).where(Zone.code == "gxq"))
    zone.short_name = "高新"
    db.session.commit()

    assert runner.invoke(args=["seed"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(Zone.short_name).where(Zone.code == "gxq")) == "高新"


def test_demo_creates_the_demo_users_once_with_demo_password(app, runner):
    env = {"DEMO_PASSWORD": "Demo-Env-2026!"}
    result = runner.invoke(args=["demo"], env=env)
    assert result.exit_code == 0, result.output
    assert _created_users(result.output) == len(DEMO_LOGINS)
    assert {login for login, _name in demo_logins()} == set(DEMO_LOGINS)
    for login, (role, zone_code) in DEMO_LOGINS.items():
        user = _user(login)
        assert user is not None, login
        assert user.role == role
        assert (user.zone.code if user.zone else None) == zone_code
        assert not user.must_change_password
    assert _count(Zone) == 3
    # (each check costs a scrypt hash: sample a city user and a zone user)
    assert authenticate("admin", "Demo-Env-2026!") is not None
    assert authenticate("xdfw-staff2", "Demo-Env-2026!") is not None
    assert authenticate("admin", app.config["DEMO_PASSWORD"]) is None

    again = runner.invoke(args=["demo"], env=env)
    assert again.exit_code == 0, again.output
    assert set(_created(again.output).values()) == {0}  # no users, no demo data twice
    assert (_count(User), _count(Zone)) == (len(DEMO_LOGINS), 3)


def test_demo_falls_back_to_the_configured_password(app, runner):
    app.config["DEMO_PASSWORD"] = "Demo-Config-2026"
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert authenticate("jkq-manager", "Demo-Config-2026") is not None
    # A missing demo user is recreated; the others are left alone.
    _user("leader").login = "leader-renamed"
    db.session.commit()
    result = runner.invoke(args=["demo"])
    assert _created_users(result.output) == 1
    assert _user("leader").role == "viewer"
    assert _count(User) == len(DEMO_LOGINS) + 1


def test_demo_is_refused_in_production(app):
    production = create_app(
        ProductionConfig,
        SECRET_KEY=STRONG_SECRET,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
    )
    # The `app` fixture's context is active; commands use the current app, so push this one.
    with production.app_context():
        result = production.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 2
    assert "production" in result.output
    assert _count(User) == 0
    assert _count(Zone) == 0


def test_users_create_without_prompt_forces_a_password_change(runner):
    result = runner.invoke(
        args=["users", "create", "alice", "--name", "爱丽丝", "--password", "Sturdy-Pass-2026"]
    )
    assert result.exit_code == 0, result.output
    assert "created user alice (admin)" in result.output
    user = _user("alice")
    assert user.display_name == "爱丽丝"
    assert user.role == "admin" and user.zone_id is None
    assert user.must_change_password
    assert user.check_password("Sturdy-Pass-2026")


def test_users_create_staff_in_a_zone(runner):
    runner.invoke(args=["seed"])
    args = ["users", "create", "bob", "--role", "staff", "--zone", "jkq"]
    result = runner.invoke(args=[*args, "--password", "Sturdy-Pass-2026"])
    assert result.exit_code == 0, result.output
    assert _user("bob").zone.code == "jkq"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--password", "abc12"], "密码至少 8 个字符"),
        (["--password", "password123"], "密码过于常见"),
        (["--role", "staff", "--password", "Sturdy-Pass-2026"], "必须属于一个开发区"),
        (["--zone", "nowhere", "--password", "Sturdy-Pass-2026"], "unknown zone code"),
    ],
)
def test_users_create_refuses_bad_input(runner, args, message):
    result = runner.invoke(args=["users", "create", "carol", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert _user("carol") is None


def test_users_create_refuses_a_duplicate_login(runner):
    make_user(role="admin", login="dave")
    result = runner.invoke(args=["users", "create", "dave", "--password", "Sturdy-Pass-2026"])
    assert result.exit_code == 1
    assert "已存在" in result.output
    assert _count(User) == 1


def test_users_token_prints_a_working_token_stored_only_as_a_hash(runner, client):
    make_user(role="viewer", login="erin")
    result = runner.invoke(args=["users", "token", "erin", "--name", "报表脚本"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("crm_") and len(token) > 30

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["login"] == "erin"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer crm_x"}).status_code == 401

    rows = db.session.execute(select(ApiToken.__table__)).mappings().all()
    assert len(rows) == 1
    assert rows[0]["name"] == "报表脚本"
    assert all(token not in str(value) for value in rows[0].values())
    assert rows[0]["token_hash"] != token


def test_users_token_for_an_unknown_user_fails(runner):
    result = runner.invoke(args=["users", "token", "nobody"])
    assert result.exit_code == 1
    assert "unknown user" in result.output
    assert _count(ApiToken) == 0


def test_users_list(runner):
    runner.invoke(args=["seed"])
    zone = db.session.scalar(select(Zone).where(Zone.code == "xdfw"))
    make_user(role="manager", zone=zone, login="frank")
    make_user(role="viewer", login="grace", active=False)
    lines = runner.invoke(args=["users", "list"]).output.splitlines()
    assert "frank\tmanager\txdfw\tactive" in lines
    assert "grace\tviewer\t-\tdisabled" in lines


def test_settings_are_read_and_changed_from_the_shell_with_the_forms_checks(app, runner):
    from crm.core.models import AuditLog

    assert runner.invoke(args=["settings", "get", "land.activation_deadline_year"]).output == (
        "2026\n"
    )
    changed = runner.invoke(args=["settings", "set", "land.activation_deadline_year", "2027"])
    assert changed.exit_code == 0, changed.output
    assert runner.invoke(args=["settings", "get", "land.activation_deadline_year"]).output == (
        "2027\n"
    )
    entry = db.session.scalars(select(AuditLog).where(AuditLog.entity == "setting")).one()
    assert entry.changes == {"land.activation_deadline_year": [2026, 2027]}
    refused = runner.invoke(args=["settings", "set", "land.activation_deadline_year", "abc"])
    assert refused.exit_code == 2 and "请输入整数" in refused.output
    unknown = runner.invoke(args=["settings", "get", "no.such.key"])
    assert unknown.exit_code == 2 and "unknown setting" in unknown.output
