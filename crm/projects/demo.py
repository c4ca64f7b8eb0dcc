"""Demo projects for `flask demo`: every stage in every zone, with dated histories.

The story (2026, the plan's first year): 高新区 is on track — one signed manufacturing project
of ≥ 30亿元 and five of ≥ 10亿元, plus a surplus one; 经开区 is at risk — two of ≥ 10亿元 signed
and only two late-stage candidates expected to land this year. Around them: a withdrawn project
(signed, then terminated), a confidential one, terminated and paused ones, expansions, projects
landed in 2025, services-zone projects. Everything goes through the services (create_project,
change_stage with evidence and past dates, log_project_activity). Projects are found again by
zone and name, so a second run adds nothing; the first target-list enterprise of the zone in
the industry is reused (and its target converted), else an enterprise of our own is created.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import select

from crm.auth.models import User
from crm.core.timeutil import local_today
from crm.enterprises.models import Enterprise
from crm.enterprises.names import normalize_name
from crm.enterprises.services import create_enterprise
from crm.enterprises.uscc import generate_uscc
from crm.extensions import db
from crm.projects.demo_specs import SPECS, Spec
from crm.projects.models import Project
from crm.projects.services import create_project, log_project_activity, update_project
from crm.projects.stages import EVIDENCE, PIPELINE, SIDE, rank
from crm.projects.transitions import change_stage
from crm.targets.models import Target
from crm.zones.models import Zone

YI = 10000
AFTER_SIGNING = {"registered": 25, "land": 50, "construction": 80, "production": 240}
AFTER_SIGNING["full_production"] = 330


def _day(text: str, today: date) -> date:
    return min(date.fromisoformat(text), today)  # never a future date, whatever the clock


def _path(spec: Spec, today: date) -> list[tuple[str, date]]:
    """(stage, date) of every step after 线索, in order and never after today."""
    start = _day(spec.start, today)
    end = rank(spec.stage)
    signed = _day(spec.signed, today) if spec.signed else None
    if spec.side:
        side_on = _day(spec.side[1], today)
    before = list(PIPELINE[1 : min(end, rank("inspection")) + 1])
    until = signed - timedelta(days=30) if signed else today - timedelta(days=spec.since)
    if spec.side and not signed:
        until = min(until, side_on - timedelta(days=20))
    until = max(until, start + timedelta(days=len(before)))
    gap = max(1, (until - start).days // max(1, len(before)))
    steps = [
        (code, min(start + timedelta(days=gap * (i + 1)), until)) for i, code in enumerate(before)
    ]
    if signed:
        steps.append(("signed", signed))
        for code in PIPELINE[rank("signed") + 1 : end + 1]:
            steps.append((code, min(signed + timedelta(days=AFTER_SIGNING[code]), today)))
    if spec.side:
        steps.append((spec.side[0], side_on))
    return steps


def _evidence(spec: Spec, stage: str, on: date) -> dict:
    values = {
        "contract_amount_wan": round(spec.yi * YI),
        "land_area_mu": max(20, round(spec.yi * 12)),
    }
    values["registered_company_name"] = f"济源{spec.name.removesuffix('项目')}有限公司"
    values["registered_uscc"] = generate_uscc(random.Random(spec.name))
    names = [item.name for item in EVIDENCE.get(stage, ())]
    return {name: (on if name.endswith("_on") else values[name]) for name in names}


def _enterprise(
    spec: Spec, zone: Zone, actor: User, used: set[int]
) -> tuple[Enterprise, Target | None]:
    """The zone's first open target in the industry (from the target-list demo), else ours."""
    stmt = (
        select(Target)
        .join(Target.enterprise)
        .where(
            Target.zone_id == zone.id,
            Target.status.in_(("new", "contacted", "interested")),
            Target.deleted_at.is_(None),
            Enterprise.industry == spec.industry,
            Target.enterprise_id.not_in(used or {0}),
        )
        .order_by(Target.id)
        .limit(1)
    )
    target = db.session.scalar(stmt)
    if target is not None:
        return target.enterprise, target
    name = f"济源{spec.name.removesuffix('项目')}有限公司"
    found = db.session.scalar(
        select(Enterprise).where(Enterprise.normalized_name == normalize_name(name))
    )
    if found is not None:
        return found, None
    uscc = generate_uscc(random.Random(f"enterprise-{spec.name}"))
    values = {
        "name": name,
        "uscc": uscc,
        "industry": spec.industry,
        "hq_province": "河南",
        "hq_city": "济源",
    }
    return create_enterprise(values, actor, confirm_duplicate=True), None


