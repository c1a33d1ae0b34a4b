"""A docxtpl template with two costs removed that grow with the rows of a report. It overrides docxtpl internals
(resolve_listing, fix_tables, fix_docpr_ids, map_tree), so it is written for one docxtpl version and refuses another:
upgrading docxtpl means re-reading those methods and re-running the byte-identity test in tests/test_reports.py."""
from __future__ import annotations

import re
from importlib.metadata import version

from docx.oxml import parse_xml
from docxtpl import DocxTemplate
from lxml import etree

WRITTEN_FOR = "0.20.2"
if version("docxtpl") != WRITTEN_FOR:  # pragma: no cover - a deployment with another docxtpl fails at start, loudly
    raise RuntimeError(f"portal/reports/docx_template.py overrides docxtpl {WRITTEN_FOR} internals; installed: {version('docxtpl')}")


_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_LISTING = re.compile(r"[\t\a\f\n]")
_BODY_START = re.compile(r"^\s*<w:body[^>]*>")


class FastTemplate(DocxTemplate):
    """docxtpl, minus two costs that grow with the rows of a report (together two thirds of a 20,000-row export).
    The output is byte-identical to docxtpl's (tests/test_reports.py compares both on the report template).

    - docxtpl rewrites every paragraph for tabs, line breaks and page breaks in text (three regex passes
      each); only paragraphs that hold such a character need it, the others come out unchanged.
    - docxtpl parses the rendered body into a separate document and moves it into the Word document,
      which makes lxml revisit every node; parsing it inside a copy of the document element instead
      needs no move. (docxtpl's table fix-up is for `{%tc %}` column loops, which the template does not use.)
    """

    def resolve_listing(self, xml):
        rewrite = super().resolve_listing
        return _PARAGRAPH.sub(lambda m: rewrite(m.group(0)) if _LISTING.search(m.group(0)) else m.group(0), xml)

    def fix_tables(self, xml):
        head = etree.tostring(self.docx.element, encoding="unicode").split("<w:body", 1)[0]
        body = _BODY_START.sub("<w:body>", xml, count=1)  # its namespaces are declared on the document element
        return parse_xml(head + body + "</w:document>").body

    def fix_docpr_ids(self, tree):
        for element in tree.xpath("//wp:docPr"):
            self.docx_ids_index += 1
            element.attrib["id"] = str(self.docx_ids_index)

    def map_tree(self, tree):
        document = tree.getparent()
        self.docx._part._element = document
        self.docx._element = document
