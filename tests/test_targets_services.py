"""Target-list rules: creation, conflicts, claims, activities, merge, bulk, search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from crm.core.timeutil import local_today
from crm.enterprises.services import (
    DuplicateEnterprise,
    EnterpriseError,
    create_enterprise,
    merge_enterprises,
)
from crm.enterprises.uscc import make_uscc
from crm.extensions import db
from crm.targets.bulk import bulk_update
from crm.targets.conflicts import ConflictError, settle_conflict
from crm.targets.models import Activity, Conflict, Target
from crm.targets.queries import TargetFilters, target_count_stmt, target_list_stmt
from crm.targets.services import (
    TargetError,
    can_write_target,
    claim_target,
    create_target,
    is_stale,
    log_activity,
)
from tests.factories import make_user, make_zone

CODE = make_uscc("91419001MA4000001")


@pytest.fixture
def world(app):
    zone_a, zone_b = make_zone(), make_zone()
    return {
        "a": zone_a,
        "b": zone_b,
        "staff_a": make_user("staff", zone=zone_a),
        "staff_b": make_user("staff", zone=zone_b),
        "manager_a": make_user("manager", zone=zone_a),
        "city": make_user("coordinator"),
    }


def _enterprise(name="河南豫光金铅股份有限公司", **extra):
    ent = create_enterprise({"name": name, **extra}, None)
    db.session.commit()
    return ent


def test_duplicate_by_code_is_blocking(world):
    _enterprise(uscc=CODE)
    with pytest.raises(DuplicateEnterprise) as info:
        create_enterprise({"name": "完全不同的名字", "uscc": CODE}, None, confirm_duplicate=True)
    assert info.value.blocking


def test_duplicate_by_normalised_name_warns_and_can_be_confirmed(world):
    first = _enterprise()
    with pytest.raises(DuplicateEnterprise) as info:
        create_enterprise({"name": "豫光金铅集团有限公司"}, None)
    assert info.value.hits[0].enterprise == first and not info.value.blocking
    second = create_enterprise({"name": "豫光金铅集团有限公司"}, None, confirm_duplicate=True)
    assert second.id != first.id


def test_bad_credit_code_names_the_problem(world):
    with pytest.raises(EnterpriseError) as info:
        create_enterprise({"name": "某公司", "uscc": CODE[:-1] + "Z"}, None)
    assert info.value.field == "uscc" and "第18位" in str(info.value)


def test_javascript_website_is_refused(world):
    with pytest.raises(EnterpriseError):
        create_enterprise({"name": "某公司", "website": "javascript:alert(1)"}, None)


def test_second_zone_raises_a_conflict_both_see(world):
    ent = _enterprise()
    create_target(ent, None, {}, world["staff_a"])
    create_target(ent, None, {}, world["staff_b"])
    db.session.commit()
    conflict = db.session.scalars(select(Conflict)).one()
    assert {z.id for z in conflict.zones} == {world["a"].id, world["b"].id}
    assert conflict.status == "open"


def test_same_zone_twice_is_refused(world):
    ent = _enterprise()
    create_target(ent, None, {}, world["staff_a"])
    with pytest.raises(TargetError):
        create_target(ent, None, {}, world["manager_a"])


def test_settle_keep_one_drops_the_others(world):
    ent = _enterprise()
    create_target(ent, None, {}, world["staff_a"])
    t_b = create_target(ent, None, {}, world["staff_b"])
    conflict = db.session.scalars(select(Conflict)).one()
    with pytest.raises(ConflictError):
        settle_conflict(conflict, "keep_both", None, "", world["city"])
    settle_conflict(conflict, "keep_one", world["a"].id, "高新区先接触", world["city"])
    assert conflict.status == "settled" and t_b.status == "dropped"
    assert "市级协调" in t_b.note


def test_claim_from_pool(world):
    ent = _enterprise()
    pooled = create_target(ent, None, {}, world["city"])
    assert pooled.zone_id is None
    claim_target(pooled, world["staff_a"])
    assert pooled.zone_id == world["a"].id and pooled.owner_id == world["staff_a"].id
    with pytest.raises(TargetError):
        claim_target(pooled, world["staff_b"])


def test_activity_sets_follow_up_and_last_activity(world):
    target = create_target(_enterprise(), None, {}, world["staff_a"])
    today = local_today()
    log_activity(
        target,
        {
            "kind": "visit",
            "occurred_on": today - timedelta(days=1),
            "summary": "拜访董事长",
            "next_follow_up": today + timedelta(days=7),
        },
        world["staff_a"],
    )
    assert target.last_activity_on == today - timedelta(days=1)
    assert target.next_follow_up == today + timedelta(days=7)
    assert target.status == "contacted"
    assert db.session.scalars(select(Activity)).one().zone_id == world["a"].id


@pytest.mark.parametrize(
    "values,field",
    [
        ({"kind": "teleport"}, "kind"),
        ({"occurred_on": "FUTURE"}, "occurred_on"),
        ({"summary": "  "}, "summary"),
        ({"next_follow_up": "PAST"}, "next_follow_up"),
    ],
)
def test_bad_activity_is_refused(world, values, field):
    target = create_target(_enterprise(), None, {}, world["staff_a"])
    today = local_today()
    raw = {"kind": "phone", "occurred_on": today, "summary": "电话沟通"}
    for key, value in values.items():
        raw[key] = {"FUTURE": today + timedelta(days=1), "PAST": today - timedelta(days=3)}.get(
            value, value
        )
    with pytest.raises(TargetError) as info:
        log_activity(target, raw, world["staff_a"])
    assert info.value.field == field


def test_write_permissions(world):
    target = create_target(_enterprise(), None, {}, world["staff_a"])
    other_staff = make_user("staff", zone=world["a"])
    assert can_write_target(world["staff_a"], target)
    assert can_write_target(world["manager_a"], target)
    assert not can_write_target(other_staff, target)
    assert not can_write_target(world["staff_b"], target)
    assert can_write_target(world["city"], target)


def test_merge_moves_targets_and_contacts(world):
    keep = _enterprise("豫光金铅股份", uscc=CODE)
    dup = create_enterprise({"name": "济源豫光金铅有限公司"}, None, confirm_duplicate=True)
    create_target(dup, None, {}, world["staff_a"])
    create_target(keep, None, {}, world["staff_b"])
    merge_enterprises(dup, keep, world["city"])
    db.session.commit()
    zones = {t.zone_id for t in db.session.scalars(select(Target)) if t.deleted_at is None}
    assert zones == {world["a"].id, world["b"].id}
    assert all(t.enterprise_id == keep.id for t in db.session.scalars(select(Target)))
    assert dup.merged_into_id == keep.id and "济源豫光金铅有限公司" in keep.aliases
    assert db.session.scalars(select(Conflict)).one().enterprise_id == keep.id


def test_bulk_skips_what_the_actor_may_not_change(world):
    mine = create_target(_enterprise("甲公司"), None, {}, world["staff_a"])
    theirs = create_target(_enterprise("乙公司"), None, {}, world["staff_b"])
    result = bulk_update([mine.id, theirs.id], "priority", "A", world["staff_a"])
    assert result.changed == [mine.id] and result.skipped[0][0] == theirs.id
    assert theirs.priority == "B"
    with pytest.raises(TargetError):
        bulk_update([mine.id], "move_zone", str(world["b"].id), world["staff_a"])


@pytest.mark.parametrize("query", ["豫光", "ygjq", "yuguang", "91419001", "金铅", "YGJQ"])
def test_search_by_name_pinyin_initials_and_code(world, query):
    ent = _enterprise(uscc=CODE)
    create_target(ent, None, {}, world["staff_a"])
    create_target(_enterprise("中原特钢有限公司"), None, {}, world["staff_a"])
    rows = db.session.scalars(target_list_stmt(world["staff_a"], TargetFilters(q=query))).all()
    assert [t.enterprise.name for t in rows] == [ent.name]


@pytest.mark.parametrize("query", ["' OR 1=1 --", "%", "_", "\\"])
def test_search_wildcards_are_literal(world, query):
    create_target(_enterprise(), None, {}, world["staff_a"])
    rows = db.session.scalars(target_list_stmt(world["staff_a"], TargetFilters(q=query))).all()
    assert rows == []


def test_stale_flag(world):
    target = create_target(_enterprise(), None, {}, world["staff_a"])
    target.last_activity_on = local_today() - timedelta(days=31)
    assert is_stale(target)
    rows = db.session.scalars(target_list_stmt(world["city"], TargetFilters(stale="1"))).all()
    assert rows == [target]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, 2),
        ({"q": "豫光"}, 1),
        ({"q": "zhongyuan"}, 1),
        ({"industry": "有色金属"}, 1),
        ({"label": "上市公司"}, 1),
        ({"zone": "pool"}, 1),
        ({"zone": "A"}, 1),
        ({"status": "new", "priority": "A"}, 1),
        ({"q": "没有这家"}, 0),
        ({"mode": "资本招商", "label": "上市公司"}, 1),
    ],
)
def test_the_list_count_matches_its_rows(world, filters, expected):
    """The list's count skips the enterprise join when no filter needs it: same totals."""
    listed = _enterprise(labels=["上市公司"], industry="有色金属")
    create_target(
        listed, world["a"].id, {"attraction_modes": ["资本招商"], "priority": "A"}, world["staff_a"]
    )
    create_target(_enterprise("中原特钢有限公司"), None, {}, world["city"])  # the pool
    gone = create_target(_enterprise("济源某化工有限公司"), world["b"].id, {}, world["staff_b"])
    gone.deleted_at = local_today()
    db.session.commit()
    values = {k: str(world["a"].id) if v == "A" and k == "zone" else v for k, v in filters.items()}
    chosen = TargetFilters(**values)
    rows = db.session.scalars(target_list_stmt(world["city"], chosen)).unique().all()
    assert len(rows) == expected
    assert db.session.scalar(target_count_stmt(world["city"], chosen)) == expected


