"""Report exports: DOCX (docxtpl, Word template in the project), PDF (WeasyPrint, PDF/UA) and XLSX.

All three are built from one context: the frozen snapshot, filtered to what the
viewer may see. The publication variant lists only items and narratives marked
public; its counts are over the same rows (never over what the viewer cannot see).
"""
from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from flask import render_template

from models import Report, ReportNarrative, User

from ..charts import status_bars
from ..downloads import document_safe, pdf
from ..framework.state import RESPONSE_TEXT, STATE_TEXT
from ..i18n import date_time, long_date
from ..word import finish_table
from ..workbook import Workbook
from . import snapshot as snap
from .docx_template import FastTemplate

TEMPLATE = Path(__file__).parent / "templates" / "report.docx"
STATUS_TEXT = {"open": "open", "in_progress": "bezig", "blocked": "geblokkeerd", "awaiting_confirmation": "wacht op bevestiging",
               "done": "afgerond", "cancelled": "vervallen"}


FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


DIRECTION_TEXT = {"at_least": "ten minste", "at_most": "hoogstens"}
ASSESSMENT_TEXT = {"gehaald": "gehaald", "niet_gehaald": "niet gehaald", "op_koers": "op koers", "achter": "achter", "geen_cijfer": "nog geen cijfer"}


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _fmt(value) -> str:
    if value is None:
        return "n.b."
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else f"{value:g}"


def changes_since(previous: Report | None, rows: list[dict]) -> dict | None:
    """What changed since the previous report (by default the last one whose letter was sent), over the rows this document
    covers only (rule 7): new, closed, another status, a later due date; with one sentence that counts them."""
    if previous is None:
        return None
    before = {i["id"]: i for i in previous.snapshot["items"]}
    lines = []
    for row in rows:
        old = before.get(row["id"])
        if old is None:
            lines.append({**row, "change": "nieuw", "before_text": "", "after_text": STATUS_TEXT[row["status"]]})
        elif row["status"] != old["status"]:
            done = row["status"] in ("done", "cancelled")
            lines.append({**row, "change": "afgesloten" if done else "andere status", "before_text": STATUS_TEXT.get(old["status"], old["status"]),
                          "after_text": STATUS_TEXT[row["status"]]})
        elif row["due_date"] and old.get("due_date") and row["due_date"] > old["due_date"]:
            lines.append({**row, "change": "later klaar", "before_text": long_date(date.fromisoformat(old["due_date"]), "nl"),
                          "after_text": long_date(date.fromisoformat(row["due_date"]), "nl")})
    counts = {kind: sum(1 for line in lines if line["change"] == kind) for kind in ("nieuw", "afgesloten", "andere status", "later klaar")}
    as_of = long_date(previous.as_of, "nl")
    sentence = (f"Sinds de vorige rapportage (peildatum {as_of}): {_count(counts['nieuw'], 'actie', 'acties')} nieuw, "
                f"{counts['afgesloten']} afgerond of vervallen, {counts['andere status']} met een andere status en "
                f"{counts['later klaar']} met een latere deadline.")
    return {"previous_as_of": as_of, "previous_title": previous.title, "lines": lines, "counts": counts, "sentence": sentence}


def context(report: Report, narratives: Sequence[ReportNarrative], rows: list[dict], public: bool, reader: User | None = None,
            previous: Report | None = None) -> dict:
    """`rows`: the frozen rows the document covers (services.visible_rows, or services.public_rows for publication:
    then every figure is computed over the public rows alone and every downloader gets the same document). `reader`: whose
    restricted indicators show (None for publication). `previous`: the report it is compared with."""
    data = report.snapshot
    summary = snap.summarise(data, rows, None if public else reader)
    approved = [n for n in narratives if n.status == "approved" and (n.visibility == "public" or not public)]
    return document_safe({
        **_heading(data, public, reader),
        "summary_text": f"Stand op {long_date(date.fromisoformat(data['as_of']), 'nl')}: {_summary_sentence(summary)}",
        "summary": summary,
        **_figures(summary, approved),
        "changes": changes_since(previous, rows),
    })


