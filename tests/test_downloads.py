"""Downloads: RFC 6266 names with a meaningful ASCII fallback, one charset, one helper."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import pytest

from crm.core.downloads import ascii_fallback, ascii_name, content_disposition
from crm.core.timeutil import local_today
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.targets.services import create_target
from tests.test_imports_helpers import people  # noqa: F401 — fixture

TODAY = f"{local_today():%Y%m%d}"


@pytest.mark.parametrize(
    ("parts", "ext", "expected"),
    [
        (("targets", "gxq", date(2026, 12, 3)), "xlsx", "targets-gxq-20261203.xlsx"),
        (("targets", "", date(2026, 12, 3)), "csv", "targets-20261203.csv"),
        (("高新区",), "xlsx", "download.xlsx"),
        (("roadmap", "a b/c", 7), ".xlsx", "roadmap-a-b-c-7.xlsx"),
    ],
)
def test_ascii_name(parts, ext, expected):
    assert ascii_name(*parts, ext=ext) == expected


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("投资协议（签字版）.pdf", "attachment-9.pdf"),
        ("Contract 2026.pdf", "Contract-2026.pdf"),
        ("Café.docx", "Cafe.docx"),
        ("说明", "attachment-9"),
    ],
)
def test_ascii_fallback_is_never_just_an_extension(filename, expected):
    assert ascii_fallback(filename, "attachment-9") == expected


def test_content_disposition_has_both_names():
    header = content_disposition("目标企业清单-高新区-20261203.csv", "targets-gxq-20261203.csv")
    assert header == (
        'attachment; filename="targets-gxq-20261203.csv"; '
        "filename*=UTF-8''" + quote("目标企业清单-高新区-20261203.csv", safe="")
    )


def test_target_export_names_and_one_charset(app, client, login_as, people):  # noqa: F811
    create_target(
        create_enterprise({"name": "甲公司"}, None), people["a"].id, {}, people["coordinator"]
    )
    db.session.commit()
    login_as(people["staff_a"])
    response = client.get(f"/targets/export?format=csv&zone={people['a'].id}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert f'filename="targets-hl-{TODAY}.csv"' in disposition
    assert "filename*=UTF-8''" + quote(f"目标企业清单-虎岭-{TODAY}.csv", safe="") in disposition
    response = client.get("/targets/export?format=xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert f'filename="targets-{TODAY}.xlsx"' in response.headers["Content-Disposition"]
    response = client.get("/targets/export?format=xlsx&zone=pool")
    assert f'filename="targets-pool-{TODAY}.xlsx"' in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("path", "fallback"),
    [
        ("/projects/export", f"projects-{TODAY}.xlsx"),
        ("/imports/template.xlsx", "target-import-template.xlsx"),
        ("/imports/ledger-template.xlsx", "project-ledger-template.xlsx"),
        ("/chains/definitions.json", "chain-definitions.json"),
        ("/chains/definitions.xlsx", "chain-definitions.xlsx"),
    ],
)
def test_every_download_has_a_meaningful_ascii_name(app, client, login_as, people, path, fallback):  # noqa: F811
    login_as(people["coordinator"])
    response = client.get(path)
    assert response.status_code == 200, path
    disposition = response.headers["Content-Disposition"]
    assert f'filename="{fallback}"' in disposition and "filename*=UTF-8''" in disposition
    assert response.headers["Content-Type"].count("charset") <= 1
