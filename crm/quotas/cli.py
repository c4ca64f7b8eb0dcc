"""`flask quota report --year YEAR [--zone CODE] --json`."""

from __future__ import annotations

import json

import click
from sqlalchemy import select

from crm.core.timeutil import local_today
from crm.extensions import db
from crm.quotas.services import QuotaError, check_year, report
from crm.zones.models import Zone


@click.group()
def quota() -> None:
    """Yearly quotas and their attainment."""


@quota.command("report")
@click.option("--year", type=int, default=None, help="Calendar year (default: this year).")
@click.option("--zone", "zone_code", default=None, help="One zone's code (default: all zones).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def report_command(year: int | None, zone_code: str | None, as_json: bool) -> None:
    """Print each zone's attainment per tier with the projects behind each number."""
    try:
        year = check_year(year or local_today().year)
    except QuotaError as exc:
        raise click.ClickException(str(exc)) from exc
    stmt = select(Zone).where(Zone.active.is_(True)).order_by(Zone.sort_order, Zone.id)
    if zone_code:
        stmt = stmt.where(Zone.code == zone_code)
    zones = list(db.session.scalars(stmt))
    if zone_code and not zones:
        raise click.ClickException(f"unknown zone code: {zone_code}")
    data = report(zones, year)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"{year} 年度目标完成情况")
    for zone in data["zones"]:
        click.echo(f"\n{zone['name']}（{zone['zone']}）")
        if not zone["tiers"]:
            click.echo("  未设定年度目标")
        for tier in zone["tiers"]:
            click.echo(
                f"  {tier['label']}: 目标 {tier['required']} 完成 {tier['achieved']} "
                f"缺口 {tier['gap']} 超额 {tier['surplus']}"
            )
        if zone["withdrawn"]:
            click.echo(f"  已退出统计的项目: {zone['withdrawn']}")
