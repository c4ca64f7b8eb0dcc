"""Target list at scale: ``python -m bench.targets_list [bench.run options]``.

Registers with ``bench.generate`` the generators of enterprises (1 000 000 at province scale,
COPY on PostgreSQL), targets (every fifth enterprise) and their activities (half of the
scale's activities), and with ``bench.run`` the list page, the API list and the searches by
Chinese substring, pinyin initials and credit-code prefix. ``main`` runs ``bench.run`` on the
floor and these endpoints only, then EXPLAINs the recorded search statements on PostgreSQL
and checks they use the trigram index ``ix_enterprise_search_trgm``.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import sys
import tempfile
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import JSON, make_url, select, text

from bench.generate import (
    REUSE,
    Context,
    bulk_insert,
    generator,
    parse_scale,
    scale_url,
    sqlalchemy_url,
)
from bench.queries import Endpoint
from crm.enterprises.models import LABELS, OWNERSHIPS, TIERS
from crm.enterprises.names import name_pinyin, normalize_name
from crm.enterprises.uscc import CHARSET, WEIGHTS, _org_check_char, validate_uscc
from crm.targets.demo import INDUSTRIES, LEGAL_FORMS, PLACES, SUMMARIES
from crm.targets.models import ACTIVITY_KINDS, ATTRACTION_MODES, TARGET_STATUSES

SEED = 1_000_003
TRGM_INDEX = "ix_enterprise_search_trgm"
GRAMS_INDEX = "ix_enterprise_search_grams"
BRAND_FIRST = "岚翊澜骁曜珩朔砺璟锴熠昶湛峤骐沣铖弈钜琮瑭璘炜煜晖旭昀晗暄皓"
BRAND_SECOND = "拓擎川衡岳泓旻曦澄嵘翎屹钧垣砚棠璞鸿骏渊瀚淼森楷桓榕枫杉柏梧"
WORDS = [(industry, word) for industry, (_zone, words) in INDUSTRIES.items() for word in words]
TARGET_EVERY = 5  # every fifth enterprise is on a target list (the first one included)
_VALUES = {char: value for value, char in enumerate(CHARSET)}
_NOW = datetime(2026, 3, 1, 8, 0)


# --- rows ------------------------------------------------------------------------------


_pinyin = cache(name_pinyin)  # names are made of a few hundred parts: each is done once
_normalized = cache(normalize_name)


def _uscc(index: int, region: str) -> str:
    """A valid, unique code: the body is a bijection of the row number (digits or MA…)."""
    if index % 2:
        body = f"{(index * 7919 + 12345) % 10**8:08d}"
    else:
        n, body = (index * 7919 + 4321) % 31**6, ""
        for _ in range(6):
            n, rest = divmod(n, 31)
            body += CHARSET[rest]
        body = "MA" + body
    first17 = "91" + region + body + _org_check_char(body)
    total = sum(_VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return first17 + CHARSET[(31 - total % 31) % 31]


REGISTRATION_BLANK = {
    **dict.fromkeys(("legal_representative", "business_status", "business_scope"), ""),
    **dict.fromkeys(("registered_capital_currency", "paid_in_capital_currency"), ""),
    **dict.fromkeys(("gb_section", "gb_division"), ""),
    **dict.fromkeys(("registered_capital_wan", "paid_in_capital_wan", "insured_count"), None),
    "founded_on": None,
}


def enterprise_row(rng: random.Random, index: int) -> dict[str, Any]:
    """One enterprise; name pinyin is joined from its parts (cached), as the search box
    stores it: name, full pinyin, initials and code, lower-case."""
    prefix, province, city, region = PLACES[rng.randrange(len(PLACES))]
    brand = rng.choice(BRAND_FIRST) + rng.choice(BRAND_SECOND)
    industry, word = WORDS[rng.randrange(len(WORDS))]
    legal = LEGAL_FORMS[rng.randrange(len(LEGAL_FORMS))]
    parts = [_pinyin(p) for p in (prefix, brand[0], brand[1], word, legal) if p]
    full, initials = "".join(p[0] for p in parts), "".join(p[1] for p in parts)
    name = f"{prefix}{brand}{word}{legal}"
    code = _uscc(index, region)
    labels = [LABELS[rng.randrange(len(LABELS))]] if rng.random() < 0.2 else []
    return {
        "name": name,
        "normalized_name": _normalized(brand + word),  # place and legal form never count
        "aliases": "",
        "uscc": code,
        "hq_province": province,
        "hq_city": city,
        "industry": industry,
        "ownership": OWNERSHIPS[rng.randrange(len(OWNERSHIPS))],
        "labels": labels,
        "tier": TIERS[rng.randrange(len(TIERS))],
        "is_local": rng.random() < 0.02,
        "website": "",
        "description": "",
        **REGISTRATION_BLANK,
        "search_text": f"{name} {full} {initials} {code}".lower(),
        "created_at": _NOW - timedelta(minutes=index),
        "updated_at": _NOW,
    }


def search_terms() -> dict[str, str]:
    """Queries that hit the first enterprise (a target at every scale)."""
    row = enterprise_row(random.Random(SEED), 0)
    core = row["normalized_name"]
    return {
        "Chinese substring": core[:4],
        "Chinese, 2 characters": core[:2],
        "Chinese, 1 character": core[:1],
        "Chinese, 2 common characters": row["name"][-2:],  # the legal form's 公司 / 集团 …
        "pinyin initials": _pinyin(core[:2])[1] + _pinyin(core[2:4])[1],
        "credit-code prefix": row["uscc"][:12],
    }


# --- inserting -------------------------------------------------------------------------


def copy_rows(model: Any, rows: Any) -> int:
    """COPY on PostgreSQL (the fast path), executemany batches elsewhere."""
    from crm.extensions import db

    conn = db.session.connection()
    if conn.dialect.name != "postgresql":
        return bulk_insert(model, rows)
    columns = [c for c in model.__table__.columns if not c.primary_key]
    names = ", ".join(f'"{c.name}"' for c in columns)
    # a column a generator does not fill takes its scalar default, as an INSERT would
    defaults = {
        c.name: c.default.arg for c in columns if c.default is not None and c.default.is_scalar
    }
    plan = [(c.name, isinstance(c.type, JSON)) for c in columns]
    count = 0
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {model.__tablename__} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[k], ensure_ascii=False)
                    if is_json
                    else row.get(k, defaults.get(k))
                    for k, is_json in plan
                ]
            )
            count += 1
    return count


@generator("enterprises", order=30)
def generate_enterprises(ctx: Context) -> int:
    """The scale's enterprises; on PostgreSQL the trigram index is rebuilt after the COPY."""
    from crm.enterprises.models import Enterprise
    from crm.extensions import db

    rng = random.Random(SEED)  # the same first rows at every scale: the searches hit them
    rows = (enterprise_row(rng, i) for i in range(ctx.scale.count("enterprises")))
    postgres = db.session.connection().dialect.name == "postgresql"
    if postgres:
        db.session.execute(text(f"DROP INDEX IF EXISTS {TRGM_INDEX}"))
    created = copy_rows(Enterprise, rows)
    if postgres:
        db.session.execute(text("SET maintenance_work_mem = '512MB'"))
        db.session.execute(
            text(f"CREATE INDEX {TRGM_INDEX} ON enterprise USING gin (search_text gin_trgm_ops)")
        )
    first = db.session.scalar(select(Enterprise.id).order_by(Enterprise.id).limit(1))
    validate_uscc(db.session.scalar(select(Enterprise.uscc).where(Enterprise.id == first)))
    ctx.ids["enterprise_ids"] = range(first, first + created)
    return created


