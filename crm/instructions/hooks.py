"""What instructions add to other areas' pages and messages, registered from crm/areas.py:
a section on the project and target pages, a dashboard panel (overdue ones in red) and the
daily reminder's items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import render_template
from flask_login import current_user

from crm.core.page_sections import register_section
from crm.core.timeutil import local_today
from crm.instructions import queries
from crm.instructions.queries import InstructionItem


def _section(subject: str, record: Any) -> str:
    return render_template(
        "instructions/_section.html",
        subject=subject,
        record=record,
        instructions=queries.about(current_user, subject, record.id),
        today=local_today(),
    )


def project_section(project: Any) -> str:
    return _section("project", project)


def target_section(target: Any) -> str:
    return _section("target", target)


register_section("project", project_section)
register_section("target", target_section)


@dataclass
class Panel:
    """The dashboards' 督办 panel: open instructions, overdue first, for the whole city or
    the zone of the dashboard (read when the template asks, in two queries)."""

    today: date

    def rows(self, zone_id: int | None = None) -> dict[str, Any]:
        return queries.open_items(current_user, self.today, zone_id, limit=queries.PANEL_LIMIT)


def dashboard_panel() -> Panel:
    return Panel(local_today())


dashboard_panel.template = "instructions/_panel.html"  # type: ignore[attr-defined]


def daily_items(user: Any, day: date) -> list[InstructionItem]:
    """Open instructions waiting on the recipient, for the daily reminder."""
    return queries.assigned_to(user, day)


daily_items.recipients = queries.waiting_users  # type: ignore[attr-defined]