SUMMARIES = (
    "沟通项目推进中的用地和手续问题",
    "对接企业高层，确认投资计划和时间表",
    "协调供电、供气等要素保障",
)
NEXT_STEPS = ("准备专题会材料", "协调要素保障", "跟进企业决策")


def _activities(spec: Spec, project: Project, actor: User, today: date) -> None:
    """Two contacts for projects with a follow-up date; the latest sets it (maybe overdue)."""
    if spec.follow_up is None:
        return
    rng = random.Random(spec.name)
    start = _day(spec.start, today)
    latest = max(start, today - timedelta(days=max(3, -spec.follow_up + rng.randint(2, 9))))
    for occurred in (max(start, latest - timedelta(days=rng.randint(20, 40))), latest):
        follow_up = today + timedelta(days=spec.follow_up) if occurred == latest else latest
        raw = {
            "kind": rng.choice(("phone", "visit", "negotiation", "meeting")),
            "occurred_on": occurred,
            "participants": f"{actor.display_name}、企业负责人",
            "summary": rng.choice(SUMMARIES),
            "next_step": spec.next_step or rng.choice(NEXT_STEPS),
            "next_follow_up": follow_up,
        }
        log_project_activity(project, raw, actor)


def _load(spec: Spec, zone: Zone, owner: User, today: date, used: set[int]) -> Project:
    enterprise, target = _enterprise(spec, zone, owner, used)
    used.add(enterprise.id)
    start = _day(spec.start, today)
    amount = round(spec.yi * YI)
    values = {
        "name": spec.name,
        "code_name": spec.code_name or None,
        "industry": spec.industry,
        "is_manufacturing": spec.manufacturing,
        "project_type": spec.kind,
        "planned_total_wan": amount,
        "next_step": spec.next_step,
        "expected_landing_on": date(today.year, 12, 20) if spec.landing else None,
    }
    if amount >= 10 * YI and spec.reported:
        values.update(first_reported=True, first_reported_on=min(start + timedelta(days=15), today))
    project = create_project(enterprise, zone.id, values, owner, target=target, started_on=start)
    project.created_at = datetime.combine(start, datetime.min.time())
    for stage, on in _path(spec, today):
        note = spec.side[2] if stage in SIDE and spec.side else ""
        change_stage(project, stage, on, _evidence(spec, stage, on), note, project.version, owner)
    _activities(spec, project, owner, today)
    _funds_in_place(project, owner)
    return project


# Share of the contract amount in place (累计实际到位) by how far a project has come: a signed
# project has a first payment, a producing one most of it. 资金到位率 is then not 0.0 %.
FUNDS_SHARE = {
    "signed": (0.05, 0.15),
    "registered": (0.15, 0.3),
    "land": (0.25, 0.45),
    "construction": (0.4, 0.65),
    "production": (0.6, 0.85),
    "full_production": (0.85, 1.0),
}


def _funds_in_place(project: Project, owner: User) -> None:
    """Funds in place for projects past 签约, through the edit service (audited)."""
    share = FUNDS_SHARE.get(project.stage)
    amount = project.quota_amount_wan
    if share is None or not amount:
        return
    rng = random.Random(project.name)
    in_place = round(amount * rng.uniform(*share))
    update_project(project, {"actual_in_place_wan": in_place}, project.version, owner)


def load_demo_projects() -> int:
    """Create the demo projects that are missing; returns how many were created."""
    today = local_today()
    zones = {z.code: z for z in db.session.scalars(select(Zone))}
    people = {u.login: u for u in db.session.scalars(select(User).where(User.zone_id.is_not(None)))}
    existing = {
        (zone_id, name)
        for zone_id, name in db.session.execute(select(Project.zone_id, Project.name))
    }
    used = set(db.session.scalars(select(Project.enterprise_id)))
    created = 0
    for index, spec in enumerate(SPECS):
        zone = zones.get(spec.zone)
        owner = people.get(f"{spec.zone}-staff{index % 2 + 1}")
        if zone is None or owner is None or (zone.id, spec.name) in existing:
            continue
        _load(spec, zone, owner, today, used)
        db.session.flush()
        created += 1
    return created


def demo_stages() -> dict[str, set[str]]:
    """Stages each zone's demo projects end in (the tests check every stage is present)."""
    ends: dict[str, set[str]] = {}
    for spec in SPECS:
        ends.setdefault(spec.zone, set()).add(spec.side[0] if spec.side else spec.stage)
    return ends
