"""Benchmark data for projects: projects (100 000 at province scale), their stage events and
half of the scale's activities (1 000 000 at province scale; the target list has the other
half). Rows go in with COPY on PostgreSQL and executemany batches elsewhere.

Projects spread over the zones in proportion, owned by the zone's staff, with a stage mix like
a real pipeline (many leads, fewer signed, a few paused or terminated), amounts from 500万 to
200亿元 (a long tail), 2 % confidential, and a dated history from 线索 to the current stage.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bench.generate import Context, generator
from bench.targets_list import copy_rows
from crm.core.timeutil import local_today
from crm.projects.stages import PIPELINE, SIDE, rank
from crm.targets.demo import INDUSTRIES

SEED = 2_026_003
STAGE_WEIGHTS = {
    "lead": 22,
    "contact": 14,
    "negotiation": 14,
    "inspection": 10,
    "signed": 9,
    "registered": 6,
    "land": 5,
    "construction": 8,
    "production": 5,
    "full_production": 2,
    "paused": 3,
    "terminated": 2,
}
WORDS = [(industry, word) for industry, (_zone, words) in INDUSTRIES.items() for word in words]
KINDS = ("phone", "visit", "negotiation", "inspection", "meeting", "other")
DATE_FIELDS = {
    "signed": "contract_signed_on",
    "construction": "started_on",
    "production": "produced_on",
    "full_production": "full_production_on",
}
Path = list[tuple[str, date]]


def _path(rng: random.Random, stage: str, today: date) -> Path:
    """(stage, date) from 线索 to ``stage``, oldest first, all in the past two years."""
    reached = stage if stage in PIPELINE else PIPELINE[rng.randrange(6)]
    steps = list(PIPELINE[: rank(reached) + 1]) + ([stage] if stage in SIDE else [])
    end = today - timedelta(days=rng.randrange(0, 150))
    start = end - timedelta(days=rng.randrange(20 * len(steps), 700))
    gap = (end - start).days / max(1, len(steps) - 1)
    return [(code, start + timedelta(days=round(gap * i))) for i, code in enumerate(steps)]


def _project(
    rng: random.Random,
    i: int,
    zone: tuple[int, bool],
    owners: list[int],
    enterprise: int,
    today: date,
) -> tuple[dict[str, Any], Path]:
    """One project row and its dated path of stages."""
    stage = rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()))[0]
    path = _path(rng, stage, today)
    reached = {code: on for code, on in path}
    amount = max(500, min(2_000_000, round(math.exp(rng.gauss(math.log(30000), 1.1)))))
    signed = "signed" in reached
    industry, word = WORDS[rng.randrange(len(WORDS))]
    owner = owners[rng.randrange(len(owners))] if owners and rng.random() < 0.9 else None
    last_activity = today - timedelta(days=rng.randrange(0, 120))
    created = datetime.combine(path[0][1], datetime.min.time())
    row = {
        "name": f"{word}项目（{i}）",
        "code_name": f"代号-{i:06d}" if rng.random() < 0.02 else None,
        "enterprise_id": enterprise,
        "zone_id": zone[0],
        "owner_id": owner,
        "target_id": None,
        "industry": industry,
        "is_manufacturing": zone[1],
        "project_type": "expansion" if rng.random() < 0.1 else "new",
        "planned_total_wan": amount,
        "contract_amount_wan": amount if signed else None,
        "actual_in_place_wan": amount // 3 if "construction" in reached else 0,
        "expected_landing_on": today + timedelta(days=rng.randrange(-30, 400)),
        "land_need_mu": None,
        "stage": stage,
        "stage_since": path[-1][1],
        "first_reported": amount >= 100000 and rng.random() < 0.8,
        "first_reported_on": None,
        "next_step": "" if rng.random() < 0.2 else "跟进企业决策",
        "next_follow_up": today + timedelta(days=rng.randrange(-30, 60)),
        "last_activity_on": last_activity,
        "description": "",
        "registered_company_name": None,
        "registered_uscc": None,
        "land_area_mu": None,
        "terminated_reason": "企业战略调整" if stage == "terminated" else None,
        "import_batch_id": None,
        "version": 1,
        "created_at": created,
        "updated_at": created + timedelta(days=rng.randrange(0, 30)),
        "created_by_id": owner,
        "updated_by_id": owner,
        "deleted_at": None,
        **{field: reached.get(code) for code, field in DATE_FIELDS.items()},
    }
    return row, path


def _enterprise_ids(ctx: Context) -> range | list[int]:
    from crm.enterprises.models import Enterprise
    from crm.extensions import db

    ids = ctx.ids.get("enterprise_ids")
    if ids:
        return ids
    return list(db.session.scalars(select(Enterprise.id).order_by(Enterprise.id)))


@generator("projects", order=50)
def generate_projects(ctx: Context) -> int:
    """Projects, with their stage paths kept for the stage-event generator."""
    from crm.auth.models import User
    from crm.extensions import db
    from crm.projects.models import Project
    from crm.zones.models import Zone

    rng = random.Random(SEED)
    today = local_today()
    zones = [
        (zone_id, kind == "manufacturing")
        for zone_id, kind in db.session.execute(select(Zone.id, Zone.kind).order_by(Zone.id))
    ]
    staff: dict[int, list[int]] = {}
    for user_id, zone_id in db.session.execute(
        select(User.id, User.zone_id).where(User.role == "staff").order_by(User.id)
    ):
        staff.setdefault(zone_id, []).append(user_id)
    enterprises = _enterprise_ids(ctx)
    if not enterprises:
        raise SystemExit("projects need enterprises: keep bench.targets_list in PLUGINS")
    paths: list[tuple[int | None, Path, int]] = []

    def rows():
        for i in range(ctx.scale.count("projects")):
            zone = zones[i % len(zones)]
            enterprise = enterprises[(i * 7) % len(enterprises)]
            row, path = _project(rng, i, zone, staff.get(zone[0], []), enterprise, today)
            paths.append((row["owner_id"], path, row["planned_total_wan"]))
            yield row

    created = copy_rows(Project, rows())
    first, last = db.session.execute(select(func.min(Project.id), func.max(Project.id))).one()
    if last - first + 1 != created:
        raise SystemExit("project ids are not contiguous: generate into an empty database")
    ctx.ids["project_paths"] = (range(first, first + created), paths)
    return created


@generator("project stage events", order=52)
def generate_project_events(ctx: Context) -> int:
    """One stage event per step of each project's path, from 线索 to its current stage."""
    from crm.projects.models import StageEvent

    ids, paths = ctx.ids.pop("project_paths", ((), []))

    def events():
        for project_id, (owner, path, amount) in zip(ids, paths, strict=True):
            previous = None
            for code, on in path:
                yield {
                    "project_id": project_id,
                    "from_stage": previous,
                    "to_stage": code,
                    "effective_on": on,
                    "recorded_at": datetime.combine(on, datetime.min.time()),
                    "actor_id": owner,
                    "note": "",
                    "evidence": None,
                    "amount_wan": amount,
                }
                previous = code

    return copy_rows(StageEvent, events())


