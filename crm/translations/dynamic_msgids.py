"""Msgids that reach gettext only at runtime, listed here so `make extract-messages` keeps them.

Templates call ``_(user.role_label)`` (labels from ``crm.core.roles.ROLE_LABELS``) and
``_(definition.label)`` (labels from ``crm.core.settings.define_setting``). pybabel cannot see
those strings, so without this list ``pybabel update`` would mark their translations obsolete.
Keep this file in sync when a role or setting label changes. It is never imported by the app.
"""


def N_(message: str) -> str:  # the standard "mark for extraction" name
    return message


ROLE_LABELS = (
    N_("招商专员"),
    N_("开发区负责人"),
    N_("市级统筹"),
    N_("市领导（只读）"),
    N_("系统管理员"),
)

SETTING_LABELS = (
    N_("会话空闲超时（分钟）"),
    N_("会话最长时长（小时）"),
)

# crm.chains.models: segments, strategies and node statuses (templates call _(label))
CHAIN_LABELS = (
    N_("上游"),
    N_("中游"),
    N_("下游"),
    N_("配套"),
    N_("强链"),
    N_("补链"),
    N_("延链"),
    N_("强"),
    N_("一般"),
    N_("弱"),
    N_("缺"),
    N_("风险"),
)
