"""What the audit log's codes mean to people: one registry of action, entity and field labels.

The audit page shows these labels (lazy-translated, so in the reader's language) and its filter
accepts them: "用户", "Users" and the code "user" all find the user entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from crm.core.i18n import join_words

ACTION_LABELS = {
    "accepted": _l("接收"),
    "actual": _l("录入实际值"),
    "bulk_assign": _l("批量分配负责人"),
    "bulk_move_zone": _l("批量移交开发区"),
    "bulk_priority": _l("批量修改优先级"),
    "bulk_status": _l("批量修改状态"),
    "claim": _l("认领"),
    "create": _l("创建"),
    "delete": _l("删除"),
    "export": _l("导出"),
    "forbidden": _l("无权访问"),
    "gap_targets": _l("由缺口环节生成目标企业"),
    "import": _l("导入"),
    "link": _l("关联"),
    "login": _l("登录"),
    "login_failed": _l("登录失败"),
    "logout": _l("退出登录"),
    "merge": _l("合并"),
    "override": _l("手动设定状态"),
    "password_change": _l("修改密码"),
    "raise": _l("提出冲突"),
    "recount": _l("重新计算"),
    "reorder": _l("调整顺序"),
    "reset_password": _l("重置密码"),
    "restore": _l("恢复"),
    "retry": _l("重试"),
    "returned": _l("退回"),
    "revert": _l("撤销导入"),
    "revise": _l("更正为新版本"),
    "revoke": _l("吊销"),
    "send": _l("发送"),
    "settle": _l("裁定"),
    "stage": _l("阶段变更"),
    "submit": _l("报送"),
    "update": _l("修改"),
    "upload": _l("上传"),
}
ENTITY_LABELS = {
    "channel_config": _l("消息渠道设置"),
    "robot_group": _l("群机器人"),
    "activity": _l("跟进记录"),
    "api_token": _l("API 令牌"),
    "attachment": _l("附件"),
    "calendar_feed": _l("日历订阅"),
    "chain": _l("产业链"),
    "chain_node": _l("产业链环节"),
    "conflict": _l("跨区冲突"),
    "contact": _l("联系人"),
    "enterprise": _l("企业"),
    "holiday": _l("节假日"),
    "import_batch": _l("导入批次"),
    "indicator": _l("目标清单指标"),
    "monthly_progress": _l("月度进展"),
    "project": _l("项目"),
    "quota": _l("年度目标"),
    "report_submission": _l("月报报送"),
    "quota_report": _l("年度目标报表"),
    "reminder": _l("提醒"),
    "roadmap_milestone": _l("路线图里程碑"),
    "route": _l("页面"),
    "setting": _l("规则设置"),
    "target": _l("目标企业"),
    "user": _l("用户"),
    "zone": _l("开发区"),
}
FIELD_LABELS = {
    "attempt": _l("报送次数"),
    "comment": _l("退回意见"),
    "active": _l("启用"),
    "display_name": _l("姓名"),
    "email": _l("邮箱"),
    "role": _l("角色"),
    "zone_id": _l("开发区"),
    "owner_id": _l("负责人"),
    "assign": _l("负责人"),
    "status": _l("状态"),
    "priority": _l("优先级"),
    "move_zone": _l("开发区"),
    "name": _l("名称"),
    "stage": _l("阶段"),
    "value": _l("值"),
    "targets": _l("目标企业"),
    "resolution": _l("裁定结果"),
    "kept_zone_id": _l("保留的开发区"),
    "sort_order": _l("排序"),
    "rows": _l("行数"),
    "filename": _l("文件名"),
    "locale": _l("界面语言"),
    "period": _l("月份"),
    "project_id": _l("项目"),
    "actual_in_place_wan": _l("累计实际到位"),
    "month_investment_wan": _l("本月完成投资"),
    "total_investment_wan": _l("累计完成投资"),
    "month_funds_wan": _l("本月到位资金"),
    "total_funds_wan": _l("累计到位资金"),
    "image_progress": _l("形象进度"),
    "problems": _l("存在问题"),
    "coordination": _l("需协调事项"),
}
# Fields whose values are user ids: shown by the user's display name.
USER_FIELDS = frozenset(
    {"owner_id", "actor_id", "user_id", "assign", "settled_by_id", "assignee_id"}
)


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def entity_label(entity: str) -> str:
    label = ENTITY_LABELS.get(entity)
    return str(label) if label is not None else entity


def field_label(field: str) -> str:
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else field


def matching_codes(text: str, labels: Mapping[str, Any]) -> list[str]:
    """The codes a filter text means: the code itself, or any code whose label (in the
    reader's language or in Chinese) contains the text, case-insensitively."""
    wanted = text.strip().casefold()
    if not wanted:
        return []
    if wanted in labels:
        return [wanted]
    found = []
    for code, label in labels.items():
        names = {code, str(label), getattr(label, "_args", (str(label),))[0]}
        if any(wanted in name.casefold() for name in names):
            found.append(code)
    return found


def value_text(value: Any, users: Mapping[int, str] | None = None, field: str = "") -> str:
    """One recorded value as people read it: 是/否 for booleans, names for user ids."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if field in USER_FIELDS and isinstance(value, int) and users and value in users:
        return users[value]
    if isinstance(value, list):
        return join_words(value_text(v, users, field) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k)}: {value_text(v, users, k)}" for k, v in value.items())
    return str(value)


def change_text(field: str, value: Any, users: Mapping[int, str] | None = None) -> str:
    """A change as recorded by ``apply_changes`` ([old, new]) reads "old → new"."""
    if isinstance(value, list) and len(value) == 2:
        return f"{value_text(value[0], users, field)} → {value_text(value[1], users, field)}"
    return value_text(value, users, field)


def user_ids_in(changes: Mapping[str, Any] | None) -> set[int]:
    """The user ids mentioned in a change set (to look their names up in one query)."""
    found: set[int] = set()
    for field, value in (changes or {}).items():
        if field not in USER_FIELDS:
            continue
        values = value if isinstance(value, list) else [value]
        found.update(v for v in values if isinstance(v, int) and not isinstance(v, bool))
    return found
