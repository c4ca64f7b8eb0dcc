"""The month-end cycle through the web pages: two signed projects' progress for last month (one
on the project page, one by an imported sheet), 报送 → 退回 with a comment → correction and
resubmission → 接收 (the month locks; a later correction is a new revision), the Word reports
read back with python-docx, 资金到位率 on the zone dashboard, then a leader's instruction that
reaches the assignee's daily reminder, is answered and closed."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO

from docx import Document
from sqlalchemy import select

from crm.core.period_lock import is_locked
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.imports.models import ImportBatch
from crm.instructions.models import Instruction
from crm.progress.models import MonthlyProgress
from crm.reminders.rendering import render_digest
from crm.reporting.models import ReportSubmission
from tests.conftest import post
from tests.test_dashboard_data import client_of, make_plan, signed
from tests.test_progress_import import sheet, upload
from tests.test_progress_services import P1, P2

SAME_YEAR = P1[:4] == P2[:4]
TEXT = "本月走访铜箔、氢能企业各一次。"


def first_of(period: str) -> date:
    return date(int(period[:4]), int(period[5:]), 1)


def yi(wan: int) -> str:
    """万元 → 亿元 with two decimals, as the report prints it (computed here, not borrowed)."""
    return str((Decimal(wan) / Decimal(10000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def progress_form(**values) -> dict:
    base = {
        "period": P1,
        "month_investment_wan": "",
        "total_investment_wan": "",
        "month_funds_wan": "",
        "total_funds_wan": "",
        "image_progress": "主体施工",
        "problems": "",
        "coordination": "",
        "note": "",
    }
    return {**base, **values}


def enter(client, project, **values):
    url = f"/projects/{project.id}"
    response = post(client, f"/progress/projects/{project.id}", progress_form(**values), url)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def review(client, path: str, page: str, **data):
    response = post(client, path, data, token_page=page)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def submissions(zone) -> list[ReportSubmission]:
    db.session.expire_all()
    stmt = select(ReportSubmission).where(
        ReportSubmission.zone_id == zone.id, ReportSubmission.period == P1
    )
    return list(db.session.scalars(stmt.order_by(ReportSubmission.attempt)))


def revisions(project) -> list[tuple[int, int, int]]:
    db.session.expire_all()
    stmt = select(MonthlyProgress).where(
        MonthlyProgress.project_id == project.id, MonthlyProgress.period == P1
    )
    rows = db.session.scalars(stmt.order_by(MonthlyProgress.revision))
    return [(r.revision, r.month_investment_wan, r.total_funds_wan) for r in rows]


def indicator_rows(response) -> dict[str, list[str]]:
    """The Word document's table rows by their first cell."""
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype.endswith("wordprocessingml.document")
    doc = Document(BytesIO(response.data))
    return {r.cells[0].text: [c.text for c in r.cells] for t in doc.tables for r in t.rows}


def expected_report(months: dict[str, dict[str, tuple[int, int]]]) -> dict[str, list[str]]:
    """完成投资 / 实际到位资金 本期 and 累计 (亿元) from the figures typed: ``months`` maps
    project → period → (本月完成投资, 本月到位资金) in 万元."""
    in_year = [
        figures
        for by_period in months.values()
        for period, figures in by_period.items()
        if period[:4] == P1[:4] and period <= P1
    ]
    this_month = [by_period[P1] for by_period in months.values() if P1 in by_period]
    return {
        "完成投资（固定资产投资）": [
            yi(sum(f[0] for f in this_month)),
            yi(sum(f[0] for f in in_year)),
        ],
        "实际到位资金": [yi(sum(f[1] for f in this_month)), yi(sum(f[1] for f in in_year))],
    }


def assert_report(rows: dict[str, list[str]], months, signed_month: int, signed_year: int):
    for name, (month_yi, year_yi) in expected_report(months).items():
        assert rows[name][1] == "亿元" and rows[name][2:4] == [month_yi, year_yi], name
    assert rows["签约项目数"][2:4] == [str(signed_month), str(signed_year)]


CONTRACTS = {"copper": 100000, "hydrogen": 50000}


