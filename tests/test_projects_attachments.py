"""Project attachments: type by content, size, storage outside static/, scoped downloads."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import select

from crm.core.timeutil import local_today
from crm.enterprises.services import create_enterprise
from crm.extensions import db
from crm.projects.attachments import AttachmentError, clean_filename, detect_kind
from crm.projects.models import Attachment
from crm.projects.services import create_project
from tests.conftest import csrf_token, login
from tests.factories import make_user, make_zone

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64
MZ = b"MZ\x90\x00\x03" + b"\x00" * 64


def office(part: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def world(app):
    zone_a, zone_b = make_zone(), make_zone()
    manager_a = make_user("manager", zone=zone_a, display_name="钱主任")
    ent = create_enterprise({"name": "附件测试有限公司"}, None)
    project = create_project(
        ent,
        None,
        {"name": "附件测试项目"},
        manager_a,
        stage="negotiation",
        started_on=local_today() - timedelta(days=5),
    )
    db.session.commit()
    return {
        "project": project,
        "manager_a": manager_a,
        "staff_b": make_user("staff", zone=zone_b),
        "city": make_user("coordinator"),
    }


def signed_in(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def upload(client, project, data: bytes, filename: str):
    return client.post(
        f"/projects/{project.id}/attachments",
        data={"csrf_token": csrf_token(client, "/about"), "file": (BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_pdf_is_stored_outside_static_and_downloaded_as_an_attachment(app, world):
    client = signed_in(app, world["manager_a"])
    response = upload(client, world["project"], PDF, "投资协议（签字版）.pdf")
    assert response.status_code == 302
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert attachment.filename == "投资协议（签字版）.pdf"
    files = stored_files(app)
    assert len(files) == 1 and files[0].read_bytes() == PDF
    assert files[0].name == attachment.stored_name and "投资" not in files[0].name
    assert "static" not in files[0].parts
    page = client.get(f"/projects/{world['project'].id}").get_data(as_text=True)
    assert "投资协议（签字版）.pdf" in page
    download = client.get(f"/projects/{world['project'].id}/attachments/{attachment.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert f'filename="attachment-{attachment.id}.pdf"' in download.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E6%8A%95" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/pdf"


@pytest.mark.parametrize(
    "data,filename,message",
    [
        (ELF, "合同.pdf", "可执行程序"),
        (MZ, "合同.pdf", "可执行程序"),
        (b"<!doctype html><script>alert(1)</script>", "合同.pdf", "内容与扩展名不符"),
        (PNG, "合同.pdf", "内容与扩展名不符"),
        (PDF, "tool.exe", "只能上传"),
        (PDF, "合同", "只能上传"),
        (b"", "空文件.pdf", "文件是空的"),
        (office("word/document.xml", {"word/vbaProject.bin": b"x"}), "宏.docx", "包含宏"),
        (office("word/document.xml"), "表格.xlsx", "不是有效的 Excel"),
    ],
)
def test_dangerous_or_mislabelled_files_are_refused(app, world, data, filename, message):
    client = signed_in(app, world["manager_a"])
    response = upload(client, world["project"], data, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.query(Attachment).count() == 0
    assert stored_files(app) == []


@pytest.mark.parametrize(
    "data,filename,kind",
    [
        (PNG, "现场照片.PNG", "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "现场.jpeg", "image/jpeg"),
        (office("word/document.xml"), "纪要.docx", "wordprocessingml"),
        (office("xl/workbook.xml"), "测算.xlsx", "spreadsheetml"),
    ],
)
def test_images_and_office_documents_are_accepted(app, world, data, filename, kind):
    client = signed_in(app, world["manager_a"])
    assert upload(client, world["project"], data, filename).status_code == 302
    assert kind in db.session.scalars(select(Attachment)).one().content_type


def test_size_limits(app, world):
    client = signed_in(app, world["manager_a"])
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    response = upload(client, world["project"], PDF + b"0" * 2048, "大文件.pdf")
    assert response.status_code == 400 and "文件过大" in response.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 4096
    response = upload(client, world["project"], PDF + b"0" * 8192, "更大.pdf")
    assert response.status_code == 413
    assert db.session.query(Attachment).count() == 0


def test_other_zones_cannot_download_upload_or_delete(app, world):
    project = world["project"]
    upload(signed_in(app, world["manager_a"]), project, PDF, "合同.pdf")
    attachment = db.session.scalars(select(Attachment)).one()
    url = f"/projects/{project.id}/attachments/{attachment.id}"
    other = signed_in(app, world["staff_b"])
    assert other.get(url).status_code == 404
    assert upload(other, project, PDF, "别人的.pdf").status_code == 404
    token = csrf_token(other, "/about")
    assert other.post(url + "/delete", data={"csrf_token": token}).status_code == 404
    assert db.session.query(Attachment).count() == 1
    assert signed_in(app, world["city"]).get(url).status_code == 200
    assert other.get(f"/projects/{project.id + 1}/attachments/{attachment.id}").status_code == 404


def test_deleted_attachments_are_hidden(app, world):
    client = signed_in(app, world["manager_a"])
    project = world["project"]
    upload(client, project, PDF, "作废.pdf")
    attachment = db.session.scalars(select(Attachment)).one()
    url = f"/projects/{project.id}/attachments/{attachment.id}"
    response = client.post(url + "/delete", data={"csrf_token": csrf_token(client, "/about")})
    assert response.status_code == 302
    assert client.get(url).status_code == 404
    assert "作废.pdf" not in client.get(f"/projects/{project.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "raw,clean",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\a\\合同.pdf", "合同.pdf"),
        ("a\r\nb.pdf", "ab.pdf"),
        ("", "附件"),
    ],
)
def test_file_names_lose_folders_and_control_characters(raw, clean):
    assert clean_filename(raw) == clean


def test_detect_kind_reads_the_content_not_the_name():
    assert detect_kind(PDF, "a.PDF") == "pdf"
    with pytest.raises(AttachmentError):
        detect_kind(ELF, "a.png")
