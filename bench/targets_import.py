"""Target-list import and export at 100 000 rows: ``python -m bench.targets_import``.

Builds a fresh database with ``bench.generate.prepare`` (default: city scale, so enterprises
and targets already exist), writes a CSV of ``--rows`` new target enterprises in the import
template's columns plus registration columns (法定代表人, 注册资本 … as data providers export
them), and then, each step in a fresh child process (so its peak memory is its
own), through the same service as ``flask targets import|export``:

1. import the CSV into a zone (all new: enterprises, targets, contacts, change records);
2. import the same CSV again (everything unchanged);
3. export the zone's targets (the new ones and those it had) to .xlsx, and 4. to .csv;
5. import the exported .xlsx back into the zone (unchanged; reads the workbook).

Prints rows per second (wall clock, and per CPU second of the child), the CPU seconds of the
child's PostgreSQL backend when the server runs on this machine (``/proc/<pid>/stat``; "-"
otherwise), and the child's peak resident memory (``ru_maxrss``) next to its baseline (the app
loaded, before the step). ``--steps new`` runs step 1 only. The database name must contain
"bench".
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import make_url

from bench.generate import ROOT, app_env, make_app, parse_scale, prepare, sqlalchemy_url

ZONE = "gxq"
BRAND = "岱峦嵩岚峥嵘巍崇峻岷屹岑嵋峪崧峄岿嶂崖岫峒崛嵯峨岈崟嵬巅峙岵嶙峋岗峦巉岖嵝岣崴嶷"
WORDS = ("精密机械", "新材料", "电子科技", "氢能科技", "储能科技", "精细化工", "特钢", "环保科技")
PLACES = ("河南省 郑州市", "河南省 洛阳市", "广东省 深圳市", "江苏省 苏州市", "浙江省 杭州市")
MODES = ("企业招商", "企业招商、资本招商", "链群招商", "股权招商、资本招商")


def _code(index: int) -> str:
    from crm.enterprises.uscc import make_uscc

    return make_uscc(f"92410100MA{index:07d}")  # 92: 个体工商户 — no clash with other data


# Registration columns as data providers (企查查 …) export them, after the template's.
PROVIDER = ("法定代表人", "注册资本", "实缴资本", "成立日期", "登记状态", "参保人数", "国标行业",
            "经营范围")  # fmt: skip
CAPITALS = ("5000万人民币", "1,000万美元", "800万元人民币", "1.2亿元", "300万港元", "-")
GB = ("制造业 > 计算机、通信和其他电子设备制造业", "C35 专用设备制造业", "有色金属冶炼和压延加工业",
      "软件和信息技术服务业", "制造业")  # fmt: skip


def _registration(i: int) -> list[str]:
    return [
        f"张{BRAND[i % len(BRAND)]}",
        CAPITALS[i % len(CAPITALS)],
        "-" if i % 3 else "500万人民币",
        f"{2000 + i % 25}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "注销" if i % 50 == 0 else "存续（在营、开业、在册）",
        str(i % 900),
        GB[i % len(GB)],
        "电子元器件制造；软件开发；货物进出口。（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
    ]


def write_source(path: Path, rows: int, owners: list[str]) -> None:
    """``rows`` new enterprises in the template's columns plus a provider export's
    registration columns (unique codes and names)."""
    from crm.targets.importing import COLUMNS

    size = len(BRAND)
    follow_up = date.today() + timedelta(days=30)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.header for c in COLUMNS] + list(PROVIDER))
        for i in range(rows):
            brand = BRAND[i % size] + BRAND[(i // size) % size] + BRAND[(i // size**2) % size]
            word = WORDS[(i // size**3) % len(WORDS)]
            values = {
                "name": f"{PLACES[i % 5][:2]}{brand}{word}有限公司",
                "uscc": _code(i),
                "location": PLACES[i % 5],
                "industry": word,
                "labels": "专精特新" if i % 7 == 0 else "",
                "chain_position": f"{word}-核心部件",
                "attraction_modes": MODES[i % len(MODES)],
                "priority": "ABC"[i % 3],
                "status": "待接触",
                "owner": owners[i % len(owners)] if owners and i % 2 else "",
                "next_follow_up": follow_up.isoformat(),
                "contact_name": f"联系人{i % 1000}",
                "contact_phone": f"138{i:08d}",
                "note": "来自招商推介会名单" if i % 4 == 0 else "",
            }
            writer.writerow([values.get(c.field, "") for c in COLUMNS] + _registration(i))


# --- one step, in a child process ---------------------------------------------------------


def child(step: str, path: str, url: str, secret: str) -> None:
    """Run one step and print its figures as JSON (the parent reads the last line)."""
    app = make_app(url, secret)
    with app.app_context():
        from sqlalchemy import select

        from crm.extensions import db
        from crm.imports.services import SYSTEM_ACTOR
        from crm.targets import exporting
        from crm.targets.importer import import_file
        from crm.targets.queries import TargetFilters, target_list_stmt
        from crm.zones.models import Zone

        zone_id = db.session.scalar(select(Zone.id).where(Zone.code == ZONE))
        backend = _backend_pid(db)
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        db_cpu_started = _process_cpu(backend)
        cpu_started = time.process_time()
        started = time.perf_counter()
        if step == "import":
            result, _batch = import_file(path, zone_id, dry_run=False)
            if result.error_count:
                raise SystemExit(f"import failed: {result.errors[:3]}")
            rows, detail = result.rows, result.counts()
        else:
            filters = TargetFilters(zone=str(zone_id), sort="name")
            stmt = target_list_stmt(SYSTEM_ACTOR, filters)
            write = exporting.write_xlsx if step == "export-xlsx" else exporting.write_csv
            rows, detail = write(stmt, path), {}
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        db_cpu_ended = _process_cpu(backend)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    db_cpu = None
    if db_cpu_started is not None and db_cpu_ended is not None:
        db_cpu = db_cpu_ended - db_cpu_started
    figures = {
        "rows": rows,
        "seconds": seconds,
        "cpu": cpu,
        "db_cpu": db_cpu,
        "baseline_kb": baseline,
        "peak_kb": peak,
    }
    print(json.dumps({**figures, "detail": detail}))


def _backend_pid(db) -> int | None:
    """The PostgreSQL backend serving this session (None on SQLite)."""
    from sqlalchemy import text

    if db.session.get_bind().dialect.name != "postgresql":
        return None
    return db.session.scalar(text("SELECT pg_backend_pid()"))


def _process_cpu(pid: int | None) -> float | None:
    """User + system CPU seconds of a process on this machine, or None (another host)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_step(step: str, path: Path, env: dict[str, str], url: str, secret: str) -> dict:
    command = [sys.executable, "-m", "bench.targets_import", "--child", step, str(path)]
    command += ["--database-url", url, "--secret", secret]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{step} failed:\n{done.stdout}{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--scale", type=parse_scale, default=parse_scale("city"))
    parser.add_argument(
        "--database-url",
        default=None,
        help="e.g. postgresql://postgres@127.0.0.1/bench_imports (default: a temporary SQLite "
        "file); the database name must contain 'bench' — it is wiped",
    )
    parser.add_argument(
        "--steps", choices=("all", "new"), default="all", help="new: the first import only"
    )
    parser.add_argument("--child", nargs=2, metavar=("STEP", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--secret", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], sqlalchemy_url(args.database_url), args.secret)
        return 0
    with tempfile.TemporaryDirectory(prefix="crm-bench-import-") as tmp:
        work = Path(tmp)
        os.environ["INSTANCE_PATH"] = str(work / "instance")
        url = args.database_url or f"sqlite:///{work / 'bench.sqlite'}"
        secret = secrets.token_hex(32)
        env = app_env(url, work / "instance", secret)
        env["UPLOAD_DIR"] = str(work / "uploads")
        print(f"building {args.scale.name} …", flush=True)
        app, counts = prepare(url, args.scale, work / "instance", secret)
        owners = _owners(app)
        source = work / "targets.csv"
        write_source(source, args.rows, owners)
        steps = [
            ("import CSV (new)", "import", source),
            ("import CSV again (unchanged)", "import", source),
            ("export .xlsx", "export-xlsx", work / "export.xlsx"),
            ("export .csv", "export-csv", work / "export.csv"),
            ("import exported .xlsx (unchanged)", "import", work / "export.xlsx"),
        ][: 1 if args.steps == "new" else None]
        results = []
        for label, step, path in steps:
            print(f"{label} …", flush=True)
            load = os.getloadavg()[0]
            figures = run_step(step, path, env, sqlalchemy_url(url), secret)
            results.append((label, {**figures, "load": load}))
        report(url, args, counts, source, results)
    return 0


def _owners(app) -> list[str]:
    from sqlalchemy import select

    from crm.auth.models import User
    from crm.extensions import db
    from crm.zones.models import Zone

    with app.app_context():
        stmt = select(User.login).join(Zone, User.zone_id == Zone.id).where(Zone.code == ZONE)
        owners = list(db.session.scalars(stmt.where(User.active.is_(True))))
        db.session.remove()
        db.engine.dispose()
    return owners


def report(url: str, args, counts: dict, source: Path, results: list) -> None:
    parsed = make_url(sqlalchemy_url(url))
    data = ", ".join(f"{k} {v:,}" for k, v in counts.items())
    print()
    print(f"date      {datetime.now().astimezone():%Y-%m-%d %H:%M %z}")
    print(f"database  {parsed.get_backend_name()} ({parsed.render_as_string()})")
    print(f"before    {args.scale.name}: {data}")
    print(f"source    {args.rows:,} rows, {source.stat().st_size / 2**20:.1f} MB CSV (UTF-8)")
    print(f"python    {platform.python_version()}, load average {os.getloadavg()[0]:.1f} (end)")
    print()
    head = ["step", "rows", "seconds", "rows/s", "CPU s", "rows/CPU s", "PG CPU s"]
    head += ["rows/CPU s all", "peak MB", "baseline MB", "load"]
    lines = [head]
    for label, r in results:
        lines.append(
            [
                label,
                f"{r['rows']:,}",
                f"{r['seconds']:.1f}",
                f"{r['rows'] / r['seconds']:,.0f}",
                f"{r.get('cpu', 0):.1f}",
                f"{r['rows'] / r['cpu']:,.0f}" if r.get("cpu") else "-",
                f"{db_cpu:.1f}" if (db_cpu := r.get("db_cpu")) is not None else "-",
                f"{r['rows'] / (r['cpu'] + db_cpu):,.0f}" if db_cpu is not None else "-",
                f"{r['peak_kb'] / 1024:.0f}",
                f"{r['baseline_kb'] / 1024:.0f}",
                f"{r['load']:.1f}",
            ]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    for index, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))
        if index == 0:
            print("  ".join("-" * w for w in widths))
    print()
    for label, r in results:
        if r["detail"]:
            print(f"{label}: {r['detail']}")


if __name__ == "__main__":
    sys.exit(main())
