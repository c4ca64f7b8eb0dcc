"""GB/T 4754-2017 国民经济行业分类: the 20 门类 (sections) and 97 大类 (divisions).

Seeded into ``industry_class`` (``seed_industry_classes``) for the target list's filter; an
import reads a provider's 国标行业 / 所属行业 cell with ``match_industry`` in memory.
"""

from __future__ import annotations

import re
from functools import lru_cache

SECTIONS: dict[str, str] = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}
# section letter → its divisions (2-digit code, name), in code order
_DIVISIONS: dict[str, tuple[str, ...]] = {
    "A": ("农业", "林业", "畜牧业", "渔业", "农、林、牧、渔专业及辅助性活动"),
    "B": (
        "煤炭开采和洗选业",
        "石油和天然气开采业",
        "黑色金属矿采选业",
        "有色金属矿采选业",
        "非金属矿采选业",
        "开采专业及辅助性活动",
        "其他采矿业",
    ),
    "C": (
        "农副食品加工业",
        "食品制造业",
        "酒、饮料和精制茶制造业",
        "烟草制品业",
        "纺织业",
        "纺织服装、服饰业",
        "皮革、毛皮、羽毛及其制品和制鞋业",
        "木材加工和木、竹、藤、棕、草制品业",
        "家具制造业",
        "造纸和纸制品业",
        "印刷和记录媒介复制业",
        "文教、工美、体育和娱乐用品制造业",
        "石油、煤炭及其他燃料加工业",
        "化学原料和化学制品制造业",
        "医药制造业",
        "化学纤维制造业",
        "橡胶和塑料制品业",
        "非金属矿物制品业",
        "黑色金属冶炼和压延加工业",
        "有色金属冶炼和压延加工业",
        "金属制品业",
        "通用设备制造业",
        "专用设备制造业",
        "汽车制造业",
        "铁路、船舶、航空航天和其他运输设备制造业",
        "电气机械和器材制造业",
        "计算机、通信和其他电子设备制造业",
        "仪器仪表制造业",
        "其他制造业",
        "废弃资源综合利用业",
        "金属制品、机械和设备修理业",
    ),
    "D": ("电力、热力生产和供应业", "燃气生产和供应业", "水的生产和供应业"),
    "E": ("房屋建筑业", "土木工程建筑业", "建筑安装业", "建筑装饰、装修和其他建筑业"),
    "F": ("批发业", "零售业"),
    "G": (
        "铁路运输业",
        "道路运输业",
        "水上运输业",
        "航空运输业",
        "管道运输业",
        "多式联运和运输代理业",
        "装卸搬运和仓储业",
        "邮政业",
    ),
    "H": ("住宿业", "餐饮业"),
    "I": ("电信、广播电视和卫星传输服务", "互联网和相关服务", "软件和信息技术服务业"),
    "J": ("货币金融服务", "资本市场服务", "保险业", "其他金融业"),
    "K": ("房地产业",),
    "L": ("租赁业", "商务服务业"),
    "M": ("研究和试验发展", "专业技术服务业", "科技推广和应用服务业"),
    "N": ("水利管理业", "生态保护和环境治理业", "公共设施管理业", "土地管理业"),
    "O": ("居民服务业", "机动车、电子产品和日用产品修理业", "其他服务业"),
    "P": ("教育",),
    "Q": ("卫生", "社会工作"),
    "R": ("新闻和出版业", "广播、电视、电影和录音制作业", "文化艺术业", "体育", "娱乐业"),
    "S": (
        "中国共产党机关",
        "国家机构",
        "人民政协、民主党派",
        "社会保障",
        "群众团体、社会团体和其他成员组织",
        "基层群众自治组织及其他组织",
    ),
    "T": ("国际组织",),
}


def _numbered() -> dict[str, tuple[str, str]]:
    divisions, number = {}, 1
    for section, names in _DIVISIONS.items():
        for name in names:
            divisions[f"{number:02d}"] = (section, name)
            number += 1
    return divisions


DIVISIONS: dict[str, tuple[str, str]] = _numbered()  # "39" → ("C", "计算机、通信和…制造业")
assert len(DIVISIONS) == 97 and list(DIVISIONS)[-1] == "97"
_SECTION_BY_NAME = {name: code for code, name in SECTIONS.items()}
_DIVISION_BY_NAME = {name: code for code, (_s, name) in DIVISIONS.items()}
_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Ta-t])?\s*(\d{2})(?:\d{1,2})?(?!\d)")
_SEPARATORS = re.compile(r"\s*(?:>|＞|/|／|-|—|－|→|\||,|，|;|；)\s*|\s+")


def division_label(code: str) -> str:
    return f"{code} {DIVISIONS[code][1]}" if code in DIVISIONS else ""


def section_label(code: str) -> str:
    return f"{code} {SECTIONS[code]}" if code in SECTIONS else ""


@lru_cache(maxsize=1024)
def match_industry(text: str) -> tuple[str, str]:
    """(门类, 大类) read from a provider's industry cell: "制造业 > 专用设备制造业",
    "C35 专用设备制造业", "专用设备制造业", "3511", "制造业"; ("", "") when nothing matches."""
    text = (text or "").strip()
    if not text:
        return "", ""
    parts = [p for p in _SEPARATORS.split(text) if p]
    for part in [text, *parts]:
        if part in _DIVISION_BY_NAME:
            code = _DIVISION_BY_NAME[part]
            return DIVISIONS[code][0], code
    if (match := _CODE.search(text)) and match[2] in DIVISIONS:
        section, _name = DIVISIONS[match[2]]
        if not match[1] or match[1].upper() == section:
            return section, match[2]
    for part in [text, *parts]:
        if part in _SECTION_BY_NAME:
            return _SECTION_BY_NAME[part], ""
        stripped = part.removeprefix("(").upper()
        if len(stripped) == 1 and stripped in SECTIONS:
            return stripped, ""
    return "", ""


def industry_class_text(section: str, division: str) -> str:
    """ "C 制造业 › 39 计算机、通信和其他电子设备制造业", or the section alone; "" when unset."""
    parts = [section_label(section), division_label(division)]
    return " › ".join(part for part in parts if part)
