"""The page benchmark: ``python -m bench.run [--scale city] [--requests 200] [--runs 5]``.

1. SQL counts: for two scales (``--count-scale``, then ``--scale``) a fresh database is built
   and every endpoint's statements are counted in-process; the counts must match.
2. Timings: gunicorn (2 workers) serves the ``--scale`` database on 127.0.0.1; a client signs
   in over HTTP and requests each endpoint ``--requests`` times per run, endpoints interleaved,
   ``--runs`` times. The floor is a trivial signed-in page (GET /about) on the same server; the
   page's own SQL replayed on a bare cursor is the second floor.

Prints median (median of the per-run medians), p95 (over all requests), the ratio to the floor's
median, the page's raw-SQL time and its query counts. Exit status 1 when counts differ.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from bench.client import Client
from bench.generate import (
    PASSWORD,
    ROOT,
    Scale,
    app_env,
    database_url,
    flask_cli,
    parse_scale,
    prepare,
    sqlalchemy_url,
)
from bench.queries import Endpoint, record_queries, time_raw_sql

FLOOR = Endpoint("floor: GET /about", "/about")
# Later areas append their pages and API calls here.
ENDPOINTS = [
    FLOOR,
    Endpoint("home: GET /", "/"),
    Endpoint("api: GET /api/v1/zones", "/api/v1/zones", auth="token"),
    Endpoint("targets: GET /targets/", "/targets/"),
    Endpoint("api: GET /api/v1/targets", "/api/v1/targets", auth="token"),
    Endpoint("projects: GET /projects/board", "/projects/board"),
    Endpoint("projects: GET /projects/", "/projects/"),
    Endpoint("api: GET /api/v1/projects", "/api/v1/projects", auth="token"),
    Endpoint("reports: GET /dashboard/reports/weekly", "/dashboard/reports/weekly"),
    Endpoint("api: GET /api/v1/quota", "/api/v1/quota", auth="token"),
]
WARMUP = 10
MAX_REQUESTS = 5_000
MAX_RUNS = 20


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*command, "app:create_app()"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    client = Client(url)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-2000:]}")
        try:
            if client.get("/healthz", use_cookies=False).status == 200:
                return proc, url
        except OSError:
            pass
        time.sleep(0.2)
    stop(proc)
    raise SystemExit(f"gunicorn did not answer /healthz:\n{log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def measure(client: Client, token: str, requests: int, runs: int) -> dict[str, list[list[float]]]:
    """Seconds per request: endpoint name -> one list of samples per run."""

    def once(endpoint: Endpoint) -> float:
        if endpoint.auth == "token":
            headers = {"Authorization": f"Bearer {token}"}
            response = client.get(endpoint.path, headers=headers, use_cookies=False)
        else:
            response = client.get(endpoint.path)
        if response.status != 200:
            raise SystemExit(f"{endpoint.path}: HTTP {response.status}")
        return response.seconds

    for endpoint in ENDPOINTS:
        for _ in range(WARMUP):
            once(endpoint)
    samples: dict[str, list[list[float]]] = {e.name: [] for e in ENDPOINTS}
    for _run in range(runs):
        for endpoint in ENDPOINTS:
            samples[endpoint.name].append([once(endpoint) for _ in range(requests)])
    return samples


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(
    args: argparse.Namespace,
    url: str,
    rows: dict[str, dict[str, int]],
    samples: dict[str, list[list[float]]],
    raw_sql: dict[str, float | None],
    counts: dict[str, dict[str, int]],
) -> bool:
    """Print the table; True when the query counts match across scales."""
    parsed = make_url(sqlalchemy_url(url))
    backend = parsed.get_backend_name()
    scales = list(counts)
    data = ", ".join(f"{k} {v:,}" for k, v in rows[scales[-1]].items())
    print()
    print(f"date      {datetime.now().astimezone():%Y-%m-%d %H:%M %z}")
    print(f"database  {backend} ({parsed.render_as_string()})")
    print(f"scale     {args.scale.name}: {data}")
    print(f"server    gunicorn -w {args.workers} on 127.0.0.1, Python {platform.python_version()}")
    print(f"runs      {args.runs} × {args.requests} requests per endpoint, user {args.user}")
    print()
    floor = statistics.median(statistics.median(run) for run in samples[FLOOR.name])
    head = ["endpoint", "median ms", "p95 ms", "× floor", "raw SQL ms"]
    head += [f"queries@{name}" for name in scales]
    table = [head]
    for endpoint in ENDPOINTS:
        runs = samples[endpoint.name]
        median = statistics.median(statistics.median(run) for run in runs)
        every = [value for run in runs for value in run]
        sql = raw_sql[endpoint.name]
        line = [
            endpoint.name,
            f"{median * 1000:.2f}",
            f"{p95(every) * 1000:.2f}",
            f"{median / floor:.2f}",
            "-" if sql is None else f"{sql * 1000:.3f}",
        ]
        line += [str(counts[name][endpoint.name]) for name in scales]
        table.append(line)
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for index, row in enumerate(table):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))
        if index == 0:
            print("  ".join("-" * w for w in widths))
    same = all(len({counts[s][e.name] for s in scales}) == 1 for e in ENDPOINTS)
    print()
    print("query counts match across scales" if same else "QUERY COUNTS DIFFER ACROSS SCALES")
    return same


def default_count_scale(scale: Scale) -> Scale:
    """The second scale for the query counts: city, or 3 × city when benchmarking city."""
    if scale.count("users") > parse_scale("city").count("users"):
        return parse_scale("city")
    return parse_scale("3")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=parse_scale, default=parse_scale("city"))
    parser.add_argument("--count-scale", type=parse_scale, default=None)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--user", default="gxq-staff1")
    parser.add_argument(
        "--database-url",
        default=None,
        help="e.g. postgresql://postgres@127.0.0.1/bench (default: a temporary SQLite file); "
        "the database name must contain 'bench' — it is wiped",
    )
    args = parser.parse_args(argv)
    args.requests = max(1, min(args.requests, MAX_REQUESTS))
    args.runs = max(1, min(args.runs, MAX_RUNS))
    with tempfile.TemporaryDirectory(prefix="crm-bench-") as tmp:
        work = Path(tmp)
        os.environ["INSTANCE_PATH"] = str(work / "instance")  # before the app is imported
        url = args.database_url or f"sqlite:///{work / 'bench.sqlite'}"
        secret = secrets.token_hex(32)
        counts: dict[str, dict[str, int]] = {}
        rows: dict[str, dict[str, int]] = {}
        app: Any = None
        for scale in (args.count_scale or default_count_scale(args.scale), args.scale):
            if app is not None:
                dispose(app)
            print(f"building {scale.name} …", flush=True)
            app, rows[scale.name] = prepare(url, scale, work / "instance", secret)
            recorded = record_queries(app, ENDPOINTS, args.user, PASSWORD)
            counts[scale.name] = {name: r.count for name, r in recorded.items()}
        url = database_url(app)  # the --scale database (its own one with BENCH_REUSE=1)
        env = app_env(url, work / "instance", secret)
        repeats = args.requests * args.runs
        raw_sql = {name: time_raw_sql(app, r, repeats) for name, r in recorded.items()}
        token = flask_cli(env, "users", "token", args.user, "--name", "bench-http")
        dispose(app)
        print(f"timing {len(ENDPOINTS)} endpoints × {repeats} requests …", flush=True)
        proc, base = start_gunicorn(env, args.workers, work / "gunicorn.log")
        try:
            client = Client(base)
            client.login(args.user, PASSWORD)
            samples = measure(client, token, args.requests, args.runs)
        finally:
            stop(proc)
        return 0 if report(args, url, rows, samples, raw_sql, counts) else 1


def dispose(app: Any) -> None:
    from crm.extensions import db

    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
