"""Weekly digests at scale: ``python -m bench.digests [--scale province] [--runs 3]``.

For two scales (``--count-scale``, default city, then ``--scale``, default province) the
database is built by the registered generators (zones, users, enterprises, targets, projects,
activities, and here: a quota per manufacturing zone and some open cross-zone conflicts). Then
one weekly outbox row per user is created exactly as the scheduler does, and every row is sent
through the product's own path (``crm.reminders.delivery.deliver``: claim, compose through
the access scope, MIME, SMTP, finish), each in a fresh app context as a Celery task would be,
to an aiosmtpd sink on 127.0.0.1. Celery itself is left out (its overhead is the broker's).

Prints, per scale: digests per second (median over ``--runs``), the floor (the same SMTP
path with a tiny pre-built message), and SQL statements per digest for each digest variant.
The statement counts must be the same at both scales; otherwise it says so and exits 1.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import event, make_url, select, update

from bench.generate import Context, Scale, bulk_insert, generator, parse_scale, prepare
from bench.run import free_port

FLOOR_MESSAGES = 300


@generator("quotas and conflicts", order=70)
def generate_quotas(ctx: Context) -> int:
    """The plan's quota (1 × 30亿, 5 × 10亿) for every manufacturing zone this year and next,
    and one open conflict per ten zones (so the digests have every section to compute)."""
    from crm.core.timeutil import local_today
    from crm.extensions import db
    from crm.quotas.models import Quota, QuotaTier
    from crm.targets.models import Conflict, ConflictZone, Target
    from crm.zones.models import Zone

    year = local_today().year
    zones = db.session.execute(select(Zone.id).where(Zone.kind == "manufacturing")).scalars()
    zone_ids = list(zones)
    quotas = bulk_insert(
        Quota, ({"zone_id": z, "year": y} for z in zone_ids for y in (year, year + 1))
    )
    tiers = []
    for quota_id in db.session.scalars(select(Quota.id)):
        tiers.append(
            {"quota_id": quota_id, "label": "30亿元以上", "threshold_wan": 300000, "required": 1}
        )
        tiers.append(
            {"quota_id": quota_id, "label": "10亿元以上", "threshold_wan": 100000, "required": 5}
        )
    bulk_insert(QuotaTier, tiers)
    enterprise_ids = db.session.scalars(
        select(Target.enterprise_id)
        .where(Target.zone_id.is_not(None))
        .limit(max(1, len(zone_ids) // 10))
    ).all()
    for n, enterprise_id in enumerate(enterprise_ids):
        conflict = Conflict(enterprise_id=enterprise_id, reason="多个开发区同时跟进同一企业")
        db.session.add(conflict)
        db.session.flush()
        for zone_id in {zone_ids[n % len(zone_ids)], zone_ids[(n + 1) % len(zone_ids)]}:
            db.session.add(ConflictZone(conflict_id=conflict.id, zone_id=zone_id))
    return quotas


class CountingSink:
    """An SMTP handler that accepts and counts (nothing is parsed or kept)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def _variant(role: str) -> str:
    from crm.reminders.recipients import DIGEST_VARIANTS

    return DIGEST_VARIANTS.get(role, "none")


def create_weekly_rows(app: Any) -> tuple[list[int], dict[int, str]]:
    """One weekly row per user, as the scheduler creates them; (row ids, row id → variant)."""
    from crm.auth.models import User
    from crm.core.timeutil import local_today
    from crm.core.workdays import first_workday_of_week
    from crm.extensions import db
    from crm.reminders.models import ReminderLog
    from crm.reminders.periods import Period, weekly_key
    from crm.reminders.scans import create_rows, weekly_candidates

    with app.app_context():
        day = first_workday_of_week(local_today()) or local_today()
        create_rows(Period("weekly", weekly_key(day), day), weekly_candidates())
        db.session.commit()
        rows = db.session.execute(
            select(ReminderLog.id, User.role)
            .join(User, User.id == ReminderLog.recipient_id)
            .order_by(ReminderLog.id)
        ).all()
    return [r for r, _role in rows], {r: _variant(role) for r, role in rows}


def reset_rows(app: Any) -> None:
    from crm.extensions import db
    from crm.reminders.models import ReminderLog

    with app.app_context():
        db.session.execute(
            update(ReminderLog).values(
                status="pending",
                attempts=0,
                lease_until=None,
                claim_token=None,
                expires_at=datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1),
            )
        )
        db.session.commit()


def send_all(app: Any, ids: list[int], variants: dict[int, str]) -> tuple[float, Counter, dict]:
    """Deliver every row; returns (seconds, outcomes, variant/outcome → statement counts)."""
    from crm.extensions import db
    from crm.reminders.delivery import deliver

    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    outcomes: Counter = Counter()
    per_digest: dict[str, set[int]] = defaultdict(set)
    started = time.perf_counter()
    try:
        for log_id in ids:
            before = statements[0]
            with app.app_context():
                status = deliver(log_id).status
            outcomes[status] += 1
            per_digest[f"{variants[log_id]} ({status})"].add(statements[0] - before)
    finally:
        elapsed = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", count)
    return elapsed, outcomes, per_digest


