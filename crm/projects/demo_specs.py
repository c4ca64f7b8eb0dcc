"""The demo projects, one line each (see ``crm.projects.demo`` for the story they tell)."""

# ruff: noqa: E501 — a table reads best one project per line
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    zone: str
    name: str
    industry: str
    yi: float  # 计划总投资 (and 合同投资额 once signed), 亿元
    stage: str  # the furthest pipeline stage reached
    start: str  # the first contact (线索)
    signed: str = ""  # 签约 date, for 签约 or later
    since: int = 20  # days spent in a stage before 签约 (till today)
    side: tuple[str, str, str] | None = None  # (paused | terminated, date, reason)
    code_name: str = ""
    kind: str = "new"
    manufacturing: bool = True
    landing: bool = False  # expected to land by the end of this year
    reported: bool = True  # 首报 done (≥ 10亿元)
    follow_up: int | None = None  # next follow-up in days from today (< 0: overdue)
    next_step: str = ""


S = Spec
# fmt: off
SPECS = (
    # 高新区: on track
    S("gxq", "高端特种钢材深加工项目", "先进钢铁材料", 35, "construction", "2025-05-12", "2026-03-18", follow_up=12, next_step="协调施工用电"),
    S("gxq", "氢燃料电池电堆及系统项目", "氢能", 12, "land", "2025-08-20", "2026-04-22", follow_up=-6),
    S("gxq", "电子级高纯材料项目", "电子信息", 15, "registered", "2025-09-03", "2026-05-30", next_step="办理用地预审"),
    S("gxq", "精细化工新材料一体化项目", "高端化工材料", 18, "construction", "2025-06-16", "2026-06-15", follow_up=20),
    S("gxq", "5G终端精密制造项目", "电子信息", 10, "signed", "2025-11-04", "2026-07-08", follow_up=-3, next_step="推进公司注册"),
    S("gxq", "机器人核心零部件项目", "装备制造", 11, "signed", "2026-01-09", "2026-09-12", code_name="高新-星河", follow_up=9),
    S("gxq", "工业无人机整机制造项目", "低空经济", 13, "signed", "2026-02-14", "2026-10-20", reported=False, next_step="首报补报"),
    S("gxq", "生物医药原料药项目", "生物医药", 20, "signed", "2025-07-01", "2026-02-10", side=("terminated", "2026-08-05", "投资方资金链紧张，双方解除投资协议")),
    S("gxq", "半导体封装测试项目", "电子信息", 8, "negotiation", "2025-03-15", since=400, side=("terminated", "2025-11-20", "企业转投长三角地区")),
    S("gxq", "特钢棒材技改扩产项目", "先进钢铁材料", 15, "production", "2025-10-10", "2026-01-20", kind="expansion"),
    S("gxq", "高性能合金钢管项目", "先进钢铁材料", 32, "full_production", "2025-01-08", "2025-04-18"),
    S("gxq", "纳米涂层材料项目", "高端化工材料", 3, "lead", "2026-11-02", since=27),
    S("gxq", "工业软件研发中心项目", "电子信息", 2, "contact", "2026-08-01", since=50, follow_up=-12),
    S("gxq", "低空飞行器总装项目", "低空经济", 9, "negotiation", "2026-03-01", since=80, follow_up=-20, next_step="报送项目测算"),
    S("gxq", "生物制剂产业化项目", "生物医药", 6, "inspection", "2026-04-11", since=18, landing=True, follow_up=5),
    S("gxq", "氢能储运装备项目", "氢能", 5, "negotiation", "2025-12-01", since=200, side=("paused", "2026-07-15", "企业战略调整，暂缓对外投资")),
    # 经开区: at risk
    S("jkq", "再生铅资源循环利用项目", "有色金属材料", 12, "construction", "2025-06-02", "2026-04-10", follow_up=14),
    S("jkq", "新型储能电池材料项目", "新型储能", 10.5, "registered", "2025-12-11", "2026-08-26", follow_up=-2),
    S("jkq", "高端铜箔及铜合金项目", "有色金属材料", 38, "inspection", "2025-11-18", since=35, landing=True, follow_up=3, next_step="市领导带队回访"),
    S("jkq", "钼铜电子封装材料项目", "有色金属材料", 14, "negotiation", "2026-05-06", since=60, landing=True, follow_up=-4),
    S("jkq", "装配式建筑构件项目", "绿色建材", 4, "construction", "2025-09-09", "2026-05-18"),
    S("jkq", "有色金属精深加工项目", "有色金属材料", 16, "full_production", "2024-12-10", "2025-03-06"),
    S("jkq", "动力电池回收利用项目", "新型储能", 25, "inspection", "2026-02-20", since=40, code_name="经开-北辰", follow_up=7),
    S("jkq", "节能环保装备项目", "节能环保", 3, "contact", "2025-04-01", since=300, side=("terminated", "2025-10-28", "企业经营困难，放弃投资")),
    S("jkq", "稀贵金属提纯项目", "有色金属材料", 6, "lead", "2026-10-15", since=45),
    S("jkq", "光伏玻璃深加工项目", "绿色建材", 7, "contact", "2026-06-01", since=70, follow_up=-15),
    S("jkq", "工业固废综合利用项目", "节能环保", 5, "negotiation", "2025-10-20", since=230, side=("paused", "2026-06-30", "等待环评政策明确")),
    S("jkq", "铅锌冶炼技改增资扩产项目", "有色金属材料", 9, "signed", "2025-12-01", "2026-03-25", kind="expansion", follow_up=30),
    S("jkq", "再生资源回收分拣中心项目", "节能环保", 3, "land", "2025-03-03", "2025-09-16"),
    S("jkq", "铝基新材料项目", "有色金属材料", 6, "production", "2024-11-05", "2025-02-25"),
    # 现代服务业开发区: services
    S("xdfw", "豫西大宗商品物流枢纽项目", "现代物流", 20, "land", "2025-07-07", "2026-03-12", manufacturing=False, follow_up=10),
    S("xdfw", "多式联运铁路专用线项目", "现代物流", 8, "negotiation", "2026-03-10", since=55, manufacturing=False, follow_up=-8),
    S("xdfw", "快递电商物流园项目", "现代物流", 5, "construction", "2025-04-08", "2025-10-15", manufacturing=False),
    S("xdfw", "供应链金融服务平台项目", "平台经济", 1, "contact", "2026-09-01", since=40, manufacturing=False),
    S("xdfw", "冷链物流配送中心项目", "现代物流", 3, "lead", "2026-10-28", since=32, manufacturing=False),
    S("xdfw", "跨境电商综合服务项目", "平台经济", 2, "inspection", "2026-05-20", since=25, manufacturing=False, follow_up=2),
    S("xdfw", "网络货运平台项目", "平台经济", 1.5, "signed", "2026-01-15", "2026-06-18", manufacturing=False),
    S("xdfw", "城市共同配送中心项目", "现代物流", 2.5, "registered", "2025-11-11", "2026-04-02", manufacturing=False),
    S("xdfw", "汽车整车物流基地项目", "现代物流", 6, "production", "2024-10-12", "2025-02-20", manufacturing=False),
    S("xdfw", "保税物流中心项目", "现代物流", 9, "full_production", "2024-06-03", "2024-12-20", manufacturing=False),
    S("xdfw", "数字贸易产业园项目", "平台经济", 4, "negotiation", "2025-09-01", since=300, manufacturing=False, side=("paused", "2026-05-08", "园区规划调整")),
    S("xdfw", "跨区域快运分拨项目", "现代物流", 3, "inspection", "2025-05-05", since=400, manufacturing=False, side=("terminated", "2025-12-15", "企业选址外省")),
)
# fmt: on
