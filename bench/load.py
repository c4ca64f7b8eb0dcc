"""Capacity under an open-loop mixed load: ``python -m bench.load --database-url URL``.

gunicorn serves a database of the scale with the production defaults (``gunicorn.conf.py``:
gthread workers, load shedding), and locust (headless, as a library) offers a mixed load at
increasing rates: target list 30 %, target or project detail 25 %, search 15 %, board 10 %,
zone dashboard 10 %, city dashboard 5 %, API 5 %, each request as one of the scale's users
(every user signed in, each with a session and an API token). Every locust user sends one
request per second on average whatever the answers, at exponentially distributed intervals
from a random start (``poisson_arrivals``): together they offer a Poisson stream at the rate
of the number of locust users, as independent people do. (Fixed one-second intervals from a
common start send every user's request in the same few milliseconds: a burst a second, whose
queue measures the burst, not the server.) Each request carries ``X-Request-Start`` (the
time it was sent), as a reverse proxy would stamp it.

Per rate: offered and achieved (answered 200 per second), p50 / p95 / p99 of the answered,
errors (anything but 200 and 503), shed (503) and the load generator's CPU. The same steps
with the floor page alone (GET /about) give the floor's capacity; the highest rate with p95
≤ 300 ms and neither errors nor shedding is the capacity. Then one overload step (twice the
capacity found, at least ``--overload``) and a recovery step at the lowest rate show what
happens beyond it. Data: built once per scale with ``BENCH_REUSE=1`` (see bench.generate).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from locust import FastHttpUser, task  # monkey-patches first
from locust.env import Environment

from bench.dashboard import add_quotas
from bench.generate import ROOT, app_env, database_url, parse_scale, prepare
from bench.load_setup import Sessions, make_sessions, start_server, stop_server

AIM_P95 = 0.300


def _cpu_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine, from /proc/stat."""
    fields = [float(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class PoissonUser(FastHttpUser):
    """Sends at the moments of a Poisson process of one request per second on average:
    the schedule does not wait for answers (open loop) unless an answer takes longer than
    the gap to the next moment; then the next request goes at once and the schedule
    catches up."""

    abstract = True

    def on_start(self) -> None:
        import gevent

        gevent.sleep(random.random())  # spread the users' starts over a second
        self.next_at = time.monotonic()

    def wait_time(self) -> float:
        self.next_at += random.expovariate(1.0)
        return max(0.0, self.next_at - time.monotonic())


def user_class(base: str, sessions: Sessions, floor_only: bool) -> type[FastHttpUser]:
    """A locust user that picks a random signed-in user for every request."""

    def send(self, path: str, who: dict[str, Any], name: str, api: bool = False) -> None:
        headers = {"X-Request-Start": f"t={time.time():.6f}", "User-Agent": "crm-bench-load"}
        if api:
            headers["Authorization"] = f"Bearer {who['token']}"
        else:
            headers["Cookie"] = who["cookie"]
        with self.client.get(path, headers=headers, name=name, catch_response=True) as response:
            if response.status_code == 200:
                response.success()
            else:
                response.failure(str(response.status_code))

    class Floor(PoissonUser):
        host = base

        @task
        def floor(self):
            send(self, "/about", random.choice(sessions.zone_users), "floor")

    class Mixed(PoissonUser):
        host = base

        @task(30)
        def target_list(self):
            send(self, "/targets/", random.choice(sessions.zone_users), "target list")

        @task(25)
        def detail(self):
            who = random.choice(sessions.zone_users)
            if random.random() < 0.5 or not who["projects"]:
                send(self, f"/targets/{random.choice(sessions.targets)}", who, "target detail")
            else:
                send(self, f"/projects/{random.choice(who['projects'])}", who, "project detail")

        @task(15)
        def search(self):
            path = f"/targets/?q={random.choice(sessions.terms)}"
            send(self, path, random.choice(sessions.zone_users), "search")

        @task(10)
        def board(self):
            send(self, "/projects/board", random.choice(sessions.zone_users), "board")

        @task(10)
        def zone_dashboard(self):
            who = random.choice(sessions.zone_users)
            send(self, f"/dashboard/zones/{who['zone_id']}", who, "zone dashboard")

        @task(5)
        def city_dashboard(self):
            send(self, "/dashboard/city", random.choice(sessions.city_users), "city dashboard")

        @task(5)
        def api(self):
            who = random.choice(sessions.zone_users)
            send(self, "/api/v1/projects", who, "api", api=True)

    return Floor if floor_only else Mixed


def step(cls: type[FastHttpUser], rate: int, seconds: float, warmup: float) -> dict[str, Any]:
    """Offer ``rate`` requests/s for warmup + seconds; figures over the last ``seconds``."""
    import gevent

    env = Environment(user_classes=[cls])
    samples: list[tuple[float, int]] = []
    recording = [False]

    def on_request(response_time, response=None, exception=None, **_kw):
        if recording[0]:
            status = getattr(response, "status_code", 0) or 0
            samples.append((response_time / 1000, status))

    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    runner.start(rate, spawn_rate=max(rate, 1) * 4)
    gevent.sleep(warmup)
    recording[0] = True
    cpu0, (busy0, _t0), wall0 = _own_cpu(), _cpu_busy(), time.monotonic()
    gevent.sleep(seconds)
    cpu1, (busy1, _t1), wall1 = _own_cpu(), _cpu_busy(), time.monotonic()
    recording[0] = False
    runner.quit()
    wall = wall1 - wall0
    served = [t for t, status in samples if status == 200]
    shed = sum(1 for _t, status in samples if status == 503)
    errors = len(samples) - len(served) - shed
    gen = cpu1 - cpu0
    return {
        "offered": rate,
        "achieved": len(served) / wall,
        "p50": percentile(served, 0.50),
        "p95": percentile(served, 0.95),
        "p99": percentile(served, 0.99),
        "errors": errors,
        "shed": shed,
        "requests": len(samples),
        "gen_core": gen / wall,
        "gen_share": gen / (busy1 - busy0) if busy1 > busy0 else float("nan"),
    }


def ok(row: dict[str, Any]) -> bool:
    return row["errors"] == 0 and row["shed"] == 0 and row["p95"] <= AIM_P95


def print_rows(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n{title}")
    head = (
        f"{'offered/s':>9}  {'achieved/s':>10}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}  "
        f"{'errors':>6}  {'shed 503':>8}  {'gen CPU':>7}  {'gen share':>9}  ok"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r['offered']:>9}  {r['achieved']:>10.1f}  {r['p50'] * 1000:>7.1f}  "
            f"{r['p95'] * 1000:>7.1f}  {r['p99'] * 1000:>7.1f}  {r['errors']:>6}  {r['shed']:>8}  "
            f"{r['gen_core'] * 100:>6.0f}%  {r['gen_share'] * 100:>8.0f}%  "
            f"{'yes' if ok(r) else 'no'}"
        )


def curve(cls, rates: list[int], seconds: float, warmup: float) -> list[dict[str, Any]]:
    rows = []
    for rate in rates:
        row = step(cls, rate, seconds, warmup)
        rows.append(row)
        print(f"  {rate}/s: {row['achieved']:.0f}/s, p95 {row['p95'] * 1000:.0f} ms", flush=True)
        if row["errors"] + row["shed"] > row["requests"] / 2:
            break  # far beyond capacity: the overload step shows the rest
    return rows


def capacity(rows: list[dict[str, Any]]) -> int:
    return max((r["offered"] for r in rows if ok(r)), default=0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=parse_scale, default=parse_scale("city"))
    parser.add_argument("--database-url", required=True, help="PostgreSQL; the name has 'bench'")
    parser.add_argument("--rates", default="50,100,200,300,400,500")
    parser.add_argument("--floor-rates", default="100,200,400,600,800")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=4)
    parser.add_argument("--overload", type=int, default=600)
    parser.add_argument("--port", type=int, default=5170)
    parser.add_argument("--workers", type=int, default=0, help="default: gunicorn.conf.py")
    parser.add_argument("--threads", type=int, default=0, help="default: gunicorn.conf.py")
    parser.add_argument("--in-flight", type=int, default=0, help="default: gunicorn.conf.py")
    args = parser.parse_args(argv)
    rates = [int(r) for r in args.rates.split(",")]
    floor_rates = [int(r) for r in args.floor_rates.split(",")]
    with tempfile.TemporaryDirectory(prefix="crm-bench-load-") as tmp:
        work = Path(tmp)
        os.environ["INSTANCE_PATH"] = str(work / "instance")
        secret = secrets.token_hex(32)
        print(f"building or reusing {args.scale.name} …", flush=True)
        app, rows = prepare(args.database_url, args.scale, work / "instance", secret)
        rows["quotas"] = add_quotas(app)
        sessions = make_sessions(app)
        url = database_url(app)
        env = app_env(url, work / "instance", secret)
        for name, value in (
            ("WEB_WORKERS", args.workers),
            ("WEB_THREADS", args.threads),
            ("OVERLOAD_MAX_IN_FLIGHT", args.in_flight),
        ):
            if value:
                env[name] = str(value)
        server, base = start_server(env, args.port, work / "gunicorn.log")
        try:
            print("floor (GET /about) …", flush=True)
            floor = curve(user_class(base, sessions, True), floor_rates, args.seconds, args.warmup)
            print("mixed …", flush=True)
            mixed_cls = user_class(base, sessions, False)
            mixed = curve(mixed_cls, rates, args.seconds, args.warmup)
            top = capacity(mixed)
            beyond = [
                step(mixed_cls, max(args.overload, 2 * top), args.seconds, args.warmup),
                step(mixed_cls, rates[0], args.seconds, args.warmup),
            ]
        finally:
            stop_server(server)
    floor_top = capacity(floor)
    print()
    print(f"date      {time.strftime('%Y-%m-%d %H:%M %z')}")
    print(f"scale     {args.scale.name}: " + ", ".join(f"{k} {v:,}" for k, v in rows.items()))
    print(f"server    {sessions.server_line(env)}; load average {os.getloadavg()[0]:.1f}")
    print(
        f"users     {sessions.describe()}; {args.warmup:g} s warm-up + {args.seconds:g} s per step"
    )
    print_rows("floor page alone (GET /about)", floor)
    print_rows("mixed load", mixed)
    print_rows("beyond capacity, then recovery", beyond)
    share = f"{100 * top / floor_top:.0f} %" if floor_top else "n/a"
    print(f"\nhighest rate with p95 ≤ 300 ms and no errors: mixed {top}/s, floor {floor_top}/s")
    print(f"mixed capacity as a share of the floor page's capacity: {share}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
