"""Dependencies run one way: the import-linter contracts in .importlinter hold, and break on a
back-arrow with the contract's own message."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from crm.areas import AREAS

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    command = str(LINT_IMPORTS) if LINT_IMPORTS.exists() else shutil.which("lint-imports")
    assert command, "lint-imports is not installed (pip install -r requirements.txt)"
    return subprocess.run(
        [command, "--no-cache", "--config", str(ROOT / ".importlinter")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_import_contracts_are_kept():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken." in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract", "guidance"),
    [
        (
            "core/views.py",
            "from crm.dashboard.views import render_home",
            "crm.core imports no area BROKEN",
            "crm.core is the ground floor",
        ),
        (
            "imports/services.py",
            "from crm.targets.models import Target",
            "crm.imports imports no area BROKEN",
            "The import pipeline knows no kind of upload by name",
        ),
        (
            "targets/views.py",
            "from crm.chains.links import chain_choices",
            "No circles between the packages of crm BROKEN",
            "Two packages import each other",
        ),
    ],
)
def test_a_back_arrow_breaks_a_contract_with_its_message(
    tmp_path, module, line, contract, guidance
):
    copy = tmp_path / "crm"
    shutil.copytree(ROOT / "crm", copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    with open(copy / module, "a", encoding="utf-8") as handle:
        handle.write(f"\n{line}  # a back-arrow\n")
    result = _lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert contract in result.stdout, result.stdout
    assert guidance in " ".join(result.stdout.split()), result.stdout


def test_every_area_is_registered_once():
    names = [area.name for area in AREAS]
    assert len(names) == len(set(names))
    assert sum(area.home is not None for area in AREAS) == 1
    blueprints = [bp.name for area in AREAS for bp in (*area.blueprints, *area.api)]
    assert len(blueprints) == len(set(blueprints))


def test_a_registered_digest_section_reaches_the_city_digest(app, monkeypatch):
    from datetime import date

    from crm.reminders import team_digests
    from crm.reminders.composing import Week
    from tests.factories import make_user

    seen = []

    def progress(user, week):
        seen.append((user.login, week.monday))
        return ["本月进展"]

    monkeypatch.setitem(team_digests.SECTIONS, "monthly_progress", progress)
    user = make_user(role="coordinator")
    week = Week.of(date(2026, 10, 12))
    digest = team_digests.weekly_city_digest(user, week)
    assert digest["monthly_progress"] == ["本月进展"]
    assert seen == [(user.login, date(2026, 10, 12))]


def test_the_dashboard_takes_the_chain_panel_from_the_registry(app, monkeypatch):
    from crm.dashboard import services

    with app.test_request_context():
        monkeypatch.setitem(services.PANELS, "chains", lambda: ["覆盖情况"])
        assert services.chain_rows() == ["覆盖情况"]
        monkeypatch.delitem(services.PANELS, "chains")
        assert services.chain_rows() == []  # registered blueprint, no panel: an empty section
