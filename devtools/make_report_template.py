"""Build the Word template for report exports (portal/reports/templates/report.docx) with python-docx.

The committed .docx is what docxtpl fills; rerun this script after changing the layout:
    .venv/bin/python devtools/make_report_template.py
"""
from pathlib import Path

from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import RGBColor

from portal import word

OUT = Path(__file__).resolve().parent.parent / "portal" / "reports" / "templates" / "report.docx"


def page_number_footer(section):
    paragraph = section.footer.paragraphs[0]
    paragraph.text = "{{ title }} · peildatum {{ as_of_text }} · pagina "
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def table(doc, headers, row_tag, cells, widths, end_tag="{%tr endfor %}"):
    t = doc.add_table(rows=3, cols=len(headers))
    t.style = "Light Grid Accent 1"
    for cell, header in zip(t.rows[0].cells, headers, strict=False):
        cell.text = header
    t.rows[1].cells[0].text = row_tag
    for cell, value in zip(t.rows[2].cells, cells, strict=False):
        cell.text = value
    # A third row holds the loop end; docxtpl removes the tag rows.
    end = t.add_row()
    end.cells[0].text = end_tag
    # Rows are [header, loop start, content, loop end]; docxtpl copies the content row's properties (no split).
    word.finish_table(t, widths)
    return t


def main():
    doc = Document()
    word.style_document(doc, "{{ title }}", "Voortgang {{ framework_title }}, peildatum {{ as_of_text }}", "{{ author }}")
    for name in ("Title", "Heading 1", "Heading 2"):
        doc.styles[name].font.color.rgb = RGBColor(0x15, 0x42, 0x73)

    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph("Voortgang {{ framework_title }}", style="Subtitle")
    doc.add_paragraph("Peildatum: {{ as_of_text }}")
    doc.add_paragraph("Gemaakt op: {{ generated_text }}")
    doc.add_paragraph("{{ audience_text }}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    doc.add_heading("Samenvatting", level=1)
    doc.add_paragraph("{{ summary_text }}")
    # Every status has its column, so each row adds up to its total; "te laat" counts across them.
    # Soft hyphens (U+00AD) let the long headers break at a syllable, with a hyphen, in these narrow columns.
    summary = table(doc, ["Speerpunt", "Acties", "Afge\u00adrond", "Wacht op beves\u00adtiging", "Bezig", "Open", "Geblok\u00adkeerd",
                "Verval\u00adlen", "Te laat"],
          "{%tr for a in areas %}",
          ["{{ a.code }} {{ a.title }}", "{{ a.total }}", "{{ a.counts.done }}", "{{ a.counts.awaiting_confirmation }}",
           "{{ a.counts.in_progress }}", "{{ a.counts.open }}", "{{ a.counts.blocked }}", "{{ a.counts.cancelled }}", "{{ a.overdue }}"],
          [5.2, 1.35, 1.4, 1.45, 1.3, 1.3, 1.7, 1.5, 1.3])
    # Eight figure columns leave the first one room for a focus area's longest word ("bewustwordingscampagnes") only
    # with less room beside each cell's text; LibreOffice, without a Dutch hyphenation dictionary, breaks it otherwise.
    word.narrow_cell_margins(summary)

    doc.add_paragraph("{%p for a in areas %}")
    doc.add_heading("{{ a.code }} {{ a.title }}", level=2)
    doc.add_paragraph("{{ a.sentence }}")
    doc.add_paragraph("{%p for n in a.narratives %}")
    doc.add_paragraph("{{ n.organisation }}: {{ n.text }}")
    doc.add_paragraph("{%p endfor %}")
    table(doc, ["Actie", "Eigenaar", "Status", "Voortgang", "Deadline"], "{%tr for i in a.listed %}",
          ["{{ i.title }}", "{{ i.owner }}", "{{ i.status_text }}", "{{ i.progress }}%", "{{ i.due_text }}"],
          [6.4, 2.0, 2.7, 2.2, 2.7])
    doc.add_paragraph("{%p endfor %}")

    doc.add_heading("Aanbevelingen en maatregelen", level=1)
    table(doc, ["Bron", "Soort en nr.", "Aanbeveling of maatregel", "Reactie kabinet", "Stand van uitvoering"], "{%tr for r in recommendations %}",
          ["{{ r.source_title }}", "{{ r.kind_text }} {{ r.number }}", "{{ r.text }}", "{{ r.response_text }}", "{{ r.state_text }}"],
          [3.1, 2.8, 6.2, 2.4, 2.5])  # "Aanbeveling 12" on one line

    doc.add_heading("Indicatoren", level=1)
    table(doc, ["Indicator", "Eenheid", "Laatste periode", "Waarde", "Vorige", "Doel", "Cijfers van, bron en toelichting"],
          "{%tr for i in indicators %}",
          ["{{ i.title }}", "{{ i.unit }}", "{{ i.period }}", "{{ i.value }}", "{{ i.previous }}", "{{ i.target }}",
           "{{ i.producer }}{% if i.source %}; {{ i.source }}{% endif %}{% for n in i.notes %}; {{ n }}{% endfor %}"],
          [4.0, 1.5, 1.7, 1.4, 1.4, 1.4, 5.6])

    doc.add_heading("Doelen en stand", level=1)
    doc.add_paragraph("De doelen die op de peildatum golden, met het gemeten cijfer.")
    table(doc, ["Afspraak", "Periode", "Doel", "Gemeten", "Stand"], "{%tr for t in targets %}",
          ["{{ t.area }}.{{ t.position }} {{ t.commitment }}", "{{ t.period }}", "{{ t.target }}", "{{ t.figure }}", "{{ t.assessment }}"],
          [7.0, 1.8, 3.2, 2.0, 3.0])

    doc.add_heading("Openstaande toezeggingen", level=1)
    doc.add_paragraph("Toezeggingen en moties die op de peildatum openstonden.")
    table(doc, ["Soort", "Kamerstuk", "Wat", "Termijn", "Verantwoordelijk"], "{%tr for p in parliament %}",
          ["{{ p.kind_text }}", "{{ p.kamerstuk }}", "{{ p.text }}", "{{ p.due_text }} {{ p.overdue_text }}", "{{ p.owner }}"],
          [2.2, 2.6, 6.8, 3.2, 2.2])

    doc.add_heading("Capaciteit en budget", level=1)
    table(doc, ["Organisatie", "Wat", "Omvang", "Periode", "Bron"], "{%tr for c in capacity %}",
          ["{{ c.organisation }}", "{{ c.description }}", "{{ c.quantity_text }} {{ c.unit }}", "{{ c.period }}", "{{ c.source }}"],
          [2.5, 6.0, 2.5, 2.0, 4.0])

    page_number_footer(doc.sections[0])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
