"""One document style for every Word file the portal makes (rule 14): A4 with 2 cm margins, the portal's font (Fira
Sans, as in the PDFs and on screen) in every style instead of the theme's, Dutch, document properties that name the
organisation, and tables whose columns have widths that fit their content, whose header row repeats on every page and
whose rows never split across pages. Used by the report template's builder and by the minutes."""
from __future__ import annotations

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FONT = "Fira Sans"
TEXT_WIDTH_CM = 17.0  # A4 (21 cm) less two margins of 2 cm
TABLE_TEXT = Pt(8.5)
STYLES = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Heading 5", "Table Grid",
          "Light Grid Accent 1", "List Bullet", "List Number")


def _font(style) -> None:
    """Name the font in all four slots, so no slot falls back to the theme's (a serif in LibreOffice)."""
    style.font.name = FONT
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    for theme_slot in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(theme_slot), None)


def style_document(doc, title: str, subject: str, author: str) -> None:
    """A4 portrait, 2 cm margins, the portal's font, Dutch, and the properties a recipient's Word shows."""
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2)
    names = {s.name for s in doc.styles}
    for name in STYLES:
        if name in names:
            _font(doc.styles[name])
    doc.styles["Normal"].font.size = Pt(10)
    language = doc.styles["Normal"].element.get_or_add_rPr()
    lang = language.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        language.append(lang)
    lang.set(qn("w:val"), "nl-NL")
    settings = doc.settings.element  # Word hyphenates Dutch text itself, so a long word in a narrow column breaks at a syllable
    if settings.find(qn("w:autoHyphenation")) is None:
        settings.insert(0, OxmlElement("w:autoHyphenation"))
    properties = doc.core_properties
    properties.title, properties.subject, properties.author = title, subject, author
    properties.last_modified_by, properties.language = author, "nl-NL"


def fixed_widths(table, widths_cm: list[float]) -> list:
    """Fixed column widths, scaled to the text width (Word and LibreOffice both keep them)."""
    scale = TEXT_WIDTH_CM / sum(widths_cm)
    widths = [Cm(w * scale) for w in widths_cm]
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table._tbl.tblPr.get_or_add_tblLayout().set(qn("w:type"), "fixed")  # in the schema's order, where Word wants it
    grid = table._tbl.tblGrid
    for column, width in zip(grid.findall(qn("w:gridCol")), widths, strict=False):
        column.set(qn("w:w"), str(int(width.twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width
    return widths


def narrow_cell_margins(table, cm: float = 0.08) -> None:
    """Less room either side of a cell's text (Word's default is 0.19 cm), for a table of many narrow figure columns."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("w:left", "w:right"):
        margin = OxmlElement(side)
        margin.set(qn("w:w"), str(int(Cm(cm).twips)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def finish_table(table, widths_cm: list[float]) -> None:
    """Fixed column widths (scaled to the text width), the first row repeated as header on every page, no row split."""
    fixed_widths(table, widths_cm)
    for index, row in enumerate(table.rows):
        row_properties = row._tr.get_or_add_trPr()
        row_properties.append(OxmlElement("w:cantSplit"))
        if index == 0:
            row_properties.append(OxmlElement("w:tblHeader"))
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = index == 0  # a header never stands alone at a page's foot
                for run in paragraph.runs:
                    run.font.size = TABLE_TEXT  # whole words in narrow columns