def _figures(summary: dict, approved: Sequence[ReportNarrative]) -> dict:
    """The summary's parts as the documents print them."""
    areas = summary["focus_areas"]
    return {
        "areas": [_area(area, approved) for area in areas],
        "chart": status_bars([(a["code"], a["counts"]) for a in areas if a["total"]], "Acties per speerpunt naar status"),
        "recommendations": [_recommendation(r) for r in summary["recommendations"]],
        "indicators": [_indicator(i) for i in summary["indicators"]],
        "targets": [_target(a, c, t) for a in areas for c in a["commitments"] for t in c.get("targets", [])],
        "parliament": [_parliament(p) for p in summary["parliament"]],
        "capacity": [{**line, "quantity_text": _fmt(line["quantity"]) if line["quantity"] is not None else ""} for line in summary["capacity"]],
    }


def _parliament(p: dict) -> dict:
    return {**p, "kind_text": "Motie" if p["kind"] == "motie" else "Toezegging", "due_text": p["due_label"] or "geen termijn",
            "overdue_text": "termijn verstreken" if p["overdue"] else ""}


def _heading(data: dict, public: bool, reader: User | None) -> dict:
    """Title, author (the reader's organisation, else the MDT), framework, dates and audience of a document."""
    organisation = getattr(reader, "organisation", None)
    return {
        "title": data["title"], "as_of": data["as_of"],
        "author": getattr(organisation, "name", None) or "Multidisciplinair Team Mensensmokkel",
        "framework_title": (data.get("framework") or {}).get("title") or "Beleidskader aanpak mensensmokkel",
        "as_of_text": long_date(date.fromisoformat(data["as_of"]), "nl"),
        "generated_text": date_time(datetime.now(UTC), "nl"),
        "frozen_text": data["generated_at"],
        "public": public,
        "audience_text": ("Versie voor publicatie: alle cijfers en teksten gaan alleen over openbare acties "
                          "(openbaar bij het vastleggen en nu nog steeds)." if public
                          else "Intern: bevat niet-openbare informatie; niet publiceren. De cijfers gaan over de acties "
                               "die de ontvanger mag zien."),
    }


def _summary_sentence(summary: dict) -> str:
    c = summary["counts"]
    return (f"{_count(summary['total'], 'actie', 'acties')}, waarvan {c['done']} afgerond, {c['awaiting_confirmation']} wacht op "
            f"bevestiging, {c['in_progress']} bezig, {c['open']} open en {c['blocked']} geblokkeerd; {summary['overdue']} te laat.")


def _area(area: dict, approved: Sequence[ReportNarrative]) -> dict:
    """A focus area in words (every status, so the parts add up to the total), its rows and its approved narratives."""
    c = area["counts"]
    sentence = (f"{_count(area['total'], 'actie', 'acties')}: {c['done']} afgerond, {c['awaiting_confirmation']} wacht op bevestiging, "
                f"{c['in_progress']} bezig, {c['open']} open, {c['blocked']} geblokkeerd, {c['cancelled']} vervallen; "
                f"{area['overdue']} te laat.")
    if area["share_done"] is not None:
        sentence += f" Gewogen aandeel afgerond: {area['share_done']}%."
    listed = [{**i, "status_text": STATUS_TEXT[i["status"]],
               "due_text": long_date(date.fromisoformat(i["due_date"]), "nl") if i["due_date"] else "geen"} for i in area["items"]]
    return {**area, "sentence": sentence, "listed": listed,
            "narratives": [{"organisation": n.organisation.code, "text": n.text} for n in approved if n.focus_area.code == area["code"]]}


def _recommendation(r: dict) -> dict:
    # A measure the government announced itself has no government response: it prints as a measure.
    measure = r.get("kind") == "maatregel"
    return {**r, "response_text": "maatregel van het kabinet" if measure else str(RESPONSE_TEXT[r["response"]]),
            "kind_text": "Maatregel" if measure else "Aanbeveling", "state_text": str(STATE_TEXT[r["state"]])}


