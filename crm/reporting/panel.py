"""The dashboards' 月报报送 section (registered as a dashboard panel in crm/areas.py): last
month's status of each zone the signed-in user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_login import current_user

from crm.core.roles import CITY_ROLES
from crm.reporting.services import (
    STATUS_CSS,
    STATUS_LABELS,
    ZoneStatus,
    month_statuses,
    period_label,
    previous_period,
)
from crm.zones.services import visible_zones


@dataclass
class ReportPanel:
    period: str
    label: str
    due: date
    rows: list[ZoneStatus]

    @property
    def counts(self) -> dict[str, int]:
        return {code: sum(1 for r in self.rows if r.status == code) for code in STATUS_LABELS}

    @property
    def labels(self) -> dict[str, str]:
        return {code: str(label) for code, label in STATUS_LABELS.items()}

    @property
    def css(self) -> dict[str, str]:
        return STATUS_CSS


def report_panel() -> ReportPanel | None:
    """Last month's report status per zone (None for a user without a zone)."""
    zones = [z for z in visible_zones() if z.active]
    if current_user.role not in CITY_ROLES:
        zones = [z for z in zones if z.id == current_user.zone_id]
    if not zones:
        return None
    period = previous_period()
    rows = month_statuses(zones, period)
    return ReportPanel(period, period_label(period), rows[0].due, rows)


# The dashboards place it themselves (below the city league table, at the top of the zone's):
# ``panel('reporting')`` in their templates.
report_panel.placed = True  # type: ignore[attr-defined]