@generator("targets", order=40)
def generate_targets(ctx: Context) -> int:
    """Every fifth enterprise on one zone's list (10 % in the city pool), owned by a staff
    member of the zone or unowned; last activity and follow-up dates spread over a year."""
    from crm.auth.models import User
    from crm.extensions import db
    from crm.targets.models import Target

    rng = random.Random(SEED + 1)
    zone_ids = sorted(ctx.ids["zones"].values())
    staff: dict[int, list[int]] = {}
    for user_id, zone_id in db.session.execute(
        select(User.id, User.zone_id).where(User.role == "staff").order_by(User.id)
    ):
        staff.setdefault(zone_id, []).append(user_id)
    statuses = [s for s in TARGET_STATUSES if s != "converted"]
    today = _NOW.date()

    def rows():
        for enterprise_id in ctx.ids["enterprise_ids"][::TARGET_EVERY]:
            zone_id = None if rng.random() < 0.1 else zone_ids[rng.randrange(len(zone_ids))]
            owners = staff.get(zone_id, [])
            last = today - timedelta(days=rng.randrange(365)) if rng.random() < 0.9 else None
            owner = owners[rng.randrange(len(owners))] if owners and rng.random() < 0.7 else None
            yield {
                "enterprise_id": enterprise_id,
                "zone_id": zone_id,
                "owner_id": owner,
                "chain_position": "",
                "attraction_modes": [ATTRACTION_MODES[rng.randrange(len(ATTRACTION_MODES))]],
                "priority": "ABC"[rng.randrange(3)],
                "status": statuses[rng.randrange(len(statuses))],
                "next_follow_up": today + timedelta(days=rng.randrange(-30, 60)) if last else None,
                "last_activity_on": last,
                "source": "",
                "note": "",
                "created_at": _NOW - timedelta(days=rng.randrange(365, 730)),
                "updated_at": _NOW - timedelta(minutes=rng.randrange(500_000)),
            }

    return copy_rows(Target, rows())


