"""A report as a Word document laid out like an office document (GB/T 9704-2012 elements).

The page is A4 with the standard margins; the 标题 in 方正小标宋简体 二号, centred; the
主送机关 flush left with a colon; the body in 仿宋_GB2312 三号 with numbered first-level
headings in 黑体 (一、二、…) and tables; the 落款 and the 成文日期 (in Chinese, e.g.
二〇二六年十二月三日) at the right; the page number "— 1 —" in the footer.

East-Asian font names go in ``w:rFonts/@w:eastAsia`` (python-docx's ``font.name`` sets only
the Latin slots); fallbacks are named in the font table (``w:altName``), which Word and WPS use
when the first font is not installed.
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from lxml import etree

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
# first choice → what Word/WPS should use when it is missing (font table w:altName)
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "SimHei"}
ALSO_KNOWN = {"仿宋": "FangSong", "宋体": "SimSun", "黑体": "SimHei"}

SIZE_2 = Pt(22)  # 二号: the title
SIZE_3 = Pt(16)  # 三号: the body
SIZE_4 = Pt(14)  # 四号: page numbers
SIZE_TABLE = Pt(12)  # 小四: table cells
LINE = Pt(28)  # exact line pitch: 22 lines to the type area
INDENT = Pt(32)  # two characters of 三号

NUMERALS = "〇一二三四五六七八九"
SECTION_NUMBERS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 31 → 三十一 (for months and days)."""
    tens, ones = divmod(n, 10)
    text = ("" if tens < 2 else NUMERALS[tens]) + ("十" if tens else "")
    return text + (NUMERALS[ones] if ones else "") if n else NUMERALS[0]


def chinese_date(day: date) -> str:
    """2026-12-03 → 二〇二六年十二月三日 (the 成文日期 as offices write it)."""
    year = "".join(NUMERALS[int(d)] for d in f"{day.year:04d}")
    return f"{year}年{chinese_number(day.month)}月{chinese_number(day.day)}日"


def section_number(index: int) -> str:
    """0 → 一, 9 → 十, 10 → 十一 (first-level headings)."""
    return chinese_number(index + 1) if index >= 9 else SECTION_NUMBERS[index]


def set_fonts(run: Any, east_asian: str, size: Any, bold: bool = False) -> None:
    """Name a run's fonts: Latin text in Times New Roman, Chinese text in ``east_asian``."""
    run.font.name = LATIN_FONT
    run.font.size = size
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def _paragraph(doc: Any, text: str, font: str, size: Any, **options: Any) -> Any:
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = options.get("line", LINE)
    fmt.space_before = fmt.space_after = Pt(0)
    if options.get("indent"):
        fmt.first_line_indent = INDENT
    if "align" in options:
        paragraph.alignment = options["align"]
    set_fonts(paragraph.add_run(text), font, size, options.get("bold", False))
    return paragraph


def _table(doc: Any, table: dict[str, Any]) -> None:
    columns, rows = table["columns"], table["rows"]
    grid = doc.add_table(rows=1 + len(rows), cols=len(columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, values in enumerate([columns, *rows]):
        for c, value in enumerate(values):
            cell = grid.cell(r, c)
            cell.text = ""
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if r == 0 else None
            set_fonts(paragraph.add_run(str(value)), BODY_FONT, SIZE_TABLE, bold=r == 0)
    doc.add_paragraph()


def _page_setup(doc: Any) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = SIZE_3
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_fonts(footer.add_run("— "), PAGE_NUMBER_FONT, SIZE_4)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    footer._p.append(field)
    set_fonts(footer.add_run(" —"), PAGE_NUMBER_FONT, SIZE_4)


def _font_table(doc: Any) -> None:
    """Name each first-choice font's fallback (w:altName) in word/fontTable.xml."""
    part = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    root = parse_xml(part.blob)
    for name, fallback in FALLBACKS.items():
        alt = f"{fallback},{ALSO_KNOWN[fallback]}" if fallback in ALSO_KNOWN else fallback
        root.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/>'
                '<w:charset w:val="86"/><w:family w:val="auto"/></w:font>'
            )
        )
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def build_docx(document: dict[str, Any]) -> bytes:
    """The .docx of a report document (see ``crm.reporting.documents``)."""
    doc = Document()
    _page_setup(doc)
    _font_table(doc)
    core = doc.core_properties
    core.title = document["title"]
    core.author = document["sender"]
    _paragraph(doc, document["title"], TITLE_FONT, SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "", BODY_FONT, SIZE_3)
    _paragraph(doc, document["addressee"] + "：", BODY_FONT, SIZE_3)
    for text in document.get("opening", []):
        _paragraph(doc, text, BODY_FONT, SIZE_3, indent=True)
    for index, section in enumerate(document["sections"]):
        heading = f"{section_number(index)}、{section['heading']}"
        _paragraph(doc, heading, HEADING_FONT, SIZE_3, indent=True)
        for text in section.get("paragraphs", []):
            _paragraph(doc, text, BODY_FONT, SIZE_3, indent=True)
        for table in section.get("tables", []):
            if table.get("caption"):
                _paragraph(doc, table["caption"], BODY_FONT, SIZE_3, indent=True)
            _table(doc, table)
    _paragraph(doc, "", BODY_FONT, SIZE_3)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(doc, document["sender"], BODY_FONT, SIZE_3, align=right)
    dated = date.fromisoformat(document["dated"])
    _paragraph(doc, chinese_date(dated), BODY_FONT, SIZE_3, align=right)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