def floor(app: Any) -> float:
    """Seconds per message for a tiny pre-built message over the same SMTP path."""
    from crm.reminders import mailer

    with app.app_context():
        msg = mailer.build_message(
            to_name="基准",
            to_address="floor@example.gov.cn",
            subject="基准",
            text="x",
            html="<p>x</p>",
            message_id="<floor@bench>",
            sent_at=datetime.now(UTC),
        )
        started = time.perf_counter()
        for _ in range(FLOOR_MESSAGES):
            mailer.deliver(msg, "floor@example.gov.cn", "floor.eml")
        return (time.perf_counter() - started) / FLOOR_MESSAGES


def measure(url: str, scale: Scale, work: Path, runs: int, port: int) -> dict[str, Any]:
    secret = secrets.token_hex(32)
    print(f"building {scale.name} …", flush=True)
    app, counts = prepare(url, scale, work / "instance", secret)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, BASE_URL="https://crm.example.cn")
    ids, variants = create_weekly_rows(app)
    print(f"sending {len(ids)} weekly digests × {runs} runs …", flush=True)
    seconds, statement_counts, outcomes = [], defaultdict(set), Counter()
    for _ in range(runs):
        reset_rows(app)
        elapsed, outcomes, per_digest = send_all(app, ids, variants)
        seconds.append(elapsed)
        for key, values in per_digest.items():
            statement_counts[key] |= values
    result = {
        "rows": counts,
        "digests": len(ids),
        "outcomes": dict(outcomes),
        "median_s": statistics.median(seconds),
        "floor_s": floor(app),
        "statements": {k: sorted(v) for k, v in sorted(statement_counts.items())},
    }
    from crm.extensions import db

    with app.app_context():
        db.engine.dispose()
    return result


def report(url: str, results: dict[str, dict[str, Any]], runs: int) -> bool:
    backend = make_url(url).get_backend_name()
    print()
    print(f"date      {datetime.now().astimezone():%Y-%m-%d %H:%M %z}")
    print(f"database  {backend}; Python {platform.python_version()}; SMTP aiosmtpd on 127.0.0.1")
    for name, res in results.items():
        data = ", ".join(f"{k} {v:,}" for k, v in res["rows"].items())
        per_digest = res["median_s"] / res["digests"]
        print()
        print(f"scale {name}: {data}")
        print(
            f"  {res['digests']:,} weekly digests in {res['median_s']:.1f} s (median of {runs}): "
            f"{res['digests'] / res['median_s']:.1f} digests/s, {per_digest * 1000:.1f} ms each"
        )
        print(
            f"  floor (tiny message, same SMTP path): {res['floor_s'] * 1000:.2f} ms; "
            f"a digest costs {per_digest / res['floor_s']:.1f} × the floor"
        )
        print(f"  outcomes: {res['outcomes']}")
    keys = sorted({k for res in results.values() for k in res["statements"]})
    names = list(results)
    print()
    print("SQL statements per digest (min–max over all digests and runs)")
    width = max(len(k) for k in keys)
    print("  " + "variant (outcome)".ljust(width) + "".join(f"  {n:>14}" for n in names))
    same = True
    for key in keys:
        cells = []
        for name in names:
            values = results[name]["statements"].get(key)
            cells.append(
                "-"
                if not values
                else f"{values[0]}–{values[-1]}"
                if len(values) > 1
                else str(values[0])
            )
        print("  " + key.ljust(width) + "".join(f"  {c:>14}" for c in cells))
        present = [results[n]["statements"][key] for n in names if key in results[n]["statements"]]
        same &= len({max(v) for v in present}) == 1
    print()
    print(
        "statement counts match across scales" if same else "STATEMENT COUNTS DIFFER ACROSS SCALES"
    )
    return same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=parse_scale, default=parse_scale("province"))
    parser.add_argument("--count-scale", type=parse_scale, default=parse_scale("city"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--database-url",
        default=None,
        help="e.g. postgresql://postgres@127.0.0.1/bench (default: a temporary SQLite file); "
        "the database name must contain 'bench' — it is wiped",
    )
    args = parser.parse_args(argv)
    runs = max(1, min(args.runs, 10))
    sink = CountingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    results: dict[str, dict[str, Any]] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="crm-bench-digests-") as tmp:
            work = Path(tmp)
            os.environ["INSTANCE_PATH"] = str(work / "instance")
            url = args.database_url or f"sqlite:///{work / 'bench.sqlite'}"
            for scale in (args.count_scale, args.scale):
                results[scale.name] = measure(url, scale, work, runs, port)
    finally:
        controller.stop()
    print(f"\nSMTP sink received {sink.count:,} messages")
    return 0 if report(url, results, runs) else 1


if __name__ == "__main__":
    # Register the generator once, under the importable module's name (as bench.targets_list).
    from bench.generate import GENERATORS

    GENERATORS[:] = [entry for entry in GENERATORS if entry[2].__module__ != "__main__"]
    sys.exit(importlib.import_module("bench.digests").main())
