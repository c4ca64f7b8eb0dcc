"""Demo 报送: the last three months' reports of the first zones, mostly accepted, one month
returned with a comment and resubmitted, last month in every state — so the dashboards show
已接收, 已报, 退回 and 未报 / 逾期 side by side."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from crm.auth.models import User
from crm.core.period_lock import period_of
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.reporting import services as s
from crm.reporting.models import ReportSubmission
from crm.zones.models import Zone

TEXT = (
    "本月围绕主导产业开展精准招商，赴长三角、珠三角对接目标企业，组织项目集中签约。\n"
    "重点项目加快推进，新开工项目按节点落实要素保障，在建项目按月调度。\n"
    "下一步将紧盯签约项目注册落地，协调解决用地、用能等问题。"
)
COMMENT = "重点项目推进情况不够具体，请补充开工项目的形象进度和存在问题后重新报送。"
# per zone (in display order): the outcome of each of the last three months, oldest first
PLANS = (
    ("accepted", "accepted", "accepted"),
    ("accepted", "resubmitted", "submitted"),
    ("accepted", "accepted", "returned"),
    ("accepted", "returned", None),
)


def _months(today: date) -> list[str]:
    months, day = [], today.replace(day=1)
    for _n in range(3):
        day = (day - timedelta(days=1)).replace(day=1)
        months.append(period_of(day.year, day.month))
    return list(reversed(months))


def _play(zone: Zone, manager: User, city: User, month: str, plan: str) -> int:
    made = 1
    row = s.submit(zone, month, TEXT, manager)
    if plan in ("returned", "resubmitted"):
        s.return_report(row, COMMENT, city)
    if plan == "resubmitted":
        row = s.submit(zone, month, TEXT + "\n已补充重点项目形象进度。", manager)
        s.accept(row, city)
        made += 1
    if plan == "accepted":
        s.accept(row, city)
    return made


def load_demo_reports() -> int:
    """Submit and review demo reports once; returns the submissions made."""
    if db.session.scalar(select(func.count()).select_from(ReportSubmission)):
        return 0
    city = db.session.scalars(
        select(User).where(User.role == "coordinator", User.active.is_(True)).order_by(User.id)
    ).first()
    if city is None:
        return 0
    zones = db.session.scalars(
        select(Zone).where(Zone.active.is_(True)).order_by(Zone.sort_order, Zone.id)
    ).all()
    months = _months(local_today())
    made = 0
    for zone, plan in zip(zones, PLANS, strict=False):
        manager = db.session.scalars(
            select(User).where(User.role == "manager", User.zone_id == zone.id).order_by(User.id)
        ).first()
        if manager is None:
            continue
        for month, step in zip(months, plan, strict=True):
            if step is not None:
                made += _play(zone, manager, city, month, step)
    db.session.commit()
    return made