def funds_rate(months, names: list[str]) -> str:
    """累计到位 (the sum of the months typed) / 合同额 of ``names``, as "7.7%"."""
    in_place = sum(sum(f[1] for f in months[name].values()) for name in names)
    whole = sum(CONTRACTS[name] for name in names)
    share = (Decimal(in_place) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{share}%"


def test_the_month_end_cycle_from_entry_to_accepted_report_and_instruction(app, tmp_path):
    zones, people = make_plan()
    gxq, staff = zones["gxq"], people["gxq_staff"]
    # 铜箔 signed in P2 and reported P2 already; 氢能 signed in P1 (the month reported).
    copper = signed(staff, "铜箔项目", CONTRACTS["copper"], on=first_of(P2))
    hydrogen = signed(staff, "氢能项目", CONTRACTS["hydrogen"], on=first_of(P1))
    db.session.commit()
    staff_client = client_of(app, staff)
    enter(staff_client, copper, period=P2, month_investment_wan="8000", month_funds_wan="6000")

    # 1. Staff enter last month: 铜箔 on its project page, 氢能 by a progress sheet.
    enter(staff_client, copper, month_investment_wan="0.5亿", month_funds_wan="3000")
    rows = [["氢能项目", P1, "0.2", "", "1000", "", "开工建设", "用地报批", ""]]
    assert upload(staff_client, sheet(tmp_path, rows), gxq.id).status_code == 302
    batch = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert (batch.kind, batch.status) == ("progress", "valid"), batch.errors
    page = f"/imports/{batch.id}"
    assert post(staff_client, f"{page}/commit", token_page=page).status_code == 302
    assert revisions(copper) == [(1, 5000, 9000)] and revisions(hydrogen) == [(1, 2000, 1000)]
    months = {"copper": {P2: (8000, 6000), P1: (5000, 3000)}, "hydrogen": {P1: (2000, 1000)}}

    # 2. The manager submits; the city returns it with a comment.
    month_page = f"/reporting/zones/{gxq.id}/{P1}"
    manager = client_of(app, people["gxq_manager"])
    review(manager, f"{month_page}/submit", month_page, text=TEXT)
    city = client_of(app, people["city"])
    first = submissions(gxq)[0]
    assert first.status == "submitted"
    comment = "氢能项目本月到位资金与台账不符，请核实"
    review(city, f"/reporting/submissions/{first.id}/return", month_page, comment=comment)
    assert comment in manager.get(month_page).get_data(as_text=True)
    assert not is_locked(gxq.id, P1)

    # 3. The manager corrects the imported figure (in place: the month is open) and resubmits.
    enter(manager, hydrogen, month_investment_wan="2000", month_funds_wan="1500")
    assert revisions(hydrogen) == [(1, 2000, 1500)]
    months["hydrogen"][P1] = (2000, 1500)
    review(manager, f"{month_page}/submit", month_page, text=TEXT + "已核实到位资金。")
    returned, second = submissions(gxq)
    assert (returned.status, second.status, second.attempt) == ("returned", "submitted", 2)

    # 4. The city accepts: the month is locked, a later correction is a new revision.
    review(city, f"/reporting/submissions/{second.id}/accept", month_page)
    assert submissions(gxq)[-1].status == "accepted" and is_locked(gxq.id, P1)
    assert "已接收" in manager.get(month_page).get_data(as_text=True)
    accepted = {k: dict(v) for k, v in months.items()}
    enter(staff_client, copper, month_investment_wan="5000", month_funds_wan="4000", note="核定")
    assert revisions(copper) == [(1, 5000, 9000), (2, 5000, 10000)]  # kept, not overwritten
    months["copper"][P1] = (5000, 4000)

    # 5. The Word reports: the snapshots as submitted, the zone's monthly as it stands now.
    signed_year = 2 if SAME_YEAR else 1
    viewer = client_of(app, people["viewer"])
    before = {**accepted, "hydrogen": {P1: (2000, 1000)}}  # the returned one: as first typed
    for row, figures in ((first, before), (second, accepted)):
        got = indicator_rows(viewer.get(f"/reporting/submissions/{row.id}/docx"))
        assert_report(got, figures, 1, signed_year)
    now = indicator_rows(manager.get(f"/reporting/monthly.docx?zone={gxq.id}&month={P1}"))
    assert_report(now, months, 1, signed_year)
    assert now["签约金额"][2] == yi(50000)

    # 6. 资金到位率 on the zone dashboard: 累计到位 of the year's signed projects / 合同额.
    counted = ["copper", "hydrogen"] if SAME_YEAR else ["hydrogen"]  # signed in P1's year
    year_rate = funds_rate(months, counted)  # (6000 + 4000 + 1500) / 150000 = 7.7%
    board = manager.get(f"/dashboard/zones/{gxq.id}?year={P1[:4]}").get_data(as_text=True)
    assert re.search(r'data-testid="funds-rate">([^<]*)<', board).group(1) == year_rate
    rate_row = now["资金到位率（实际到位／合同额）"]  # 本期: the month's signings (氢能)
    assert rate_row[2:4] == [funds_rate(months, ["hydrogen"]), year_rate]

    # 7. A leader's instruction to the zone reaches the assignee's daily reminder.
    leader = client_of(app, people["viewer"])
    due = (local_today() + timedelta(days=5)).isoformat()
    content = "请督促氢能项目按台账补足到位资金"
    data = {"content": content, "due_on": due, "assignee_id": str(staff.id)}
    created = post(leader, f"/instructions/new/zone/{gxq.id}", data)
    assert created.status_code == 302, created.get_data(as_text=True)[:500]
    instruction = db.session.scalars(select(Instruction)).one()
    assert instruction.zone_id == gxq.id and instruction.assignee_id == staff.id
    digest = render_digest(staff, "daily", local_today())
    assert digest is not None and "待办理的批示" in digest.text and content in digest.text
    assert f'data-instruction="{instruction.id}"' in digest.html
    url = f"/instructions/{instruction.id}"
    answer = post(staff_client, f"{url}/report", {"note": "已约谈企业，月底前到位"})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
    assert "已约谈企业" in leader.get(url).get_data(as_text=True)
    assert content in staff_client.get("/").get_data(as_text=True)  # open on the zone's panel
    assert content in render_digest(staff, "daily", local_today()).text  # answered, still open
    assert post(leader, f"{url}/close", {"note": "同意办结"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Instruction, instruction.id).status == "closed"
    after = render_digest(staff, "daily", local_today())
    assert after is None or content not in after.text
    assert content not in staff_client.get("/instructions/?state=open").get_data(as_text=True)
    assert content not in staff_client.get("/").get_data(as_text=True)  # the zone's panel
    assert content in staff_client.get("/instructions/?state=closed").get_data(as_text=True)
