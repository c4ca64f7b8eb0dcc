"""Enterprise pages: details across zones, edit, contacts, merge (coordinators and admins)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from crm.core.models import AuditLog
from crm.core.timeutil import local_today
from crm.enterprises.models import Contact, Enterprise
from crm.enterprises.services import add_contact, create_enterprise
from crm.enterprises.uscc import make_uscc
from crm.extensions import db
from crm.targets.models import Activity, Target
from crm.targets.services import create_target, log_activity
from tests.conftest import post
from tests.factories import make_user, make_zone

CODE = make_uscc("91419001MA4000001")
OTHER_CODE = make_uscc("91410100MA4000002")
YGJQ = "河南豫光金铅股份有限公司"


@pytest.fixture
def w(app):
    a, b = make_zone(short_name="甲区"), make_zone(short_name="乙区")
    return SimpleNamespace(
        a=a,
        b=b,
        staff_a=make_user("staff", zone=a, display_name="甲专员"),
        staff_b=make_user("staff", zone=b, display_name="乙专员"),
        manager_a=make_user("manager", zone=a),
        city=make_user("coordinator"),
        viewer=make_user("viewer"),
        admin=make_user("admin"),
    )


def _enterprise(name: str = YGJQ, **values) -> Enterprise:
    enterprise = create_enterprise({"name": name, **values}, None, confirm_duplicate=True)
    db.session.commit()
    return enterprise


def _html(response) -> str:
    return response.get_data(as_text=True)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_detail_shows_every_zones_target_contacts_labels_and_aliases(w, client, login_as):
    ent = _enterprise(uscc=CODE, aliases="豫光、豫光金铅", labels=["上市公司", "链主"])
    add_contact(ent, {"name": "李总", "title": "董事长"}, None)
    create_target(ent, None, {}, w.staff_a)
    create_target(ent, None, {}, w.staff_b)
    db.session.commit()
    login_as(w.viewer)
    html = _html(client.get(f"/enterprises/{ent.id}"))
    assert YGJQ in html and CODE in html and "豫光、豫光金铅" in html
    assert "上市公司" in html and "链主" in html and "李总" in html and "董事长" in html
    assert 'data-testid="enterprise-targets"' in html
    assert "甲区" in html and "乙区" in html and "甲专员" in html and "乙专员" in html
    assert "/edit" not in html and "/merge" not in html and 'data-testid="contact-form"' not in html


def test_edit_by_a_writer_and_refusals_at_the_field(w, client, login_as):
    ent = _enterprise()
    _enterprise("中原特钢有限公司", uscc=OTHER_CODE)
    login_as(w.staff_a)
    form = {"name": YGJQ, "uscc": CODE, "industry": "有色金属", "labels": ["上市公司"]}
    response = post(client, f"/enterprises/{ent.id}/edit", {**form, "uscc": OTHER_CODE})
    assert response.status_code == 400
    assert "统一社会信用代码已属于“中原特钢有限公司”" in _html(response)
    assert 'value="有色金属"' in _html(response)
    response = post(client, f"/enterprises/{ent.id}/edit", {**form, "uscc": CODE.lower()[:-1]})
    assert response.status_code == 400
    response = post(client, f"/enterprises/{ent.id}/edit", form)
    assert response.status_code == 302
    db.session.refresh(ent)
    assert ent.uscc == CODE and ent.industry == "有色金属" and ent.labels == ["上市公司"]
    assert _count(AuditLog, AuditLog.entity == "enterprise", AuditLog.action == "update") == 1


def test_viewer_cannot_edit(w, client, login_as):
    ent = _enterprise()
    login_as(w.viewer)
    assert client.get(f"/enterprises/{ent.id}/edit").status_code == 403
    assert post(client, f"/enterprises/{ent.id}/edit", {"name": "改名"}).status_code == 403
    db.session.refresh(ent)
    assert ent.name == YGJQ


def test_javascript_website_is_refused_and_never_a_link(w, client, login_as):
    ent = _enterprise(website="https://www.example.com/")
    login_as(w.staff_a)
    response = post(
        client, f"/enterprises/{ent.id}/edit", {"name": YGJQ, "website": "javascript:alert(1)"}
    )
    assert response.status_code == 400
    assert "网址须以 http:// 或 https:// 开头" in _html(response)
    db.session.refresh(ent)
    assert ent.website == "https://www.example.com/"
    html = _html(client.get(f"/enterprises/{ent.id}"))
    assert 'href="https://www.example.com/"' in html and "javascript:" not in html
    # a stored value that is not http(s) (e.g. from an old import) is shown as text only
    ent.website = "javascript:alert(1)"
    db.session.commit()
    html = _html(client.get(f"/enterprises/{ent.id}"))
    assert 'href="javascript:' not in html and "javascript:alert(1)" in html


def test_contacts_are_added_with_line_breaks_stripped(w, client, login_as):
    ent = _enterprise()
    login_as(w.staff_b)
    response = post(
        client, f"/enterprises/{ent.id}/contacts", {"name": "王经理\r\nBcc: x@evil.example"}
    )
    assert response.status_code == 302
    assert db.session.scalars(select(Contact)).one().name == "王经理 Bcc: x@evil.example"
    response = post(client, f"/enterprises/{ent.id}/contacts", {"name": " "})
    assert response.status_code == 400 and "请填写联系人姓名" in _html(response)


def test_hostile_values_are_escaped(w, client, login_as):
    ent = _enterprise("<script>alert(1)</script>", aliases="<img src=x onerror=alert(1)>")
    add_contact(ent, {"name": '" onmouseover=x', "email": '"><svg onload=alert(1)>'}, None)
    db.session.commit()
    login_as(w.staff_a)
    html = _html(client.get(f"/enterprises/{ent.id}"))
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert '" onmouseover=x' not in html and "<svg" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_merged_enterprise_redirects_to_the_kept_one(w, client, login_as):
    kept = _enterprise(uscc=CODE)
    merged = _enterprise("济源豫光金铅有限公司")
    merged.merged_into_id = kept.id
    db.session.commit()
    login_as(w.staff_a)
    response = client.get(f"/enterprises/{merged.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/enterprises/{kept.id}"


@pytest.mark.parametrize(
    "path", ["/enterprises/999999", "/enterprises/x", "/enterprises/99999999999999999999"]
)
def test_missing_enterprises_answer_404(w, client, login_as, path):
    login_as(w.city)
    assert client.get(path).status_code == 404
    assert client.get(path + "/edit").status_code == 404
    assert client.get(path + "/merge").status_code == 404


# --- merge -----------------------------------------------------------------------------------


def _duplicates(w):
    kept = _enterprise("豫光金铅股份", uscc=CODE)
    dup = _enterprise("济源豫光金铅有限公司")
    add_contact(dup, {"name": "李总"}, None)
    target = create_target(dup, None, {}, w.staff_a)
    log_activity(
        target, {"kind": "visit", "occurred_on": local_today(), "summary": "拜访"}, w.staff_a
    )
    create_target(kept, None, {}, w.staff_b)
    db.session.commit()
    return kept, dup


@pytest.mark.parametrize("role", ["staff_a", "manager_a", "viewer"])
def test_only_coordinators_and_admins_merge(w, client, login_as, role):
    kept, dup = _duplicates(w)
    login_as(getattr(w, role))
    assert client.get(f"/enterprises/{dup.id}/merge").status_code == 403
    response = post(client, f"/enterprises/{dup.id}/merge", {"keep_id": kept.id, "confirm": "y"})
    assert response.status_code == 403
    db.session.refresh(dup)
    assert dup.merged_into_id is None


def test_merge_preview_then_confirm(w, client, login_as):
    kept, dup = _duplicates(w)
    login_as(w.city)
    # the page suggests likely duplicates, and finds others by search
    html = _html(client.get(f"/enterprises/{dup.id}/merge"))
    assert f"/enterprises/{dup.id}/merge?keep={kept.id}" in html
    html = _html(client.get(f"/enterprises/{dup.id}/merge", query_string={"q": "ygjq"}))
    assert 'data-testid="merge-candidates"' in html and "豫光金铅股份" in html

    url = f"/enterprises/{dup.id}/merge?keep={kept.id}"
    html = _html(client.get(url))
    assert 'data-testid="merge-preview"' in html
    assert "1 位" in html and "李总" in html and "甲区" in html and "转到保留的企业" in html
    assert CODE in html

    response = post(client, url, {"keep_id": str(kept.id)})  # not confirmed
    assert response.status_code == 400 and "请勾选确认" in _html(response)
    db.session.refresh(dup)
    assert dup.merged_into_id is None

    response = post(client, url, {"keep_id": str(kept.id), "confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/enterprises/{kept.id}"
    db.session.expire_all()
    dup = db.session.get(Enterprise, dup.id)
    assert dup.merged_into_id == kept.id
    live = db.session.scalars(select(Target).where(Target.deleted_at.is_(None))).all()
    assert {t.enterprise_id for t in live} == {kept.id} and len(live) == 2
    assert db.session.scalars(select(Contact)).one().enterprise_id == kept.id
    assert _count(Activity) == 1
    assert _count(AuditLog, AuditLog.action == "merge") == 1
    assert "济源豫光金铅有限公司" in _html(client.get(f"/enterprises/{kept.id}"))  # an alias now
    assert client.get(f"/enterprises/{dup.id}").headers["Location"] == f"/enterprises/{kept.id}"


@pytest.mark.parametrize("keep", ["SELF", "999999", "abc", "99999999999999999999", ""])
def test_merge_with_a_bad_choice_is_refused(w, client, login_as, keep):
    kept, dup = _duplicates(w)
    login_as(w.admin)
    keep_id = str(dup.id) if keep == "SELF" else keep
    response = post(client, f"/enterprises/{dup.id}/merge", {"keep_id": keep_id, "confirm": "y"})
    assert response.status_code == 400
    assert "请选择要保留的企业" in _html(response)
    db.session.refresh(dup)
    assert dup.merged_into_id is None and kept.id
