"""Every page, as every role, in English: no Chinese outside the records' own data.

The demo data is loaded once (module scope), with an import batch and sent reminders so the
pages behind them exist, and every GET route of the URL map is opened by each demo role with
the English locale — the pages it may open and the 403/404 pages it may not. Han characters
and full-width punctuation (，。：；（）、【】 …) left in a page after removing the stored
records' text (names of zones, enterprises, people, projects, chain nodes, notes …) are
untranslated interface text, and fail the test with the route and the offending line.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import String, Text, select, update

from app import create_app
from config import TestConfig
from crm.extensions import db

PO_PATH = Path(__file__).resolve().parent.parent / "crm/translations/en/LC_MESSAGES/messages.po"
# Han characters, CJK symbols and punctuation (、。【】 and the ideographic space), full-width
# forms (，：；（）！？ …): none of them belongs in English interface text.
HAN_RE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
TAG_RE = re.compile(r"<[^>]+>")
LANGUAGE_SWITCH_RE = re.compile(r'(?<=value="zh_CN" class="btn btn-sm btn-link")>中文(?=</button>)')
ROLES = ("admin", "city", "leader", "gxq-manager", "gxq-staff1")
# Tables whose text is what people typed or the plan's seed (records, not interface text).
DATA_TABLES = (
    "user",
    "report_submission",
    "zone",
    "enterprise",
    "contact",
    "target",
    "activity",
    "conflict",
    "project",
    "stage_event",
    "attachment",
    "chain",
    "chain_node",
    "node_enterprise",
    "node_target",
    "node_project",
    "roadmap_milestone",
    "instruction",
    "instruction_entry",
    "indicator",
    "indicator_actual",
    "quota",
    "quota_tier",
    "holiday_override",
    "robot_group",  # group names
    "channel_message",  # titles as sent, in the group's language
    "import_batch",
    "monthly_progress",
    "industry_class",  # GB/T 4754 sections and divisions, seeded reference records
    "land_parcel",
    "land_building",
    "land_event",
)
# Routes that answer files, redirects or nothing to read (checked elsewhere).
SKIP_ENDPOINTS = {
    "static",
    "core.healthz",
    "auth.logout",
    "api-docs.openapi_json",
    "chains.export_json",  # chain definitions: a file to edit and upload again
    "reminders.feed",
    "projects.download_attachment",
    "land.plan_image",
    "land.parcel_attachment_file",
    "goals.attachment",
}
BINARY_TYPES = ("application/vnd", "text/csv", "text/calendar", "application/octet-stream")


@pytest.fixture(scope="module")
def english_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("english")
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'english.sqlite'}",
        MAIL_OUTBOX_DIR=str(tmp / "outbox"),
        UPLOAD_DIR=str(tmp / "uploads"),
    )
    with app.app_context():
        db.create_all()
        runner = app.test_cli_runner()
        result = runner.invoke(args=["demo", "--password", "Jiyuan@2026"])
        assert result.exit_code == 0, result.output
        from crm.auth.models import User

        db.session.execute(update(User).values(locale="en"))
        db.session.commit()
        _records_behind_pages(runner)  # the reminders go out in the readers' English
        data = _stored_texts()
        arguments = _route_arguments()
    yield app, data, arguments
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _records_behind_pages(runner) -> None:
    """An import batch with an error, a roadmap milestone and the day's reminders in the
    outbox: the demo has none of them, and their pages would otherwise go unread."""
    from crm.auth.models import User
    from crm.chains.milestones import add_milestone
    from crm.chains.models import ChainNode
    from crm.imports.models import ImportBatch
    from crm.zones.models import Zone

    gxq = db.session.scalar(select(Zone.id).where(Zone.code == "gxq"))
    db.session.add(
        ImportBatch(
            kind="targets",
            zone_id=gxq,
            filename="targets.csv",
            status="committed",
            total_rows=2,
            processed_rows=2,
            counts={"rows": 2, "created": 1, "updated": 0, "unchanged": 0, "errors": 1},
            errors=[{"row": 3, "column": "name", "reason": "x"}],
        )
    )
    city = db.session.scalars(select(User).where(User.login == "city")).one()
    node = db.session.scalars(select(ChainNode).order_by(ChainNode.id)).first()
    add_milestone(node, "2027Q1", "Milestone", city)
    db.session.commit()
    result = runner.invoke(args=["reminders", "send-daily", "--date", "2026-12-03"])
    assert result.exit_code == 0, result.output


def _stored_texts() -> list[str]:
    """Every Chinese text stored in a data table, longest first (so parts go last).

    Words that are msgids of the catalog (stage names, statuses, labels …) are vocabulary the
    page must translate even where a record stores them, so they are not removed."""
    from babel.messages.pofile import read_po

    with PO_PATH.open("rb") as handle:
        vocabulary = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle)}
    texts: set[str] = set()
    for table in db.metadata.sorted_tables:
        if table.name not in DATA_TABLES:
            continue
        columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
        for row in db.session.execute(select(*columns)) if columns else ():
            for value in row:
                if value and HAN_RE.search(value):
                    texts.add(value)
                    texts.update(p.strip() for p in re.split(r"[\n、,，;；]", value))
    names = set(db.session.scalars(select(db.text('display_name FROM "user"'))))
    texts = {t for t in texts if len(t) >= 2 and (t not in vocabulary or t in names)}
    return sorted(texts, key=len, reverse=True)


def _route_arguments() -> dict[str, list]:
    """Candidate values for each URL argument: records of the demo zone 高新区 first."""
    from crm.chains.models import Chain, ChainNode, RoadmapMilestone
    from crm.enterprises.models import Enterprise
    from crm.imports.models import ImportBatch
    from crm.projects.models import Project
    from crm.quotas.models import Indicator
    from crm.reminders.models import ReminderLog
    from crm.reporting.models import ReportSubmission
    from crm.reporting.services import previous_period
    from crm.targets.models import Target
    from crm.zones.models import Zone

    gxq = db.session.scalar(select(Zone.id).where(Zone.code == "gxq"))

    def ids(query, limit=1):
        return list(db.session.scalars(query.limit(limit)))

    return {
        "zone_id": [gxq],
        "target_id": ids(select(Target.id).where(Target.zone_id == gxq).order_by(Target.id), 3),
        "project_id": ids(select(Project.id).where(Project.zone_id == gxq).order_by(Project.id), 3),
        "enterprise_id": ids(
            select(Target.enterprise_id).where(Target.zone_id == gxq).order_by(Target.id)
        )
        or ids(select(Enterprise.id)),
        "chain_id": ids(select(Chain.id).order_by(Chain.id), 2),
        "node_id": ids(select(ChainNode.id).order_by(ChainNode.id)),
        "milestone_id": ids(select(RoadmapMilestone.id).order_by(RoadmapMilestone.id)),
        "indicator_id": ids(select(Indicator.id).order_by(Indicator.id)),
        "batch_id": ids(select(ImportBatch.id).order_by(ImportBatch.id)),
        "log_id": ids(select(ReminderLog.id).order_by(ReminderLog.id)),
        "user_id": ids(select(db.text('id FROM "user" ORDER BY id'))),
        "kind": ["daily", "weekly"],
        "parcel_id": ids(select(db.text("id FROM land_parcel ORDER BY id")), 2),
        "building_id": ids(select(db.text("id FROM land_building ORDER BY id"))),
        "period": [previous_period()],
        "submission_id": ids(select(ReportSubmission.id).order_by(ReportSubmission.id), 2),
        "instruction_id": ids(select(db.text("id FROM instruction ORDER BY id")), 2),
        "actual_id": ids(select(db.text("id FROM indicator_actual ORDER BY id"))),
        "subject": ["project"],
        "record_id": ids(select(Project.id).where(Project.zone_id == gxq).order_by(Project.id)),
    }


def _urls(app, arguments) -> list[tuple[str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP_ENDPOINTS:
            continue
        names = sorted(rule.arguments - set(rule.defaults or {}))
        choices = [arguments.get(name) or [] for name in names]
        if any(not c for c in choices):
            continue
        if not names:
            urls.append((rule.endpoint, rule.build({})[1]))
            continue
        for index in range(max(len(c) for c in choices)):
            values = {n: c[min(index, len(c) - 1)] for n, c in zip(names, choices, strict=True)}
            urls.append((rule.endpoint, rule.build(values)[1]))
    return sorted(set(urls))


def _visible_text(body: str, content_type: str) -> str:
    if content_type.startswith("application/json"):
        return "\n".join(_json_strings(json.loads(body)))
    body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
    body = LANGUAGE_SWITCH_RE.sub(">", body)  # "中文" names the other language in itself
    # attribute values people see (placeholders, titles, labels) stay; tags go
    attributes = re.findall(
        r'(?:placeholder|title|aria-label|alt|data-bs-title|content)="([^"]*)"', body
    )
    return html.unescape(TAG_RE.sub("\n", body) + "\n" + "\n".join(attributes))


def _json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _json_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _json_strings(v)]
    return []


def _leftovers(text: str, data: list[str]) -> list[str]:
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return sorted({line.strip()[:120] for line in text.splitlines() if HAN_RE.search(line)})


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_english(english_site, role):
    from tests.conftest import login

    app, data, arguments = english_site
    client = app.test_client()
    assert login(client, role, "Jiyuan@2026").status_code == 302
    problems, rendered = [], 0
    for endpoint, url in [*_urls(app, arguments), ("missing", "/targets/2147483647")]:
        response = client.get(url)
        if response.status_code not in (200, 403, 404):  # the error pages speak English too
            continue
        content_type = response.content_type or ""
        if content_type.startswith(BINARY_TYPES):
            continue
        rendered += 1
        lines = _leftovers(_visible_text(response.get_data(as_text=True), content_type), data)
        problems += [f"{url} ({endpoint}): {line}" for line in lines]
    assert rendered > 20, f"only {rendered} pages rendered for {role}"
    assert not problems, f"{len(problems)} Chinese lines in English pages:\n" + "\n".join(problems)


def test_the_sign_in_page_and_the_built_urls_cover_every_page(english_site):
    """A reader who chose English before signing in meets an English sign-in page; and the URL
    list above builds every GET page of the URL map (a new route with an argument the test
    cannot fill would otherwise go unchecked)."""
    app, data, arguments = english_site
    client = app.test_client()
    with client.session_transaction() as session:
        session["locale"] = "en"  # what the language switch on the sign-in page stores
    response = client.get("/login")
    assert response.status_code == 200
    assert _leftovers(_visible_text(response.get_data(as_text=True), "text/html"), data) == []
    built = {endpoint for endpoint, _ in _urls(app, arguments)}
    pages = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    assert pages - SKIP_ENDPOINTS - built == set()