def _indicator(i: dict) -> dict:
    latest, previous = i["latest"], i["previous"]
    return {"title": i["title"], "unit": i["unit"], "period": latest["period"] if latest else "–",
            "value": _fmt(latest["value"]) if latest else "n.b.",
            "numbers": [latest["value"] if latest else None, previous["value"] if previous else None, i["target_value"]],
            "previous_period": previous["period"] if previous else "–",
            "previous": _fmt(previous["value"]) if previous else "–",
            "target": _fmt(i["target_value"]) if i["target_value"] is not None else "–",
            "producer": i.get("producer", ""), "source": i.get("source", ""), "definition": i.get("definition", ""),
            "notes": [f"{p['period']}: {p['note']}" for p in i["series"] if p.get("note")]
            + [f"Breuk vanaf {d['valid_from'][:4]}: {d['note']}" for d in i.get("definitions", []) if d.get("note")]}


def _target(area: dict, commitment: dict, t: dict) -> dict:
    return {"area": area["code"], "position": commitment["position"], "commitment": commitment["text"], "period": t["period"],
            "target": f"{DIRECTION_TEXT[t['direction']]} {_fmt(t['value'])} {t['unit']}", "value": t["value"], "unit": t["unit"],
            "figure": _fmt(t["figure"]) if t["figure"] is not None else "–", "figure_number": t["figure"],
            "figure_period": t["figure_period"] or "", "assessment": ASSESSMENT_TEXT[t["assessment"]], "note": t["note"]}


def to_docx(ctx: dict) -> bytes:
    doc = FastTemplate(str(TEMPLATE))
    doc.render(ctx, autoescape=True)
    if ctx.get("changes"):  # the comparison closes the annex, in the template's styles
        changes = ctx["changes"]
        doc.add_heading("Wat veranderde sinds de vorige rapportage", level=1)
        doc.add_paragraph(changes["sentence"])
        if changes["lines"]:
            table = doc.add_table(rows=1, cols=5)
            table.style = "Table Grid" if "Table Grid" in {s.name for s in doc.styles} else None
            for cell, text in zip(table.rows[0].cells, ("Nr.", "Actie", "Verandering", "Was", "Is nu"), strict=True):
                cell.text = text
            for line in changes["lines"]:
                for cell, text in zip(table.add_row().cells, (str(line["id"]), line["title"], line["change"], line["before_text"],
                                                              line["after_text"]), strict=True):
                    cell.text = text
            finish_table(table, [1.2, 7.0, 2.6, 3.0, 3.2])
    properties = doc.core_properties  # docxtpl renders the body, headers and footers; the properties are set here
    properties.title, properties.author, properties.last_modified_by = ctx["title"], ctx["author"], ctx["author"]
    properties.subject = f"Voortgang {ctx['framework_title']}, peildatum {ctx['as_of_text']}"
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def to_pdf(ctx: dict) -> bytes:
    # The chart as an image with alternative text (a tagged PDF carries an image's alt, not an inline SVG's label):
    # the same figures in words.
    uri = "data:image/svg+xml;base64," + base64.b64encode(str(ctx["chart"]).encode()).decode()
    alt = "Acties per speerpunt naar status. " + " ".join(f"{a['code']}: {a['sentence']}" for a in ctx["areas"] if a["total"])
    return pdf(render_template("reports/export.html", **ctx, chart_uri=uri, chart_alt=alt))


def _as_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def to_xlsx(ctx: dict) -> bytes:
    book = Workbook()
    _progress_sheets(book.sheet, ctx)
    _framework_sheets(book.sheet, ctx)
    return book.close()


