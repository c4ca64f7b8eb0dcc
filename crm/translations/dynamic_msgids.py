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
    N_("跟进提醒列出逾期多少天以内的事项（更早的日期视为录入错误）"),
    N_("计入年度目标的阶段（阶段代码，默认 signed 签约）"),
    N_("匹配方式：disjoint 不重复计入 / cumulative 累计计入"),
    N_("计算金额：contract_else_planned / planned"),
    N_("只统计制造业项目"),
    N_("只统计新引进项目（不含增资扩产）"),
    N_("目标企业多少天无跟进视为停滞"),
    N_("环节“强”所需的本地企业与落地项目数"),
    N_("视为落地的项目阶段（阶段代码）"),
)

# crm.chains.models: segments, strategies and node statuses (templates call _(label))
CHAIN_LABELS = (
    N_("本地企业"),
    N_("计划"),
    N_("推进中"),
    N_("已完成"),
    N_("滞后"),
    N_("已落地"),
    N_("项目推进中"),
    N_("洽谈中"),
    N_("已列入目标"),
    N_("待招商"),
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

# Stored vocabulary (the database keeps the Chinese word; templates show ``word|label``):
# crm.targets.models ATTRACTION_MODES, TARGET_STATUSES, ACTIVITY_KINDS and
# crm.enterprises.models LABELS, TIERS, OWNERSHIPS. tests/test_i18n.py checks each has English.
TARGET_VOCABULARY = (
    N_("企业招商"),
    N_("资本招商"),
    N_("驻地招商"),
    N_("链群招商"),
    N_("股权招商"),
    N_("其他"),
    N_("待接触"),
    N_("已接触"),
    N_("有意向"),
    N_("已转项目"),
    N_("暂缓"),
    N_("放弃"),
    N_("电话"),
    N_("拜访"),
    N_("洽谈"),
    N_("考察"),
    N_("会议"),
)
ENTERPRISE_VOCABULARY = (
    N_("世界500强"),
    N_("中国500强"),
    N_("上市公司"),
    N_("专精特新"),
    N_("小巨人"),
    N_("单项冠军"),
    N_("高新技术企业"),
    N_("头雁"),
    N_("瞪羚"),
    N_("链主"),
    N_("龙头"),
    N_("骨干"),
    N_("配套"),
    N_("小微"),
    N_("国有"),
    N_("民营"),
    N_("外资"),
    N_("港澳台"),
    N_("混合所有制"),
)

# crm.projects: types (stored as codes, shown through |label) and setting labels
PROJECT_VOCABULARY = (
    N_("新引进"),
    N_("增资扩产"),
    N_("阶段名称"),
    N_("阶段英文名称"),
    N_("各阶段成功概率（百分比）"),
    N_("各阶段停留多少天视为停滞"),
    N_("首报门槛（万元，≥ 该金额的项目签约前须向省里首报）"),
)

# crm.reminders: message states, digest kinds, audit actions and fields (templates call _(label))
REMINDER_LABELS = (
    N_("待发送"),
    N_("发送中"),
    N_("等待重试"),
    N_("已发送"),
    N_("失败"),
    N_("已跳过"),
    N_("已过期"),
    N_("每日跟进提醒"),
    N_("每周工作周报"),
    N_("新建"),
    N_("修改"),
    N_("删除"),
    N_("恢复"),
    N_("认领"),
    N_("分配负责人"),
    N_("阶段变更"),
    N_("合并"),
    N_("导入"),
    N_("下次跟进"),
    N_("备注"),
    N_("代号"),
    N_("预计落地"),
)

# crm.quotas.indicators: units of the plan's goals (templates show ``unit|label``)
INDICATOR_UNITS = (N_("亿元"), N_("万元/亩"), N_("家"), N_("个"), N_("件"), N_("亩"))

# crm.imports.cells PROVINCE_NAMES and crm.enterprises.registration BUSINESS_STATUSES (filters
# and the enterprise facts show them through |label; the database keeps the Chinese word)
PLACE_AND_STATUS_WORDS = (
    N_("北京"),
    N_("天津"),
    N_("上海"),
    N_("重庆"),
    N_("河北"),
    N_("山西"),
    N_("辽宁"),
    N_("吉林"),
    N_("黑龙江"),
    N_("江苏"),
    N_("浙江"),
    N_("安徽"),
    N_("福建"),
    N_("江西"),
    N_("山东"),
    N_("河南"),
    N_("湖北"),
    N_("湖南"),
    N_("广东"),
    N_("海南"),
    N_("四川"),
    N_("贵州"),
    N_("云南"),
    N_("陕西"),
    N_("甘肃"),
    N_("青海"),
    N_("台湾"),
    N_("内蒙古"),
    N_("广西"),
    N_("西藏"),
    N_("宁夏"),
    N_("新疆"),
    N_("香港"),
    N_("澳门"),
    N_("存续"),
    N_("注销"),
    N_("吊销"),
    N_("迁出"),
    N_("撤销"),
    N_("停业"),
    N_("清算"),
)

LAND_LABELS = (  # crm.land.models: statuses, land uses, kinds (shown through _(name))
    N_("储备"),
    N_("批而未供"),
    N_("已供"),
    N_("闲置低效"),
    N_("盘活中"),
    N_("已盘活"),
    N_("工业"),
    N_("仓储"),
    N_("商服"),
    N_("科研"),
    N_("其他"),
    N_("标准厂房"),
    N_("工业保障房"),
    N_("其他载体"),
    N_("空置"),
    N_("预留"),
    N_("已租"),
    N_("已售"),
    N_("供应"),
    N_("系统计算（状态为储备的地块面积）"),  # crm.land.goals: the computed reserve's notes
    N_("实时计算（状态为储备的地块面积）"),
)

INSTRUCTION_WORDS = (  # crm.instructions.models: states and timeline entries, shown via |label
    N_("待办理"),
    N_("办理中"),
    N_("已办结"),
    N_("办理情况"),
    N_("办结"),
    N_("重新打开"),
)

QUOTA_TIERS = (  # the plan's tiers (crm.quotas.seed.PLAN_TIERS), shown through |label
    N_("30亿元以上制造业项目"),
    N_("10亿元以上制造业项目"),
)
