"""Demo monthly progress for `flask demo`: each signed demo project reports its last months.

Runs after the demo projects. A project reports from the month after it was signed (at most
six months, up to last month); its cumulative 到位资金 ends at the 累计实际到位 the demo
projects already carry, so 资金到位率 keeps its story; 完成投资 runs ahead of the funds for
projects under construction. Written through the rules (crm.progress.recording), audited;
a project that already reports is left alone, so a second run adds nothing.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select

from crm.auth.models import User
from crm.core.period_lock import period_of
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.progress.models import MonthlyProgress
from crm.progress.recording import save_progress
from crm.progress.services import reportable
from crm.projects.models import Project

MONTHS = 6
SHOWN = {
    "signed": "完成项目备案，正在办理规划许可",
    "registered": "公司注册完成，开展设计招标",
    "land": "土地摘牌完成，场地平整中",
    "construction": "主体厂房施工中",
    "production": "一期投产，二期设备安装",
    "full_production": "全面达产",
    "paused": "暂缓建设",
}


def _months(signed_on: date, today: date) -> list[str]:
    """Up to MONTHS periods from the month after signing to last month."""
    last = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    periods: list[str] = []
    year, month = last
    while len(periods) < MONTHS:
        if (year, month) <= (signed_on.year, signed_on.month):
            break
        periods.append(period_of(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return periods[::-1]


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` in ``parts`` whole, non-negative monthly amounts (a first, larger one)."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    weights[0] += 1.5  # the first reported month carries what came in before
    amounts = [int(total * w / sum(weights)) for w in weights]
    amounts[-1] += total - sum(amounts)
    return amounts


def load_demo_progress() -> int:
    """Give the signed demo projects their months; returns how many months were created."""
    today = local_today()
    reporting = set(db.session.scalars(select(MonthlyProgress.project_id)))
    stmt = select(Project).where(Project.deleted_at.is_(None)).order_by(Project.id)
    created = 0
    for project in db.session.scalars(stmt).unique().all():
        signed_on = project.contract_signed_on
        if project.id in reporting or signed_on is None or not reportable(project):
            continue
        periods = _months(signed_on, today)
        funds = project.actual_in_place_wan
        if not periods or not funds:
            continue
        actor = db.session.get(User, project.owner_id) if project.owner_id else None
        rng = random.Random(f"progress:{project.name}")
        invested = round(funds * rng.uniform(1.1, 1.6))
        fund_months = _split(funds, len(periods), rng)
        invest_months = _split(invested, len(periods), rng)
        total_funds = total_invest = 0
        for index, period in enumerate(periods):
            total_funds += fund_months[index]
            total_invest += invest_months[index]
            last = index == len(periods) - 1
            values = {
                "month_investment_wan": invest_months[index],
                "total_investment_wan": total_invest,
                "month_funds_wan": fund_months[index],
                "total_funds_wan": total_funds,
                "image_progress": SHOWN.get(project.stage, "") if last else "",
                "problems": "施工用电增容待批复" if last and project.stage == "land" else "",
                "coordination": "请协调供电公司加快审批"
                if last and project.stage == "land"
                else "",
            }
            save_progress(project, period, values, actor)
            created += 1
    return created
