"""The registry of areas: what each area contributes; ``app.py`` assembles them in this order.

Each :class:`Area` names its web and API blueprints, CLI groups, seed and demo steps (run in
the order of ``AREAS``, then of each tuple), the modules that register its access scope rules
and hooks when imported, its importers (one per import kind), its digest sections and
dashboard panels, and the home page. Nothing below this module imports it: an area reaches
the others only downwards (see ``.importlinter``). A new area is one more entry in ``AREAS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import click
from flask import Blueprint, Flask

import crm.auth.services
import crm.chains.link_views
import crm.chains.links
import crm.chains.milestones
import crm.chains.services
import crm.channels.events
import crm.channels.services
import crm.channels.tasks
import crm.enterprises.services
import crm.imports.services
import crm.instructions.hooks
import crm.instructions.services
import crm.land.building_views
import crm.land.goals
import crm.land.import_kind
import crm.land.map_views
import crm.land.matching
import crm.land.section
import crm.land.services
import crm.progress.import_kind
import crm.progress.services
import crm.progress.views
import crm.projects.ledger_kind
import crm.projects.services
import crm.projects.transitions
import crm.quotas.indicators
import crm.quotas.services
import crm.reporting.reminder
import crm.reporting.services
import crm.targets.bulk
import crm.targets.import_views
import crm.targets.queries
import crm.targets.services
import crm.zones.services
from crm.admin.views import bp as admin_bp
from crm.api.chains import bp as api_chains_bp
from crm.api.instructions import bp as api_instructions_bp
from crm.api.parcels import bp as api_parcels_bp
from crm.api.projects import bp as api_projects_bp
from crm.api.quota import bp as api_quota_bp
from crm.api.targets import bp as api_targets_bp
from crm.api.views import bp as api_bp
from crm.auth.cli import users
from crm.auth.demo import load_demo_users
from crm.auth.views import bp as auth_bp
from crm.backup.cli import backup, restore
from crm.chains.cli import chains
from crm.chains.demo import load_demo_chains
from crm.chains.seed import seed_chains
from crm.chains.services import chain_coverages
from crm.chains.views import bp as chains_bp
from crm.channels.cli import channels
from crm.channels.demo import load_demo_channels
from crm.channels.views import bp as channels_bp
from crm.core.views import bp as core_bp
from crm.dashboard.quota_views import bp as quotas_bp
from crm.dashboard.services import PANELS
from crm.dashboard.views import bp as dashboard_bp
from crm.dashboard.views import render_home
from crm.enterprises.seed import seed_industry_classes
from crm.enterprises.views import bp as enterprises_bp
from crm.imports.kinds import ImportKind, register_kind
from crm.imports.views import bp as imports_bp
from crm.instructions.demo import load_demo_instructions
from crm.instructions.hooks import daily_items, dashboard_panel
from crm.instructions.queries import digest_section
from crm.instructions.views import bp as instructions_bp
from crm.land.demo import load_demo_land
from crm.land.goals import dashboard_panel as land_panel
from crm.land.import_kind import PARCEL_IMPORTS
from crm.land.views import bp as land_bp
from crm.progress.demo import load_demo_progress
from crm.progress.import_kind import PROGRESS_IMPORTS
from crm.progress.views import bp as progress_bp
from crm.projects.cli import projects
from crm.projects.demo import load_demo_projects
from crm.projects.ledger_kind import LEDGER_IMPORTS
from crm.projects.views import bp as projects_bp
from crm.quotas.cli import quota
from crm.quotas.indicator_demo import load_demo_actuals
from crm.quotas.indicator_import_kind import INDICATOR_IMPORTS
from crm.quotas.indicator_views import bp as goals_bp
from crm.quotas.indicators import seed_indicators
from crm.quotas.seed import seed_quotas
from crm.reminders.cli import reminders
from crm.reminders.composing import DAILY_SECTIONS
from crm.reminders.team_digests import SECTIONS
from crm.reminders.views import bp as reminders_bp
from crm.reporting.demo import load_demo_reports
from crm.reporting.panel import report_panel
from crm.reporting.views import bp as reporting_bp
from crm.targets.cli import targets
from crm.targets.demo import load_demo_targets
from crm.targets.importer import TARGET_IMPORTS
from crm.targets.views import bp as targets_bp
from crm.zones.seed import seed_zones
from crm.zones.views import bp as zones_bp


@dataclass(frozen=True)
class Step:
    """One seed or demo step: ``run()`` returns how many ``kind`` rows it created; a demo
    step with ``password`` is given the demo users' password."""

    kind: str
    run: Callable[..., int]
    password: bool = False


@dataclass(frozen=True)
class Area:
    """What one area contributes to the app (every field optional)."""

    name: str
    blueprints: tuple[Blueprint, ...] = ()  # web pages, CSRF-protected
    api: tuple[Blueprint, ...] = ()  # /api/v1 (bearer tokens, no CSRF)
    cli: tuple[click.Command, ...] = ()  # `flask --app app <group> …`
    seed: tuple[Step, ...] = ()  # the plan's seed data (idempotent)
    demo: tuple[Step, ...] = ()  # demo data (never in production)
    registers: tuple[ModuleType, ...] = ()  # import registers scope rules, settings, hooks
    importers: tuple[ImportKind, ...] = ()  # kinds of upload for crm.imports
    digest_sections: tuple[tuple[str, Callable[[Any, Any], Any]], ...] = ()  # (name, f(user, week))
    daily_sections: tuple[tuple[str, Callable[[Any, Any], Any]], ...] = ()  # (name, f(user, day))
    dashboard_panels: tuple[tuple[str, Callable[[], Any]], ...] = ()  # (name, f())
    home: Callable[[], Any] | None = None  # the page at "/"


