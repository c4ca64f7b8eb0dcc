"""What ``bench.load`` needs before the load: every user signed in, ids to ask for, a server.

Sessions are opened through the product's own ``start_login_session`` (a row per user, as the
login form does) and the cookie is signed with the app's own session serializer, so 5 000
users are signed in within seconds instead of 5 000 scrypt checks on the server.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.generate import ROOT

SAMPLE = 2_000  # target ids and search terms drawn from the data


@dataclass
class Sessions:
    zone_users: list[dict[str, Any]] = field(default_factory=list)
    city_users: list[dict[str, Any]] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"{len(self.zone_users) + len(self.city_users):,} signed-in users "
            f"({len(self.zone_users):,} zone staff and managers, {len(self.city_users):,} "
            "city-level)"
        )

    @staticmethod
    def server_line(env: dict[str, str]) -> str:
        import multiprocessing

        workers = env.get("WEB_WORKERS", str(multiprocessing.cpu_count() + 1))
        threads = env.get("WEB_THREADS", "8")
        in_flight = env.get("OVERLOAD_MAX_IN_FLIGHT", "3")
        waiting = env.get("OVERLOAD_MAX_WAITING", in_flight)
        return (
            f"gunicorn gthread, {workers} workers × {threads} threads, at most {in_flight} "
            f"requests in flight and {waiting} waiting per worker (gunicorn.conf.py)"
        )


def make_sessions(app: Any) -> Sessions:
    from sqlalchemy import func, select

    from crm.auth.models import User
    from crm.auth.services import create_api_token, start_login_session
    from crm.core.roles import CITY_ROLES, ZONE_ROLES
    from crm.enterprises.models import Enterprise
    from crm.extensions import db
    from crm.projects.models import Project
    from crm.targets.models import Target

    rng = random.Random(13)
    out = Sessions()
    with app.test_request_context():
        serializer = app.session_interface.get_signing_serializer(app)
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))
        projects: dict[int, list[int]] = {}
        for zone_id, project_id in db.session.execute(
            select(Project.zone_id, Project.id)
            .where(Project.deleted_at.is_(None), Project.code_name.is_(None))
            .order_by(func.random())
            .limit(SAMPLE * 5)
        ):
            projects.setdefault(zone_id, []).append(project_id)
        for user in list(users):
            if user.role not in ZONE_ROLES and user.role not in CITY_ROLES:
                continue
            sid = start_login_session(user, "127.0.0.1", "crm-bench-load")
            cookie = serializer.dumps({"_user_id": str(user.id), "_fresh": True, "sid": sid})
            who = {
                "login": user.login,
                "zone_id": user.zone_id,
                "cookie": f"{cookie_name}={cookie}",
                "token": create_api_token(user, "bench-load"),
                "projects": projects.get(user.zone_id, [])[:50],
            }
            (out.zone_users if user.role in ZONE_ROLES else out.city_users).append(who)
        db.session.commit()
        rows = db.session.execute(
            select(Target.id, Enterprise.name)
            .join(Target.enterprise)
            .where(Target.deleted_at.is_(None))
            .order_by(func.random())
            .limit(SAMPLE)
        ).all()
        out.targets = [target_id for target_id, _name in rows]
        for _id, name in rows:  # two and four characters from inside the name
            start = rng.randrange(0, max(1, len(name) - 4))
            out.terms.append(name[start : start + rng.choice((2, 4))])
        db.engine.dispose()
    return out


def start_server(env: dict[str, str], port: int, log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn with gunicorn.conf.py (the production defaults) on 127.0.0.1:port."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "app:create_app()",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return proc, base
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit(f"gunicorn did not answer /healthz:\n{log.read_text()[-2000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