def _progress_sheets(sheet, ctx: dict) -> None:
    """The report, its focus areas, actions and organisations."""
    sheet("Rapportage", ["Titel", "Peildatum", "Gemaakt op", "Versie"],
          [[ctx["title"], _as_date(ctx["as_of"]), ctx["generated_text"], ctx["audience_text"]]])
    sheet("Speerpunten", ["Speerpunt", "Titel", "Acties", "Afgerond", "Wacht op bevestiging", "Bezig", "Open", "Geblokkeerd", "Vervallen",
                          "Te laat", "Gewogen % afgerond"],
          [[a["code"], a["title"], a["total"], a["counts"]["done"], a["counts"]["awaiting_confirmation"], a["counts"]["in_progress"], a["counts"]["open"],
            a["counts"]["blocked"], a["counts"]["cancelled"], a["overdue"], a["share_done"]] for a in ctx["areas"]])
    sheet("Acties", ["Nummer", "Titel", "Speerpunt", "Eigenaar", "Status", "Voortgang", "Deadline", "Te laat"],
          [[i["id"], i["title"], a["code"], i["owner"], i["status_text"], i["progress"], _as_date(i["due_date"]), bool(i["overdue"])]
           for a in ctx["areas"] for i in a["listed"]])
    sheet("Organisaties", ["Organisatie", "Acties", "Afgerond", "Wacht op bevestiging", "Bezig", "Open", "Geblokkeerd", "Vervallen"],
          [[o["code"], o["total"], *(o["counts"][s] for s in ("done", "awaiting_confirmation", "in_progress", "open", "blocked", "cancelled"))]
           for o in ctx["summary"]["organisations"]])


def _framework_sheets(sheet, ctx: dict) -> None:
    """Recommendations, indicators, targets, Parliament, capacity, the changes and the narratives."""
    sheet("Aanbevelingen", ["Bron", "Soort", "Nr.", "Aanbeveling", "Reactie kabinet", "Stand van uitvoering", "Acties"],
          [[r["source_title"], r["kind_text"], r["number"], r["text"], r["response_text"], r["state_text"], len(r["item_ids"])]
           for r in ctx["recommendations"]])
    sheet("Indicatoren", ["Indicator", "Eenheid", "Laatste periode", "Waarde", "Vorige periode (zelfde soort)", "Vorige waarde", "Doel",
                          "Producent", "Bron", "Definitie", "Toelichting"],
          [[i["title"], i["unit"], i["period"], i["numbers"][0], i["previous_period"], i["numbers"][1], i["numbers"][2],
            i["producer"], i["source"], i["definition"], " | ".join(i["notes"])]
           for i in ctx["indicators"]])
    sheet("Doelen", ["Speerpunt", "Afspraak", "Periode", "Doel", "Eenheid", "Gemeten", "Gemeten over", "Stand", "Toelichting"],
          [[t["area"], f"{t['position']}. {t['commitment']}", t["period"], t["value"], t["unit"], t["figure_number"], t["figure_period"],
            t["assessment"], t["note"]] for t in ctx["targets"]])
    sheet("Toezeggingen", ["Soort", "Kamerstuk", "Tekst", "Datum", "Termijn", "Verantwoordelijk", "Termijn verstreken", "Acties"],
          [[p["kind_text"], p["kamerstuk"], p["text"], _as_date(p["made_on"]), p["due_text"], p["owner"] or "", bool(p["overdue"]),
            len(p["action_item_ids"])] for p in ctx["parliament"]])
    sheet("Capaciteit", ["Organisatie", "Wat", "Omvang", "Eenheid", "Periode", "Bron"],
          [[line["organisation"], line["description"], line["quantity"], line["unit"], line["period"], line["source"]] for line in ctx["capacity"]])
    changes = ctx.get("changes") or {"lines": []}
    sheet("Sinds vorige", ["Nummer", "Titel", "Speerpunt", "Verandering", "Was", "Is nu"],
          [[line["id"], line["title"], line["focus_area"] or "", line["change"], line["before_text"], line["after_text"]]
           for line in changes["lines"]])
    sheet("Toelichtingen", ["Speerpunt", "Organisatie", "Tekst"],
          [[a["code"], n["organisation"], n["text"]] for a in ctx["areas"] for n in a["narratives"]])