AREAS: tuple[Area, ...] = (
    Area("core", blueprints=(core_bp,)),
    Area(
        "auth",
        blueprints=(auth_bp,),
        cli=(users,),
        demo=(Step("user", load_demo_users, password=True),),
        registers=(crm.auth.services,),
    ),
    Area("dashboard", blueprints=(dashboard_bp,), home=render_home),
    Area(
        "zones",
        blueprints=(zones_bp,),
        seed=(Step("zone", seed_zones),),
        registers=(crm.zones.services,),
    ),
    Area(
        "targets",
        blueprints=(targets_bp,),
        cli=(targets,),
        demo=(Step("target", load_demo_targets),),
        registers=(
            crm.targets.services,
            crm.targets.bulk,
            crm.targets.queries,
            crm.targets.import_views,
        ),
        importers=(TARGET_IMPORTS,),
    ),
    Area(
        "enterprises",
        blueprints=(enterprises_bp,),
        seed=(Step("industry class", seed_industry_classes),),
        registers=(crm.enterprises.services,),
    ),
    Area(
        "projects",
        blueprints=(projects_bp,),
        cli=(projects,),
        demo=(Step("project", load_demo_projects),),
        registers=(crm.projects.services, crm.projects.transitions, crm.projects.ledger_kind),
        importers=(LEDGER_IMPORTS,),
    ),
    Area(
        "chains",
        blueprints=(chains_bp,),
        cli=(chains,),
        seed=(Step("chain", seed_chains),),
        demo=(Step("chain link", load_demo_chains),),
        registers=(
            crm.chains.services,
            crm.chains.links,
            crm.chains.link_views,
            crm.chains.milestones,
        ),
        dashboard_panels=(("chains", chain_coverages),),
    ),
    Area(
        "land",
        blueprints=(land_bp,),
        demo=(Step("parcel", load_demo_land),),
        registers=(
            crm.land.services,
            crm.land.goals,
            crm.land.matching,
            crm.land.section,
            crm.land.building_views,
            crm.land.map_views,
            crm.land.import_kind,
        ),
        dashboard_panels=(("land", land_panel),),
        importers=(PARCEL_IMPORTS,),
    ),
    Area(
        "quotas",
        blueprints=(quotas_bp, goals_bp),
        cli=(quota,),
        seed=(Step("quota", seed_quotas), Step("goal", seed_indicators)),
        demo=(Step("indicator actual", load_demo_actuals),),
        registers=(crm.quotas.services, crm.quotas.indicators),
        importers=(INDICATOR_IMPORTS,),
    ),
    Area(
        "progress",
        blueprints=(progress_bp,),
        demo=(Step("monthly progress", load_demo_progress),),
        registers=(crm.progress.services, crm.progress.views, crm.progress.import_kind),
        importers=(PROGRESS_IMPORTS,),
    ),
    Area(
        "instructions",
        blueprints=(instructions_bp,),
        demo=(Step("instruction", load_demo_instructions),),
        registers=(crm.instructions.services, crm.instructions.hooks),
        digest_sections=(("instructions", digest_section),),
        dashboard_panels=(("instructions", dashboard_panel),),
        daily_sections=(("instructions", daily_items),),
    ),
    Area(
        "reporting",
        blueprints=(reporting_bp,),
        demo=(Step("report submission", load_demo_reports),),
        registers=(crm.reporting.services, crm.reporting.reminder),
        dashboard_panels=(("reporting", report_panel),),
    ),
    Area("imports", blueprints=(imports_bp,), registers=(crm.imports.services,)),
    Area("reminders", blueprints=(reminders_bp,), cli=(reminders,)),
    Area(
        "channels",
        blueprints=(channels_bp,),
        cli=(channels,),
        demo=(Step("channel message", load_demo_channels),),
        registers=(crm.channels.events, crm.channels.services, crm.channels.tasks),
    ),
    Area("admin", blueprints=(admin_bp,)),
    Area("backup", cli=(backup, restore)),
    Area(
        "api",
        api=(
            api_bp,
            api_targets_bp,
            api_projects_bp,
            api_quota_bp,
            api_chains_bp,
            api_instructions_bp,
            api_parcels_bp,
        ),
    ),
)


def steps(kind: str) -> list[Step]:
    """The seed (``kind="seed"``) or demo steps of every area, in order."""
    return [step for area in AREAS for step in getattr(area, kind)]


def plug_in(app: Flask) -> None:
    """Hand the areas' home page, importers, dashboard panels, digest and daily-reminder
    sections to the plug points below (called by app.py; blueprints and CLI groups are
    registered there)."""
    app.extensions["crm.home"] = home_page()
    for area in AREAS:
        for kind in area.importers:
            register_kind(kind)
        PANELS.update(area.dashboard_panels)
        SECTIONS.update(area.digest_sections)
        DAILY_SECTIONS.update(area.daily_sections)


def home_page() -> Callable[[], Any]:
    """The home page an area registered (exactly one does)."""
    (home,) = [area.home for area in AREAS if area.home is not None]
    return home
