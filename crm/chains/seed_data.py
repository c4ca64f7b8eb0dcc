"""The plan's chains and their node trees (editable after seeding; see research on 产业链图谱).

Each node: (segment, name, strategy, key products, children). Segments: upstream, midstream,
downstream, support; strategies: strengthen 强链, fill 补链, extend 延链.
"""

from __future__ import annotations

U, M, D, S = "upstream", "midstream", "downstream", "support"
STRONG, FILL, EXTEND = "strengthen", "fill", "extend"

CHAINS = [
    {
        "name": "有色金属材料",
        "lead_industry": "有色金属",
        "zones": ["jkq"],
        "chain_leader": "市政府分管副市长",
        "nodes": [
            (U, "铅锌铜精矿与进口原料", "", "铅精矿、锌精矿、铜精矿", []),
            (
                U,
                "再生资源",
                STRONG,
                "废铅酸蓄电池、含锌含铜废料、阳极泥",
                [
                    (U, "废旧锂电池回收", FILL, "黑粉、钴镍锂回收", []),
                ],
            ),
            (U, "冶炼与环保装备", EXTEND, "冶炼炉、烟气治理装备", []),
            (M, "铅冶炼", STRONG, "粗铅、电解铅", []),
            (M, "锌冶炼", STRONG, "锌锭", []),
            (M, "铜冶炼", STRONG, "阴极铜", []),
            (M, "白银与黄金", STRONG, "白银、黄金", []),
            (M, "稀贵金属综合回收", FILL, "铋、锑、碲、铟", []),
            (
                M,
                "有色新材料",
                FILL,
                "",
                [
                    (M, "锌基合金与锌粉", FILL, "锌基合金、锌粉", []),
                    (M, "电子铜箔", FILL, "锂电铜箔、电路铜箔", []),
                    (M, "高强高导铜合金", FILL, "引线框架、连接器材料", []),
                    (M, "钼铜钨铜封装材料", EXTEND, "电子封装热沉", []),
                    (M, "高纯金属与靶材", EXTEND, "高纯铅、高纯银、溅射靶材", []),
                    (M, "银粉银浆", FILL, "光伏银浆、电子银粉", []),
                ],
            ),
            (D, "铅酸与储能电池", STRONG, "铅酸蓄电池、铅炭电池", []),
            (D, "新能源汽车连接器", EXTEND, "连接器、线束", []),
            (D, "PCB与半导体封装", EXTEND, "覆铜板、封装基板", []),
            (D, "白银制品与工艺品", EXTEND, "银饰、银器", []),
            (S, "绿色建材（冶炼渣利用）", FILL, "冶炼渣建材", []),
        ],
    },
    {
        "name": "先进钢铁材料",
        "lead_industry": "钢铁",
        "zones": ["gxq"],
        "chain_leader": "市政府分管副市长",
        "nodes": [
            (U, "铁矿与废钢", "", "铁矿石、废钢", []),
            (U, "合金与耐材", FILL, "锰铬钼镍钒合金、耐火材料、电极", []),
            (M, "炼铁炼钢", STRONG, "转炉、电炉", []),
            (M, "精炼连铸", STRONG, "", []),
            (M, "特钢棒线材", STRONG, "齿轮钢、轴承钢、弹簧钢、帘线钢", []),
            (M, "热处理与银亮材", FILL, "冷拔、银亮材", []),
            (D, "锻件与紧固件", FILL, "锻件、紧固件", []),
            (D, "钢丝绳", STRONG, "精品钢丝绳", []),
            (D, "汽车零部件", EXTEND, "曲轴、齿轮、传动轴、轴承", []),
            (D, "工程机械与风电轴承", EXTEND, "风电轴承、矿山装备", []),
            (S, "钢铁物流与检测", "", "", []),
        ],
    },
    {
        "name": "高端化工材料",
        "lead_industry": "化工",
        "zones": ["gxq"],
        "chain_leader": "",
        "nodes": [
            (U, "煤焦化与副产资源", STRONG, "焦炭、焦炉煤气、煤焦油", []),
            (M, "基础化学品", STRONG, "甲醇、苯、硫酸", []),
            (M, "精细化学品", FILL, "医药中间体、电子化学品", []),
            (M, "化工新材料", FILL, "特种树脂、碳材料", []),
            (D, "新能源材料", EXTEND, "电解液、负极材料", []),
            (S, "安全环保与危废处置", FILL, "", []),
        ],
    },
    {
        "name": "氢能",
        "lead_industry": "氢能",
        "zones": ["gxq"],
        "chain_leader": "",
        "nodes": [
            (U, "工业副产氢提纯", STRONG, "焦炉煤气制氢", []),
            (U, "电解水制氢装备", FILL, "碱性电解槽、PEM电解槽", []),
            (M, "储运", FILL, "高压长管拖车、储氢瓶、液氢", []),
            (M, "加氢站装备", FILL, "压缩机、加氢机", []),
            (
                M,
                "燃料电池",
                FILL,
                "",
                [
                    (M, "膜电极与电堆", FILL, "质子交换膜、催化剂、双极板", []),
                    (M, "系统集成", EXTEND, "空压机、氢循环泵", []),
                ],
            ),
            (D, "氢能重卡与物流车", EXTEND, "", []),
            (D, "冶炼氢能替代", EXTEND, "氢冶金", []),
        ],
    },
    {
        "name": "电子信息",
        "lead_industry": "电子信息",
        "zones": ["gxq"],
        "chain_leader": "",
        "nodes": [
            (U, "电子材料", FILL, "铜箔、银浆、高纯金属", []),
            (M, "电子元器件", FILL, "连接器、电感、电容", []),
            (M, "5G终端精密制造", FILL, "结构件、精密模组", []),
            (D, "整机与终端", EXTEND, "", []),
            (S, "检测与工业软件", EXTEND, "", []),
        ],
    },
    {
        "name": "新型储能",
        "lead_industry": "新型储能",
        "zones": ["jkq"],
        "chain_leader": "",
        "nodes": [
            (U, "正负极与电解液材料", FILL, "", []),
            (M, "电芯制造", FILL, "磷酸铁锂、钠离子电芯", []),
            (M, "铅炭与液流电池", STRONG, "", []),
            (D, "储能系统集成", EXTEND, "PCS、BMS、EMS", []),
            (D, "电池回收利用", FILL, "梯次利用、再生", []),
        ],
    },
    {
        "name": "节能环保",
        "lead_industry": "节能环保",
        "zones": ["jkq"],
        "chain_leader": "",
        "nodes": [
            (U, "环保材料与药剂", FILL, "", []),
            (M, "节能环保装备", FILL, "除尘脱硫、余热利用", []),
            (M, "固废资源化", STRONG, "冶炼渣、尾矿", []),
            (D, "环境服务", EXTEND, "第三方治理、监测", []),
        ],
    },
    {
        "name": "现代物流",
        "lead_industry": "大宗物流",
        "zones": ["xdfw"],
        "chain_leader": "",
        "nodes": [
            (U, "铁路专用线与公路港", STRONG, "铁路货场、公路港", []),
            (M, "大宗商品供应链", STRONG, "有色、钢材、焦炭", []),
            (M, "多式联运", FILL, "公铁联运、集装箱", []),
            (M, "仓储与期货交割库", FILL, "", []),
            (M, "冷链与城市配送", FILL, "", []),
            (D, "供应链金融", EXTEND, "", []),
            (D, "网络货运平台", EXTEND, "", []),
            (S, "快递电商物流", FILL, "", []),
        ],
    },
]