@generator("target activities", order=45)
def generate_target_activities(ctx: Context) -> int:
    """Half of the scale's activities, on the targets that have a last-activity date."""
    from crm.extensions import db
    from crm.targets.models import Activity, Target

    rng = random.Random(SEED + 2)
    subjects = db.session.execute(
        select(Target.id, Target.zone_id, Target.owner_id, Target.last_activity_on).where(
            Target.last_activity_on.is_not(None)
        )
    ).all()
    kinds = list(ACTIVITY_KINDS)
    total = ctx.scale.count("activities") // 2

    def rows():
        for i in range(total):
            target_id, zone_id, owner_id, last = subjects[i % len(subjects)]
            kind = kinds[rng.randrange(len(kinds))]
            occurred = last - timedelta(days=7 * (i // len(subjects)))
            yield {
                "target_id": target_id,
                "project_id": None,
                "zone_id": zone_id,
                "kind": kind,
                "occurred_on": occurred,
                "participants": "",
                "summary": SUMMARIES[kind].format(topic="投资意向", reaction="将内部研究后答复"),
                "next_step": "",
                "next_follow_up": None,
                "created_by_id": owner_id,
                "created_at": datetime.combine(occurred, _NOW.time()),
            }

    return copy_rows(Activity, rows())


# --- endpoints and the run -------------------------------------------------------------


def target_endpoints() -> list[Endpoint]:
    """The list page and its searches (signed in), and the API list and searches (token)."""
    terms = search_terms()
    chinese, initials = quote(terms["Chinese substring"]), quote(terms["pinyin initials"])
    return [
        Endpoint("targets: GET /targets/", "/targets/"),
        *(
            Endpoint(f"targets: ?q= {label}", f"/targets/?q={quote(q)}")
            for label, q in terms.items()
        ),
        Endpoint("api: GET /api/v1/targets", "/api/v1/targets", auth="token"),
        Endpoint("api: targets?q= Chinese", f"/api/v1/targets?q={chinese}", auth="token"),
        Endpoint("api: enterprises?q= initials", f"/api/v1/enterprises?q={initials}", auth="token"),
    ]


def explain_searches(url: str, user: str) -> bool:
    """EXPLAIN every recorded search statement of the search endpoints; True when the
    ``search_text LIKE`` ones use the trigram index and the one- and two-character Chinese
    ones (``search_grams(search_text) @>``) the grams index. A common term (more than
    ``COMMON_MATCHES`` enterprises) is tested row by row in the list's order instead: listed,
    not checked."""
    from bench.generate import PASSWORD, make_app
    from bench.queries import record_queries
    from crm.extensions import db

    app = make_app(sqlalchemy_url(url), "explain-" + os.urandom(8).hex())
    searches = [e for e in target_endpoints() if "q=" in e.path]
    recorded = record_queries(app, searches, user, PASSWORD)
    ok = True
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for endpoint in searches:
                for sql, params in recorded[endpoint.name].statements:
                    if sql.lstrip().startswith("EXPLAIN"):
                        continue  # is_common asking the planner about a short term
                    if "strpos(enterprise.search_text" in sql:
                        # a common term: tested row by row in the list's order (no index)
                        what = "count, capped" if "count(*)" in sql else "rows"
                        print(f"{endpoint.name} ({what}): common term, row by row")
                        continue
                    if "search_text LIKE" in sql:
                        index = TRGM_INDEX
                    elif "search_grams(enterprise.search_text) @>" in sql:
                        index = GRAMS_INDEX
                    else:
                        continue
                    cursor.execute("EXPLAIN " + sql, params)
                    plan = [row[0].strip() for row in cursor.fetchall()]
                    used = any(index in line for line in plan)
                    ok = ok and used
                    what = "count" if "count(*)" in sql else "rows"
                    scan = next((ln for ln in plan if "on enterprise enterprise_1" in ln), "?")
                    print(f"{endpoint.name} ({what}): {scan.removeprefix('->  ').split('  (')[0]}")
                    if used:
                        print(f"    {next(ln for ln in plan if index in ln).split('  (')[0]}")
            raw.rollback()
        finally:
            raw.close()
        db.engine.dispose()
    print("searches use their index" if ok else "A SEARCH DOES NOT USE ITS INDEX")
    return ok


def main(argv: list[str] | None = None) -> int:
    from bench import run

    argv = list(sys.argv[1:] if argv is None else argv)
    explain_only = "--explain-only" in argv  # EXPLAIN an already built database
    if explain_only:
        argv.remove("--explain-only")
    run.ENDPOINTS[:] = [run.FLOOR, *target_endpoints()]
    status = 0 if explain_only else run.main(argv)
    url = argv[argv.index("--database-url") + 1] if "--database-url" in argv else ""
    if url and make_url(sqlalchemy_url(url)).get_backend_name() == "postgresql":
        print()
        os.environ["INSTANCE_PATH"] = str(Path(tempfile.mkdtemp(prefix="crm-explain-")))
        user = argv[argv.index("--user") + 1] if "--user" in argv else "gxq-staff1"
        if REUSE:  # the --scale database of its own (bench.generate.scale_url)
            scale = argv[argv.index("--scale") + 1] if "--scale" in argv else "city"
            url = scale_url(url, parse_scale(scale))
        if not explain_searches(url, user):
            status = 1
    return status


if __name__ == "__main__":
    # `python -m` runs this file as __main__, whose decorators registered the generators a
    # first time; keep only the plug-in module's registrations (bench.generate imports it).
    from bench.generate import GENERATORS

    GENERATORS[:] = [entry for entry in GENERATORS if entry[2].__module__ != "__main__"]
    sys.exit(importlib.import_module("bench.targets_list").main())
