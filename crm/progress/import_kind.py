"""The monthly progress sheet as a kind of upload: importer, preview columns, revert, and the
template download on the imports pages."""

from __future__ import annotations

from io import BytesIO
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from openpyxl import load_workbook
from sqlalchemy import delete, select

from crm.core.access import allow
from crm.core.period_lock import PeriodLock
from crm.core.timeutil import local_today
from crm.extensions import db
from crm.imports.guided import import_zones, write_guided_template
from crm.imports.kinds import ImportKind
from crm.imports.models import ImportBatch, ImportChange
from crm.imports.revert import RevertError, restore_updates
from crm.imports.views import IMPORTERS, bp, xlsx_response
from crm.progress.importing import ALIASES, ProgressImporter
from crm.progress.models import MonthlyProgress
from crm.progress.recording import sync_in_place
from crm.progress.services import reportable
from crm.projects.models import Project


def revert_progress(batch: ImportBatch, now: Any) -> dict[str, int]:
    """The months (and revisions) a batch added are removed, months it changed get their old
    figures back (unless changed again since), and each project's 累计实际到位 follows its
    newest remaining month again."""
    changes = select(ImportChange.entity_id).where(
        ImportChange.batch_id == batch.id, ImportChange.entity == "monthly_progress"
    )
    locked_since = db.session.scalar(
        select(PeriodLock.period)
        .join(Project, Project.zone_id == PeriodLock.zone_id)
        .join(MonthlyProgress, MonthlyProgress.project_id == Project.id)
        .where(
            MonthlyProgress.id.in_(changes),
            MonthlyProgress.period == PeriodLock.period,
            PeriodLock.locked_at > (batch.committed_at or batch.created_at),
        )
        .limit(1)
    )
    if locked_since is not None:
        reason = _l(
            "这批月度进展中的 %(period)s 已在导入后锁定（报告已被接收），不能整批回退；"
            "请在项目页以新版本更正",
            period=locked_since,
        )
        raise RevertError(reason)
    project_ids = set(
        db.session.scalars(
            select(MonthlyProgress.project_id).where(MonthlyProgress.id.in_(changes))
        )
    )
    created = select(ImportChange.entity_id).where(
        ImportChange.batch_id == batch.id,
        ImportChange.entity == "monthly_progress",
        ImportChange.action == "created",
    )
    removed = db.session.execute(
        delete(MonthlyProgress).where(MonthlyProgress.id.in_(created))
    ).rowcount
    restored, kept = restore_updates(
        batch.id, now, {"monthly_progress": MonthlyProgress, "project": Project}
    )
    db.session.expire_all()
    for project in db.session.scalars(select(Project).where(Project.id.in_(project_ids))):
        sync_in_place(project, None, note=f"import {batch.id}")
    return {"months_removed": removed, "fields_restored": restored, "fields_kept": kept}


PROGRESS_IMPORTS = ImportKind(
    name="progress",
    label="月度进展",
    importer=ProgressImporter,
    aliases=ALIASES,
    columns=[(f, names[0]) for f, names in ALIASES.items()],
    revert=revert_progress,
    zone_hint="月度进展请选择开发区（每个开发区一张表）",
    tables=("monthly_progress",),
)

HEADERS = (
    ("项目编号", 10),
    ("项目名称", 28),
    ("月份", 10),
    ("本月完成投资（万元）", 16),
    ("累计完成投资（万元）", 16),
    ("本月到位资金（万元）", 16),
    ("累计到位资金（万元）", 16),
    ("形象进度", 30),
    ("存在问题", 24),
    ("需协调事项", 24),
)
NOTES = (
    "每行一个项目一个月份；项目用“项目编号”（系统中的编号）或“项目名称”（本开发区内）对应，只有签约及以后阶段的项目填报。",
    "月份可写 2026-11、2026年11月 或 202611；不能填报尚未到来的月份。",
    "金额单位写在表头的括号里：亿元、万元或元；未写单位按万元。金额不能为负数。",
    "累计＝上月累计＋本月；累计或本月留空时按另一项推算。首次填报的月份，累计可大于本月（含此前各月）。",
    "到位资金含用于流动资金的部分，不要求小于完成投资。",
    "市里已接收报告（已锁定）的月份，导入的更正保存为该月的新版本，原数据保留。",
    "任何一行有错误时不会写入任何数据；错误报告列出行号、列名和原因。",
)


def write_progress_template(target: IO[bytes], period: str, projects: list[Project]) -> None:
    """The sheet with one row per project to report (the example row when there is none)."""
    example = [None, "高纯金属材料项目", period, 1200, 5600, 800, 3000, "主体厂房封顶", "", ""]
    buffer = BytesIO()
    write_guided_template(buffer, "月度进展", HEADERS, example, {}, NOTES)
    if projects:
        book = load_workbook(BytesIO(buffer.getvalue()))
        sheet = book.worksheets[0]
        sheet.delete_rows(2)
        for project in projects:
            sheet.append([project.id, project.name, period])
        book.save(target)
    else:
        target.write(buffer.getvalue())


@bp.get("/imports/progress-template.xlsx")
@allow(*IMPORTERS)
def progress_template():
    """The monthly progress template, listing the signed projects of the user's zones."""
    today = local_today()
    zone_ids = [zone.id for zone in import_zones(current_user)]
    stmt = (
        select(Project)
        .where(Project.zone_id.in_(zone_ids), Project.deleted_at.is_(None))
        .order_by(Project.zone_id, Project.name, Project.id)
    )
    projects = [p for p in db.session.scalars(stmt).unique() if reportable(p)]
    return xlsx_response(
        lambda handle: write_progress_template(handle, f"{today:%Y-%m}", projects),
        "月度进展导入模板.xlsx",
        "monthly-progress-template.xlsx",
    )
