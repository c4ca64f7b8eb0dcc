"""End to end: `flask channels send-daily` queues on a real broker, a real Celery worker
process sends to the local provider server (企业微信 application message and group robot) and
the e-mail goes through a real SMTP server — each exactly once, with the token expiring on
the first send, the command rerun, the tasks delivered twice and a ≥ 10亿 签约 alert queued
later. Embedded broker always, Redis when TEST_REDIS_URL is set (required under CI=true)."""

from __future__ import annotations

import subprocess
import uuid
from datetime import date

import pytest
from celery import Celery
from sqlalchemy import select

from config import _celery_settings
from crm.channels.models import ChannelMessage
from crm.extensions import db
from crm.projects.models import StageEvent
from tests import channel_servers as cs
from tests.channels_support import configure, group, link
from tests.factories import make_user, make_zone
from tests.test_reminders_support import make_project, make_target, smtp_fixture  # noqa: F401
from tests.test_reminders_worker import _publisher_app, _wait_for_log
from tests.test_worker import BIN, ROOT, _broker_and_backend, _redis_url, _stop, _worker_env

DAY = "2026-10-15"
TIMEOUT = 60


def _seed(server) -> None:
    db.create_all()
    zone = make_zone(short_name="甲区")
    staff = make_user("staff", zone=zone, display_name="赵专员")
    make_target(staff, date.fromisoformat(DAY), enterprise_name="济源示例新材料有限公司")
    configure(server, dingtalk=False)
    link(staff, wecom="zhaozy")
    group(server, "wecom_robot", ["zone_due"], zone=zone)
    group(server, "dingtalk_robot", ["big_deal"])


def _wait(condition, log_path, what: str) -> None:
    import time

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"{what}:\n" + log_path.read_text(errors="replace")[-4000:])


@pytest.mark.worker
@pytest.mark.parametrize("broker", ["embedded", "redis"])
def test_real_worker_sends_each_channel_once(broker, tmp_path, smtp):
    sink, port = smtp
    redis_url = _redis_url() if broker == "redis" else None
    instance = tmp_path / "instance"
    instance.mkdir()
    env = _worker_env(instance, redis_url)
    env.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=str(port),
        BASE_URL="https://crm.example.cn",
        MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
    )
    broker_url, backend_url = _broker_and_backend(instance, redis_url)
    publisher = _publisher_app(instance, broker_url, backend_url)
    runner = publisher.test_cli_runner()
    log_path = tmp_path / "worker.log"
    with cs.ProviderServer() as server:
        provider = server.provider
        provider.faults["wecom_send"] = ["expire"]  # the token dies on the first send
        with publisher.app_context():
            _seed(server)
        with log_path.open("wb") as log:
            worker = subprocess.Popen(
                [
                    str(BIN / "celery"),
                    "-A",
                    "worker",
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    "--loglevel=DEBUG",
                    f"--hostname=channels-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        client = Celery("channels-e2e")
        client.conf.update(_celery_settings(broker_url, backend_url))
        try:
            with publisher.app_context():
                mail = runner.invoke(args=["reminders", "send-daily", "--date", DAY])
                queued = runner.invoke(args=["channels", "send-daily", "--date", DAY])
            assert "1 send task(s) queued" in mail.output, mail.output
            assert "2 new channel message(s), 2 send task(s) queued" in queued.output, queued.output
            _wait(
                lambda: (
                    len(provider.messages["wecom"]) >= 1
                    and len(provider.messages["wecom_robot"]) >= 1
                    and sink.messages
                ),
                log_path,
                "not every channel received its message",
            )
            with publisher.app_context():
                rerun = runner.invoke(args=["channels", "send-daily", "--date", DAY])
                ids = db.session.scalars(select(ChannelMessage.id)).all()
                project = make_project(
                    db.session.get(ChannelMessage, ids[0]).recipient,
                    None,
                    name="百亿新材料基地",
                    stage="signed",
                    contract_amount_wan=1_000_000,
                )
                db.session.add(
                    StageEvent(
                        project_id=project.id,
                        from_stage="inspection",
                        to_stage="signed",
                        effective_on=date.fromisoformat(DAY),
                        amount_wan=1_000_000,
                    )
                )
                db.session.commit()
                alert = runner.invoke(args=["channels", "send-daily", "--date", DAY])
            assert "0 new channel message(s), 0 send task(s) queued" in rerun.output, rerun.output
            assert "2 send task(s) queued" in alert.output, alert.output  # city group + owner
            for message_id in ids:  # the same tasks delivered twice more
                client.send_task("channels.send", args=[message_id])
                client.send_task("channels.send", args=[message_id])
            _wait(
                lambda: len(provider.messages["dingtalk_robot"]) >= 1,
                log_path,
                "the 签约 alert never reached the city group",
            )
            _wait_for_log(log_path, 9, "succeeded")
        finally:
            _stop(worker)
            client.close()

    assert len(provider.messages["wecom"]) == 2  # the daily card and the owner's alert
    assert len(provider.messages["wecom_robot"]) == 1
    assert len(provider.messages["dingtalk_robot"]) == 1
    assert len(sink.messages) == 1
    assert provider.token_requests["wecom"] == 2  # first token refused, refreshed once
    personal, owner_alert = (m["markdown"]["content"] for m in provider.messages["wecom"])
    assert "济源示例新材料有限公司" in personal and "https://crm.example.cn/targets/" in personal
    assert "百亿新材料基地" in owner_alert
    assert "甲区今日待跟进 1 项" in provider.messages["wecom_robot"][0]["markdown"]["content"]
    assert "1,000,000万元" in provider.messages["dingtalk_robot"][0]["markdown"]["text"]
    with publisher.app_context():
        rows = db.session.execute(select(ChannelMessage.kind, ChannelMessage.status)).all()
        db.session.remove()
        db.engine.dispose()
    assert sorted(tuple(r) for r in rows) == [
        ("alert", "sent"),
        ("big_deal", "sent"),
        ("daily", "sent"),
        ("zone_due", "sent"),
    ]
    text = log_path.read_text(errors="replace")
    for secret in (
        cs.CORP_SECRET,
        cs.ROBOT_KEY,
        cs.DING_ROBOT_SECRET,
        cs.DING_ROBOT_TOKEN,
        "wecom-token-",
    ):
        assert secret not in text, secret
