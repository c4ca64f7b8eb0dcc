"""What the group robots say: a zone's due list (counts and owner names only), a big 签约 or
终止, a new cross-zone conflict, the weekly quota gap. Composed in Chinese when the row is
created and kept in the outbox row, so a retry sends the same text."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import case, func, select

from crm.auth.models import User
from crm.core.money import format_wan
from crm.extensions import db
from crm.projects.models import Project
from crm.projects.stages import stage_label
from crm.quotas.services import zones_attainment
from crm.reminders.items import absolute, path_for
from crm.reminders.periods import overdue_floor
from crm.targets.models import OPEN_STATUSES, Target
from crm.zones.models import Zone

PREFIX = "【招商引资】"


def _zones() -> dict[int, Zone]:
    rows = db.session.scalars(select(Zone).where(Zone.active.is_(True)).order_by(Zone.sort_order))
    return {zone.id: zone for zone in rows}


def due_by_owner(day: date) -> dict[int, dict[int, list[int]]]:
    """{zone id: {owner id: [due, overdue]}} of open targets and projects due by ``day``."""
    floor = overdue_floor(day)
    found: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for model, open_filter in (
        (Target, Target.status.in_(OPEN_STATUSES)),
        (Project, Project.stage != "terminated"),
    ):
        late = func.sum(case((model.next_follow_up < day, 1), else_=0))
        stmt = (
            select(model.zone_id, model.owner_id, func.count(), late)
            .where(model.deleted_at.is_(None), open_filter)
            .where(model.next_follow_up.between(floor, day), model.owner_id.is_not(None))
            .group_by(model.zone_id, model.owner_id)
        )
        for zone_id, owner_id, count, overdue in db.session.execute(stmt):
            found[zone_id][owner_id][0] += count
            found[zone_id][owner_id][1] += int(overdue or 0)
    return found


def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(User.id, User.display_name).where(User.id.in_(ids))
    return dict(db.session.execute(stmt).all())


def zone_due_text(day: date, zone_id: int | None) -> tuple[str, str] | None:
    """(title, markdown) of the due list for a zone's group or (zone_id None) the city's."""
    found = due_by_owner(day)
    zones = _zones()
    wanted = [zone_id] if zone_id is not None else list(zones)
    owners = {o for z in wanted for o in found.get(z, {})}
    names = _names(owners)
    total = sum(c[0] for z in wanted for c in found.get(z, {}).values())
    late = sum(c[1] for z in wanted for c in found.get(z, {}).values())
    if not total:
        return None
    with force_locale("zh_CN"):
        place = zones[zone_id].short_name if zone_id in zones else _("全市")
        title = PREFIX + _("%(place)s今日待跟进 %(n)s 项", place=place, n=total)
        lines = [f"**{title}**", _("其中逾期 %(n)s 项", n=late), ""]
        for z in wanted:
            rows = sorted(found.get(z, {}).items(), key=lambda kv: (-kv[1][1], -kv[1][0]))
            people = [
                _("%(name)s %(n)s 项（逾期 %(late)s）", name=names.get(o, "?"), n=c[0], late=c[1])
                for o, c in rows
            ]
            if zone_id is not None:
                lines.extend(f"- {p}" for p in people)
            elif people:
                count = sum(c[0] for c in found[z].values())
                lines.append(f"- **{zones[z].short_name}** {count}：" + "、".join(people))
        lines += ["", f"[{_('打开平台')}]({absolute('/')})"]
    return title, "\n".join(lines)


def gap_text(year: int, week_label: str, zone_id: int | None) -> tuple[str, str] | None:
    zones = _zones()
    wanted = [zones[zone_id]] if zone_id in zones else list(zones.values())
    if not wanted:
        return None
    results = zones_attainment(wanted, year)
    with force_locale("zh_CN"):
        place = wanted[0].short_name if zone_id is not None else _("全市")
        title = PREFIX + _("%(place)s指标缺口周报（%(week)s）", place=place, week=week_label)
        lines = [f"**{title}**", ""]
        for zone in wanted:
            tiers = results[zone.id].tiers
            parts = [
                _(
                    "%(label)s 完成 %(done)s/%(need)s，缺 %(gap)s 个",
                    label=t.label,
                    done=t.achieved,
                    need=t.required,
                    gap=t.gap,
                )
                for t in tiers
            ]
            head = f"- **{zone.short_name}** " if zone_id is None else "- "
            lines.append(head + ("；".join(parts) if parts else _("未下达指标")))
        lines += ["", f"[{_('打开平台')}]({absolute('/')})"]
    return title, "\n".join(lines)


def big_deal_text(project: Any, to_stage: str, amount_wan: int, zone_name: str) -> tuple[str, str]:
    with force_locale("zh_CN"):
        title = PREFIX + _(
            "%(zone)s项目%(stage)s：%(amount)s",
            zone=zone_name,
            stage=stage_label(to_stage),
            amount=format_wan(amount_wan),
        )
        link = absolute(f"/projects/{project.id}")
        lines = [
            f"**{title}**",
            "",
            f"- {_('项目')}：{project.display_name()}",
            f"- {_('投资额')}：{format_wan(amount_wan)}",
            "",
            f"[{_('查看项目')}]({link})",
        ]
    return title, "\n".join(lines)


def conflict_text(conflict_id: int, enterprise: str, zone_names: list[str]) -> tuple[str, str]:
    with force_locale("zh_CN"):
        title = PREFIX + _("新的跨区冲突：%(name)s", name=enterprise)
        link = absolute(path_for("targets.conflicts", "/targets/conflicts"))
        lines = [
            f"**{title}**",
            "",
            f"- {_('涉及开发区')}：" + "、".join(zone_names),
            "",
            f"[{_('查看冲突')}]({link})",
        ]
    return title, "\n".join(lines)
