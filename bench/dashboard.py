"""Dashboards at scale: ``python -m bench.dashboard [--scale province] [--database-url URL]``.

The zone dashboard (home page of ``gxq-manager``), the city dashboard (home page of ``city``),
the city's weekly and monthly reports and ``GET /api/v1/quota`` — each beside the floor (GET
/about of the same user on the same server) and beside its own SQL replayed on a bare cursor
(the raw aggregation SQL), in one run. The aim per page: median ≤ floor + 3 × raw SQL.
Query counts are recorded at two scales and must be equal (exit status 1 otherwise).

Data comes from the registered generators (``bench.gen_projects``: 100 000 projects with their
stage histories at province scale, spread over 180 zones); the plan's quotas are added to
every manufacturing zone for this year so that every zone has tiers to attain.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from bench.client import Client
from bench.generate import (
    PASSWORD,
    Scale,
    app_env,
    database_url,
    flask_cli,
    parse_scale,
    prepare,
    sqlalchemy_url,
)
from bench.queries import Endpoint, record_queries, time_raw_sql
from bench.run import (
    MAX_REQUESTS,
    MAX_RUNS,
    WARMUP,
    default_count_scale,
    dispose,
    p95,
    start_gunicorn,
    stop,
)

ZONE_USER, CITY_USER = "gxq-manager", "city"


@dataclass(frozen=True)
class Case:
    endpoint: Endpoint
    login: str
    floor: bool = False

    @property
    def name(self) -> str:
        return self.endpoint.name


CASES = [
    Case(Endpoint("floor: GET /about (manager)", "/about"), ZONE_USER, floor=True),
    Case(Endpoint("zone dashboard: GET /", "/"), ZONE_USER),
    Case(Endpoint("floor: GET /about (city)", "/about"), CITY_USER, floor=True),
    Case(Endpoint("city dashboard: GET /", "/"), CITY_USER),
    Case(Endpoint("city weekly report", "/dashboard/reports/weekly"), CITY_USER),
    Case(Endpoint("city monthly report", "/dashboard/reports/monthly"), CITY_USER),
    Case(Endpoint("api: GET /api/v1/quota", "/api/v1/quota", auth="token"), CITY_USER),
]


def add_quotas(app: Any) -> int:
    """The plan's tiers (1 × ≥ 30亿, 5 × ≥ 10亿) for this year in every manufacturing zone."""
    from sqlalchemy import select

    from crm.core.timeutil import local_today
    from crm.extensions import db
    from crm.quotas.models import Quota, QuotaTier
    from crm.quotas.seed import PLAN_TIERS
    from crm.zones.models import Zone

    year = local_today().year
    with app.app_context():
        have = set(db.session.scalars(select(Quota.zone_id).where(Quota.year == year)))
        zones = db.session.scalars(select(Zone.id).where(Zone.kind == "manufacturing"))
        added = 0
        for zone_id in zones:
            if zone_id in have:
                continue
            quota = Quota(zone_id=zone_id, year=year)
            quota.tiers = [
                QuotaTier(label=a, threshold_wan=b, required=c) for a, b, c in PLAN_TIERS
            ]
            db.session.add(quota)
            added += 1
        db.session.commit()
    return added


def build(url: str, scale: Scale, instance: Path, secret: str) -> tuple[Any, dict[str, int]]:
    app, rows = prepare(url, scale, instance, secret)
    rows["quotas"] = add_quotas(app)
    return app, rows


def count(app: Any) -> dict[str, Any]:
    """Recorded statements per case (signed in as each case's user)."""
    recorded: dict[str, Any] = {}
    for login in (ZONE_USER, CITY_USER):
        cases = [c for c in CASES if c.login == login]
        result = record_queries(app, [c.endpoint for c in cases], login, PASSWORD)
        recorded.update(result)
    return recorded


def measure(clients: dict[str, Client], tokens: dict[str, str], requests: int, runs: int):
    def once(case: Case) -> float:
        client = clients[case.login]
        if case.endpoint.auth == "token":
            headers = {"Authorization": f"Bearer {tokens[case.login]}"}
            response = client.get(case.endpoint.path, headers=headers, use_cookies=False)
        else:
            response = client.get(case.endpoint.path)
        if response.status != 200:
            raise SystemExit(f"{case.endpoint.path} as {case.login}: HTTP {response.status}")
        return response.seconds

    for case in CASES:
        for _ in range(WARMUP):
            once(case)
    samples: dict[str, list[list[float]]] = {c.name: [] for c in CASES}
    for _run in range(runs):
        for case in CASES:
            samples[case.name].append([once(case) for _ in range(requests)])
    return samples


