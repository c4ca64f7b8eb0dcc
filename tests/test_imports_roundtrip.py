"""Unchanged is not a change: every role downloads the zone's target list and uploads it back
unchanged — 0 created, 0 updated, 0 errors — even where rows belong to colleagues; a field the
importer may not set is an error only where the file changes it."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from crm.enterprises.services import add_contact, create_enterprise
from crm.extensions import db
from crm.imports.models import ImportBatch
from crm.targets.importer import import_file
from crm.targets.services import create_target
from tests.conftest import post
from tests.test_imports_helpers import code, people, row, write_csv

__all__ = ["people"]


def _seed(people) -> None:
    """Targets of zone A owned by two staff members and by no one, with contacts and labels."""
    owners = [people["staff_a"], people["staff_a2"], None]
    for n in range(1, 7):
        enterprise = create_enterprise(
            {
                "name": f"河南测试{n}号新材料有限公司",
                "uscc": code(n) if n % 2 else None,
                "hq_province": "河南省",
                "hq_city": "郑州市",
                "industry": "新材料",
                "labels": ["专精特新"] if n % 3 == 0 else [],
            },
            None,
        )
        if n % 2:
            add_contact(enterprise, {"name": f"联系人{n}", "phone": "13800000000"}, None)
        owner = owners[n % 3]
        values = {
            "attraction_modes": ["企业招商"],
            "priority": "ABC"[n % 3],
            "status": "contacted",
            "owner_id": owner.id if owner else None,
            "next_follow_up": date(2026, 12, 20),
            "note": "重点跟进" if n == 1 else "",
        }
        create_target(enterprise, people["a"].id, values, people["coordinator"])
    db.session.commit()


def _batch() -> ImportBatch:
    db.session.expire_all()
    return db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()


@pytest.mark.parametrize("role", ["staff_a", "manager_a", "coordinator"])
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_every_role_reimports_its_own_export_unchanged(
    app, client, login_as, people, role, file_format
):
    _seed(people)
    login_as(people[role])
    zone = people["a"].id
    export = client.get(f"/targets/export?zone={zone}&format={file_format}")
    assert export.status_code == 200
    data = {
        "file": (io.BytesIO(export.data), f"export.{file_format}"),
        "zone": str(zone),
        "kind": "targets",
    }
    assert post(client, "/imports/", data, token_page="/imports/").status_code == 302
    batch = _batch()
    assert batch.errors == [] and batch.status == "valid"
    counts = batch.counts
    assert (counts["created"], counts["updated"], counts["errors"]) == (0, 0, 0)
    assert counts["unchanged"] == 6


def test_staff_changing_a_colleagues_owner_is_still_refused(app, people, tmp_path):
    _seed(people)
    staff = people["staff_a"]
    # row 2: a new target for a colleague; row 3: an ownerless target given to a colleague
    rows = [
        row("河南全新科技有限公司", owner="李强"),
        row("河南测试3号新材料有限公司", uscc=code(3), owner="李强"),
        row("河南测试4号新材料有限公司", owner="王芳"),  # owned by 李强 already: a change
    ]
    result = import_file(write_csv(tmp_path / "t.csv", rows), people["a"].id, dry_run=True,
                         actor=staff)[0]  # fmt: skip
    reasons = {(e["row"], e["column"]): e["reason"] for e in result.errors}
    assert reasons[(2, "负责人")] == "招商专员只能把目标分配给自己"
    assert reasons[(3, "负责人")] == "招商专员只能把目标分配给自己"
    assert "其他人员负责" in reasons[(4, "企业名称")]
    # the same owners as stored: no error
    rows = [row("河南测试4号新材料有限公司", owner="李强"), row("河南测试6号新材料有限公司")]
    result = import_file(write_csv(tmp_path / "u.csv", rows), people["a"].id, dry_run=True,
                         actor=staff)[0]  # fmt: skip
    assert result.errors == [] and result.unchanged == 2
