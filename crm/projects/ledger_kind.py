"""The project ledger (台账) as a kind of upload: its importer, preview columns, revert, and the
template download on the imports pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select, update

from crm.core.access import allow
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.imports.guided import import_zones, owner_names
from crm.imports.kinds import BY_COLUMN, ImportKind
from crm.imports.models import ImportBatch, ImportChange
from crm.imports.revert import RevertError, restore_updates
from crm.imports.views import IMPORTERS, bp, xlsx_response
from crm.projects.importing import LedgerImporter
from crm.projects.ledger import ALIASES
from crm.projects.ledger_template import write_ledger_template
from crm.projects.models import Project, StageEvent


def revert_ledger(batch: ImportBatch, now: Any) -> dict[str, int]:
    """The projects a ledger batch created are soft-deleted with their imported history; fields
    it changed on existing projects get their old values back. Stage events are never
    rewritten, so a batch that added stage events to projects that existed before it cannot be
    reverted as a whole: those projects are handled one by one on their pages."""
    added_events = select(ImportChange.entity_id).where(
        ImportChange.batch_id == batch.id, ImportChange.entity == "stage_event"
    )
    touched = db.session.scalar(
        select(StageEvent.id)
        .join(Project, Project.id == StageEvent.project_id)
        .where(
            StageEvent.id.in_(added_events),
            or_(Project.import_batch_id.is_(None), Project.import_batch_id != batch.id),
        )
        .limit(1)
    )
    if touched is not None:
        raise RevertError(
            "这批台账为已有项目补录了阶段记录（阶段记录不可改写），不能整批回退，请在项目页逐个处理"
        )
    removed = db.session.execute(
        update(Project)
        .where(Project.import_batch_id == batch.id, Project.deleted_at.is_(None))
        .values(deleted_at=now, updated_at=now, version=Project.version + 1)
    ).rowcount
    restored, kept = restore_updates(batch.id, now, {"project": Project})
    return {"projects_removed": removed, "fields_restored": restored, "fields_kept": kept}


LEDGER_IMPORTS = ImportKind(
    name="projects",
    label="项目台账",
    importer=LedgerImporter,
    aliases=ALIASES,
    columns=[(f, names[0]) for f, names in ALIASES.items()],
    revert=revert_ledger,
    no_zone=BY_COLUMN,
    no_zone_label=_l("按文件中的“所属开发区”列（项目台账）"),
    zone_hint="项目台账请选择开发区，或按文件中的“所属开发区”列导入",
    tables=("enterprise", "target", "contact"),  # as for a target list
)


@bp.get("/imports/ledger-template.xlsx")
@allow(*IMPORTERS)
def ledger_template():
    """The project ledger (台账) template: the headers the import reads, an example row and
    drop-down lists (the user's zones and people)."""
    zones = [zone.short_name for zone in import_zones(current_user)]
    owners = owner_names(current_user)
    return xlsx_response(
        lambda handle: write_ledger_template(handle, local_today(), zones, owners),
        "项目台账导入模板.xlsx",
        "project-ledger-template.xlsx",
    )