def report(args, url, rows, samples, raw_sql, counts) -> bool:
    parsed = make_url(sqlalchemy_url(url))
    scales = list(counts)
    print()
    print(f"date      {datetime.now().astimezone():%Y-%m-%d %H:%M %z}")
    print(f"database  {parsed.get_backend_name()} ({parsed.render_as_string()})")
    print(f"scale     {args.scale.name}: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    print(
        f"runs      {args.runs} × {args.requests} requests per endpoint, gunicorn -w {args.workers}"
    )
    print()
    head = ["endpoint", "user", "p50 ms", "p95 ms", "× floor", "raw SQL ms", "aim ms", "ok"]
    head += [f"queries@{s}" for s in scales]
    table, floor = [head], 0.0
    for case in CASES:
        runs = samples[case.name]
        median = statistics.median(statistics.median(run) for run in runs)
        if case.floor:
            floor = median
        sql = raw_sql[case.name] or 0.0
        aim = floor + 3 * sql
        table.append(
            [
                case.name,
                case.login,
                f"{median * 1000:.2f}",
                f"{p95([v for run in runs for v in run]) * 1000:.2f}",
                f"{median / floor:.2f}",
                f"{sql * 1000:.3f}",
                "-" if case.floor else f"{aim * 1000:.2f}",
                "-" if case.floor else ("yes" if median <= aim else "NO"),
                *(str(counts[s][case.name]) for s in scales),
            ]
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    for index, row in enumerate(table):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [c.rjust(w) for c, w in zip(row[2:], widths[2:], strict=True)]
        print("  ".join(cells))
        if index == 0:
            print("  ".join("-" * w for w in widths))
    same = all(len({counts[s][c.name] for s in scales}) == 1 for c in CASES)
    print()
    print("query counts match across scales" if same else "QUERY COUNTS DIFFER ACROSS SCALES")
    return same


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=parse_scale, default=parse_scale("city"))
    parser.add_argument("--count-scale", type=parse_scale, default=None)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=None,
        help="e.g. postgresql://postgres@127.0.0.1/bench_dashboard (default: a temporary "
        "SQLite file); the name must contain 'bench' — it is wiped",
    )
    args = parser.parse_args(argv)
    args.requests = max(1, min(args.requests, MAX_REQUESTS))
    args.runs = max(1, min(args.runs, MAX_RUNS))
    with tempfile.TemporaryDirectory(prefix="crm-bench-dash-") as tmp:
        work = Path(tmp)
        os.environ["INSTANCE_PATH"] = str(work / "instance")
        url = args.database_url or f"sqlite:///{work / 'bench.sqlite'}"
        secret = secrets.token_hex(32)
        counts: dict[str, dict[str, int]] = {}
        rows: dict[str, int] = {}
        app: Any = None
        for scale in (args.count_scale or default_count_scale(args.scale), args.scale):
            if app is not None:
                dispose(app)
            print(f"building {scale.name} …", flush=True)
            app, rows = build(url, scale, work / "instance", secret)
            recorded = count(app)
            counts[scale.name] = {name: r.count for name, r in recorded.items()}
        url = database_url(app)  # the --scale database (its own one with BENCH_REUSE=1)
        env = app_env(url, work / "instance", secret)
        repeats = args.requests * args.runs
        raw_sql = {name: time_raw_sql(app, r, repeats) for name, r in recorded.items()}
        tokens = {CITY_USER: flask_cli(env, "users", "token", CITY_USER, "--name", "bench")}
        dispose(app)
        print(f"timing {len(CASES)} endpoints × {repeats} requests …", flush=True)
        proc, base = start_gunicorn(env, args.workers, work / "gunicorn.log")
        try:
            clients = {}
            for login in (ZONE_USER, CITY_USER):
                clients[login] = Client(base)
                clients[login].login(login, PASSWORD)
            samples = measure(clients, tokens, args.requests, args.runs)
        finally:
            stop(proc)
        return 0 if report(args, url, rows, samples, raw_sql, counts) else 1


if __name__ == "__main__":
    sys.exit(main())
