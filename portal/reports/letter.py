"""The covering letter of a report: a Kamerbrief in its usual structure (sender block, addressee, date, kenmerk,
onderwerp, the text, "mede namens" where co-signed, the bewindspersoon's signature block), with the report as its annex.
Its figures are the publication variant's (rule 7: the letter goes to Parliament), so they equal the annex for publication."""
from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.shared import Pt

from ..downloads import document_safe
from ..i18n import long_date
from ..word import fixed_widths, style_document

SENDER = ("Ministerie van Justitie en Veiligheid", "Turfmarkt 147", "2511 DP  Den Haag", "Postbus 20301", "2500 EH  Den Haag")
ADDRESSEE = ("Aan de Voorzitter van de Tweede Kamer", "der Staten-Generaal", "Postbus 20018", "2500 EA  DEN HAAG")
# The Beleidskader names the staatssecretaris of Justitie en Veiligheid as the bewindspersoon responsible for the aanpak.
DEFAULT_SIGNER = "De Staatssecretaris van Justitie en Veiligheid"
FIELDS = ("kenmerk", "onderwerp", "mede_namens", "ondertekenaar", "naam")
LIMITS = {"kenmerk": 100, "onderwerp": 300, "mede_namens": 300, "ondertekenaar": 200, "naam": 200}


def letter_fields(args) -> dict[str, str]:
    """What the coordinator filled in (query string of the download form), each within its limit."""
    return {name: str(args.get(name) or "").strip()[:LIMITS[name]] for name in FIELDS}


def to_docx(ctx: dict, fields: dict[str, str], today: date) -> bytes:
    """`ctx`: the publication context of the report (exports.context with public=True)."""
    f = document_safe(fields)
    subject = f["onderwerp"] or f"Voortgang aanpak mensensmokkel, stand {ctx['as_of_text']}"
    doc = Document()
    style_document(doc, f"Kamerbrief: {subject}", subject, SENDER[0])
    for line in SENDER:
        doc.add_paragraph(line).paragraph_format.space_after = Pt(0)
    doc.add_paragraph()
    for line in ADDRESSEE:
        doc.add_paragraph(line).paragraph_format.space_after = Pt(0)
    doc.add_paragraph()
    facts = doc.add_table(rows=0, cols=2)
    for label, value in (("Datum", long_date(today, "nl")), ("Onderwerp", subject), ("Ons kenmerk", f["kenmerk"] or "[kenmerk]"),
                         ("Bijlage(n)", f"1. {ctx['title']} (peildatum {ctx['as_of_text']})")):
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = label, value
    fixed_widths(facts, [3.5, 13.5])
    doc.add_paragraph()
    opening = ("Hierbij informeer ik uw Kamer"
               + (f", mede namens {f['mede_namens']}," if f["mede_namens"] else "")
               + f" over de voortgang van de aanpak van mensensmokkel volgens het {ctx['framework_title']}.")
    doc.add_paragraph(opening)
    doc.add_paragraph(ctx["summary_text"].replace("Stand op", "De stand op", 1)
                      + " In de bijlage staat per speerpunt wat er is gedaan, met de doelen, de cijfers en de toezeggingen.")
    changes = ctx.get("changes")
    if changes:
        doc.add_paragraph(changes["sentence"])
    if ctx["parliament"]:
        doc.add_paragraph(f"Op de peildatum stonden {len(ctx['parliament'])} toezeggingen en moties open; de bijlage noemt ze "
                          "met hun termijn.")
    doc.add_paragraph("Ik vertrouw erop uw Kamer hiermee voldoende te hebben geïnformeerd.")
    doc.add_paragraph()
    doc.add_paragraph((f["ondertekenaar"] or DEFAULT_SIGNER) + ",")
    for _ in range(3):
        doc.add_paragraph()
    doc.add_paragraph(f["naam"] or "[naam]")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