@generator("project milestones", order=53)
def generate_project_milestones(ctx: Context) -> int:
    """The stored milestones, rebuilt from the events by the product's own backfill (COPY
    bypasses the session hook that keeps them in step)."""
    from crm.extensions import db
    from crm.quotas.milestones import rebuild_all

    return rebuild_all(db.session.connection())


@generator("project activities", order=55)
def generate_project_activities(ctx: Context) -> int:
    """Half of the scale's activities, spread evenly over the projects, newest at each
    project's last-activity date, one a week before that."""
    from crm.extensions import db
    from crm.projects.models import Project
    from crm.targets.models import Activity

    subjects = db.session.execute(
        select(Project.id, Project.zone_id, Project.owner_id, Project.last_activity_on).order_by(
            Project.id
        )
    ).all()
    total = ctx.scale.count("activities") - ctx.scale.count("activities") // 2
    if not subjects:
        return 0

    def rows():
        for i in range(total):
            project_id, zone_id, owner_id, last = subjects[i % len(subjects)]
            occurred = last - timedelta(days=7 * (i // len(subjects)))
            yield {
                "target_id": None,
                "project_id": project_id,
                "zone_id": zone_id,
                "kind": KINDS[i % len(KINDS)],
                "occurred_on": occurred,
                "participants": "",
                "summary": "与企业沟通项目推进情况",
                "next_step": "",
                "next_follow_up": None,
                "created_by_id": owner_id,
                "created_at": datetime.combine(occurred, datetime.min.time()),
            }

    return copy_rows(Activity, rows())
