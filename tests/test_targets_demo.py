"""Demo target list: fictional, valid-format, spread over zones, idempotent, with conflicts."""

from __future__ import annotations

from sqlalchemy import func, select

from crm.auth.demo import load_demo_users
from crm.core.timeutil import local_today
from crm.enterprises.models import Enterprise
from crm.enterprises.names import normalize_name
from crm.enterprises.services import build_search_text
from crm.enterprises.uscc import is_valid_uscc
from crm.extensions import db
from crm.targets.demo import ENTERPRISE_COUNT, load_demo_targets
from crm.targets.models import Activity, Conflict, Target
from crm.targets.queries import TargetFilters, target_list_stmt
from crm.targets.services import is_stale
from crm.zones.models import Zone
from crm.zones.seed import seed_zones
from tests.factories import PASSWORD, make_user


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _load() -> int:
    seed_zones()
    load_demo_users(PASSWORD)
    db.session.commit()
    created = load_demo_targets()
    db.session.commit()
    return created


def test_demo_targets(app):
    """One load (it takes seconds): contents, histories, then a second run adds nothing."""
    created = _load()
    _check_contents(created)
    _check_histories_conflicts_and_staleness()
    before = {m: _count(m) for m in (Enterprise, Target, Activity, Conflict)}
    assert load_demo_targets() == 0
    db.session.commit()
    assert {m: _count(m) for m in before} == before


def _check_contents(created: int) -> None:
    enterprises = db.session.scalars(select(Enterprise)).all()
    targets = db.session.scalars(select(Target)).all()
    assert len(enterprises) == ENTERPRISE_COUNT and created == len(targets) > 200
    assert all(is_valid_uscc(e.uscc) for e in enterprises)
    assert len({e.uscc for e in enterprises}) == ENTERPRISE_COUNT
    assert len({e.industry for e in enterprises}) >= 12
    assert any(e.is_local for e in enterprises) and any(e.labels for e in enterprises)
    for ent in enterprises[:20]:  # derived fields as the services set them
        assert ent.normalized_name == normalize_name(ent.name)
        assert ent.search_text == build_search_text(ent.name, ent.aliases, ent.uscc)
    zones = {z.id: z.code for z in db.session.scalars(select(Zone))}
    per_zone = {code: 0 for code in [*zones.values(), None]}
    for target in targets:
        per_zone[zones.get(target.zone_id)] += 1
    assert all(n >= 20 for n in per_zone.values()), per_zone
    assert {t.owner.login for t in targets if t.owner} >= {
        "gxq-staff1",
        "jkq-staff2",
        "xdfw-staff1",
    }
    assert any(t.owner is None and t.zone_id for t in targets)
    assert {t.priority for t in targets} == {"A", "B", "C"}
    assert len({m for t in targets for m in t.attraction_modes}) >= 5


def _check_histories_conflicts_and_staleness() -> None:
    assert _count(Conflict, Conflict.status == "open") >= 2
    assert _count(Conflict, Conflict.status == "settled") == 1
    today = local_today()
    targets = db.session.scalars(select(Target)).all()
    per_target = dict(
        db.session.execute(
            select(Activity.target_id, func.count()).group_by(Activity.target_id)
        ).all()
    )
    assert set(per_target.values()) <= set(range(1, 7)) and max(per_target.values()) >= 4
    oldest = db.session.scalar(select(func.min(Activity.occurred_on)))
    assert (today - oldest).days <= 366
    follow_ups = [t.next_follow_up for t in targets if t.next_follow_up]
    assert any(d < today for d in follow_ups), "some follow-ups are overdue"
    assert any(d == today for d in follow_ups), "some are due today"
    assert any(0 < (d - today).days <= 7 for d in follow_ups), "some next week"
    stale = [t for t in targets if is_stale(t)]
    assert 10 <= len(stale) < len(targets) / 2
    coordinator = make_user("coordinator")
    listed = db.session.scalars(target_list_stmt(coordinator, TargetFilters(stale="1"))).all()
    assert {t.id for t in listed} == {t.id for t in stale}
    assert {t.status for t in targets} >= {"new", "contacted", "interested", "paused", "dropped"}
