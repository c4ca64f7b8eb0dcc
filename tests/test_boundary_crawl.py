"""Every GET route of the URL map, as every role, with hostile path values and query args:
never a 500 (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select

from crm.auth.models import User
from crm.auth.services import create_api_token
from crm.extensions import db
from tests.conftest import login

HOSTILE = [
    "2147483648",
    "9" * 25,
    "²",
    "\x00",
    "%",
    "' OR 1=1 --",
    "x" * 5000,
]
ROLES = ["admin", "city", "leader", "gxq-manager", "gxq-staff1", None]  # None: anonymous
ARG_RE = re.compile(r"""args\.get(?:list)?\(\s*["']([a-z_]+)["']""")
SKIP = {"static"}  # files on disk, not the application


def load_demo() -> None:
    """The demo data set `flask demo` loads (users of every role, targets, projects, chains)."""
    from crm.cli import load_seed
    from crm.core.demo import load_demo_users

    from crm.chains.demo import load_demo_chains
    from crm.projects.demo import load_demo_projects
    from crm.targets.demo import load_demo_targets
    from tests.factories import PASSWORD

    load_seed()
    load_demo_users(PASSWORD)
    db.session.commit()
    load_demo_targets()
    db.session.commit()
    load_demo_projects()
    db.session.commit()
    load_demo_chains()
    db.session.commit()


def query_arg_names(app) -> list[str]:
    """Every query-string name the code reads, every form field and every API schema field."""
    from flask_wtf import FlaskForm
    from marshmallow import Schema

    names: set[str] = {"page", "per_page", "sort", "order"}
    for path in Path(app.root_path, "crm").rglob("*.py"):
        names.update(ARG_RE.findall(path.read_text(encoding="utf-8")))

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for form in subclasses(FlaskForm):
        names.update(n for n, v in vars(form).items() if hasattr(v, "field_class"))
    for schema in subclasses(Schema):
        names.update(getattr(schema, "_declared_fields", {}))
    return sorted(n for n in names if not n.startswith("_") and n != "csrf_token")


def real_ids() -> dict[str, int]:
    """An existing id for each kind of path argument, so the query args reach the view."""
    ids: dict[str, int] = {}
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        table = getattr(model, "__tablename__", None)
        if not table or "id" not in mapper.columns:
            continue
        first = db.session.scalar(select(model.id).order_by(model.id).limit(1))
        if first is not None:
            ids[f"{table}_id"] = first
    aliases = {
        "batch_id": "import_batch_id",
        "log_id": "reminder_log_id",
        "node_id": "chain_node_id",
        "override_id": "holiday_override_id",
        "token_id": "api_token_id",
    }
    for name, table_key in aliases.items():
        if table_key in ids:
            ids.setdefault(name, ids[table_key])
    return ids


def url_for_rule(rule, values: dict[str, str]) -> str:
    def sub(match):
        return quote(values.get(match.group(2), "1"), safe="")

    return re.sub(r"<(?:([a-z_]+)(?:\([^)]*\))?:)?([a-z_]+)>", sub, rule.rule)


def test_every_get_route_as_every_role_never_answers_500(app):
    app.config["MAX_URL_LENGTH"] = None  # the views themselves, at any length a server lets in
    load_demo()
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint not in SKIP]
    names = query_arg_names(app)
    ids = {k: str(v) for k, v in real_ids().items()} | {"kind": "daily"}
    failures: list[str] = []
    requests = 0
    for login_name in ROLES:
        client = app.test_client()
        headers = {}
        if login_name:
            assert login(client, login_name).status_code == 302
            user = db.session.scalars(select(User).where(User.login == login_name)).one()
            headers["Authorization"] = f"Bearer {create_api_token(user, 'crawl')}"
            db.session.commit()
        for rule in rules:
            urls = []
            if rule.arguments:
                urls += [url_for_rule(rule, dict.fromkeys(rule.arguments, v)) for v in HOSTILE]
            base = url_for_rule(rule, ids)
            for value in HOSTILE:
                urls.append(base + "?" + "&".join(f"{n}={quote(value, safe='')}" for n in names))
            for url in urls:
                requests += 1
                response = client.get(url, headers=headers)
                if response.status_code >= 500:
                    failures.append(f"{login_name} GET {url[:160]} → {response.status_code}")
    assert requests > 1000
    assert not failures, f"{len(failures)} of {requests} requests failed:\n" + "\n".join(
        failures[:60]
    )