def test_mode_and_label_filters(world):
    ent = _enterprise(labels=["上市公司"])
    create_target(ent, None, {"attraction_modes": ["资本招商"]}, world["staff_a"])
    db.session.commit()
    stmt = target_list_stmt(world["city"], TargetFilters(mode="资本招商", label="上市公司"))
    assert len(db.session.scalars(stmt).all()) == 1
    stmt = target_list_stmt(world["city"], TargetFilters(mode="企业招商"))
    assert db.session.scalars(stmt).all() == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("豫光", ["河南豫光金铅股份有限公司"]),  # two characters: the grams index on PostgreSQL
        ("铅", ["河南豫光金铅股份有限公司"]),  # one character
        ("特钢", ["中原特钢有限公司"]),
        ("有限", ["中原特钢有限公司", "河南豫光金铅股份有限公司"]),
        ("光中", []),  # not adjacent anywhere
        ("钢y", []),  # mixed: the LIKE
        ("Ｙ", []),  # full-width letter: not in any name
    ],
)
def test_one_and_two_character_chinese_search(world, query, expected):
    for name in ("河南豫光金铅股份有限公司", "中原特钢有限公司"):
        create_target(_enterprise(name), None, {}, world["staff_a"])
    stmt = target_list_stmt(world["staff_a"], TargetFilters(q=query))
    assert sorted(t.enterprise.name for t in db.session.scalars(stmt)) == sorted(expected)


@pytest.mark.parametrize("query", ["豫光", "铅"])
def test_short_chinese_search_uses_the_grams_index_on_postgresql(world, query):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL index")
    create_target(_enterprise(), None, {}, world["staff_a"])
    # A tiny table: force the index (a scan would rightly make the term common, row by row).
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    stmt = target_list_stmt(world["staff_a"], TargetFilters(q=query))
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {sql}")))
    assert "ix_enterprise_search_grams" in plan
