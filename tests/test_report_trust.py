"""Figures a coordinator can sign (issue #11): closure counts wait for the second key on every surface that counts,
frozen reports never widen access (rule 7), publication figures are the same for every downloader, XLSX cells are typed."""
from __future__ import annotations

import io
import re
from datetime import date, datetime

from openpyxl import load_workbook
from sqlalchemy import select

from portal.actions import services as actions
from portal.i18n import today
from portal.reports import services as reports

from factories import current_areas


def _area(session):
    return current_areas(session)[0]


def _sheet(data: bytes, name: str) -> list[tuple]:
    return [tuple(row) for row in load_workbook(io.BytesIO(data))[name].iter_rows(values_only=True)]


def _area_row(rows, code):
    header = rows[0]
    row = next(r for r in rows[1:] if r[0] == code)
    return dict(zip(header, row, strict=False))


def test_a_requested_closure_counts_as_not_done_everywhere_until_confirmed(app, loaded, people, login_as):
    area = _area(loaded)
    item, _ = actions.create_item(loaded, people["kmar"], {"title": "Twee sleutels", "focus_area": area.code, "visibility": "public"})
    actions.request_closure(loaded, people["kmar"], item, item.version, "Klaar.")
    loaded.commit()
    client = login_as(app.test_client(), people["coordinator"])

    def figures():
        framework = next(r for r in client.get("/api/v1/framework").get_json() if r["code"] == area.code)
        report = reports.create_report(loaded, people["coordinator"], "Stand", today(), today())
        loaded.commit()
        api_report = client.get(f"/api/v1/reports/{report.id}").get_json()["summary"]
        xlsx = _area_row(_sheet(client.get(f"/reports/{report.id}/export.xlsx").data, "Speerpunten"), area.code)
        listed = client.get(f"/api/v1/action-items?status=done&focus_area={area.code}").get_json()["total"]
        csv = client.get(f"/actions/export.csv?focus_area={area.code}").get_data(as_text=True)
        page = client.get("/framework").get_data(as_text=True)
        dashboard = client.get("/").get_data(as_text=True)
        done_on_dashboard = re.search(rf"<td>{re.escape(area.code)} [^<]*</td><td>.*?</td><td><a [^>]*>(\d+)<", dashboard).group(1)
        return framework, api_report, xlsx, listed, csv, page + f"dashboard-done={done_on_dashboard}"

    framework, api_report, xlsx, listed, csv, page = figures()
    assert (framework["done"], framework["awaiting_confirmation"]) == (0, 1)
    assert (api_report["counts"]["done"], api_report["counts"]["awaiting_confirmation"]) == (0, 1)
    assert (xlsx["Afgerond"], xlsx["Wacht op bevestiging"]) == (0, 1)
    assert listed == 0 and "Wacht op bevestiging" in csv and "Afgerond" not in csv.split("\n", 1)[1]
    assert "Wacht op bevestiging" in page and page.endswith("dashboard-done=0")

    actions.confirm_closure(loaded, people["coordinator"], item, item.version)
    loaded.commit()
    framework, api_report, xlsx, listed, csv, page = figures()
    assert page.endswith("dashboard-done=1")
    assert (framework["done"], framework["awaiting_confirmation"]) == (1, 0)
    assert (api_report["counts"]["done"], api_report["counts"]["awaiting_confirmation"]) == (1, 0)
    assert (xlsx["Afgerond"], xlsx["Wacht op bevestiging"]) == (1, 0)
    assert listed == 1 and "Afgerond" in csv


def test_a_later_restriction_disappears_from_a_frozen_report_in_every_format(app, loaded, people, login_as):
    from docx import Document
    from pypdf import PdfReader

    area = _area(loaded)
    item, _ = actions.create_item(loaded, people["kmar"], {"title": "LATER-GEHEIM dossier", "focus_area": area.code})
    first = reports.create_report(loaded, people["coordinator"], "Eerste", today(), today())
    loaded.commit()
    ind = login_as(app.test_client(), people["ind"])
    assert "LATER-GEHEIM" in ind.get(f"/api/v1/reports/{first.id}").get_data(as_text=True)  # frozen while it was mdt

    actions.update_item(loaded, people["kmar"], item, item.version, {"visibility": "organisation"})
    second = reports.create_report(loaded, people["coordinator"], "Tweede", today(), today(), first.id)
    loaded.commit()
    assert ind.get(f"/actions/{item.id}").status_code == 404
    for path in (f"/reports/{first.id}", f"/reports/{second.id}?compare={first.id}", f"/api/v1/reports/{first.id}",
                 f"/reports/{first.id}/rows", f"/reports/{first.id}/rows?focus_area={area.code}"):
        assert "LATER-GEHEIM" not in ind.get(path).get_data(as_text=True), path
    xlsx = ind.get(f"/reports/{first.id}/export.xlsx").data
    assert not any("LATER-GEHEIM" in str(cell) for row in _sheet(xlsx, "Acties") for cell in row)
    docx = "\n".join(p.text for p in Document(io.BytesIO(ind.get(f"/reports/{first.id}/export.docx").data)).paragraphs)
    pdf = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(ind.get(f"/reports/{first.id}/export.pdf").data)).pages)
    assert "LATER-GEHEIM" not in docx and "LATER-GEHEIM" not in pdf
    assert ind.get(f"/api/v1/reports/{first.id}").get_json()["summary"]["total"] == 0
    # The owner still sees its own item in the frozen report.
    kmar = login_as(app.test_client(), people["kmar"])
    assert "LATER-GEHEIM" in kmar.get(f"/api/v1/reports/{first.id}").get_data(as_text=True)


def test_two_downloaders_of_a_publication_get_the_same_figures(app, loaded, people, login_as):
    from pypdf import PdfReader

    area = _area(loaded)
    for title, visibility in (("Openbaar een", "public"), ("Openbaar twee", "public"), ("Voor het MDT", "mdt"),
                              ("Alleen KMar", "organisation")):
        actions.create_item(loaded, people["kmar"], {"title": title, "focus_area": area.code, "visibility": visibility})
    report = reports.create_report(loaded, people["kmar_coordinator"], "Voor de Kamer", today(), today())
    loaded.commit()
    documents = {}
    for who in ("kmar", "bz", "coordinator"):
        client = login_as(app.test_client(), people[who])
        xlsx = client.get(f"/reports/{report.id}/export.xlsx?audience=public").data
        pdf = client.get(f"/reports/{report.id}/export.pdf?audience=public").data
        pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        made = re.compile(r"^Gemaakt op: .*$", re.MULTILINE)  # the moment of the download is the only difference
        documents[who] = (_sheet(xlsx, "Speerpunten"), _sheet(xlsx, "Organisaties"), _sheet(xlsx, "Acties"), made.sub("", pdf_text))
    assert documents["kmar"] == documents["bz"] == documents["coordinator"]
    areas, _orgs, listed, text = documents["kmar"]
    assert _area_row(areas, area.code)["Acties"] == 2
    assert {r[1] for r in listed[1:]} == {"Openbaar een", "Openbaar twee"}
    assert "Alleen KMar" not in text and "Voor het MDT" not in text and "alleen over openbare acties" in text
    # Internal exports still count what each may see: KMar four, BZ the two public ones.
    kmar_internal = _sheet(login_as(app.test_client(), people["kmar"]).get(f"/reports/{report.id}/export.xlsx").data, "Speerpunten")
    bz_internal = _sheet(login_as(app.test_client(), people["bz"]).get(f"/reports/{report.id}/export.xlsx").data, "Speerpunten")
    assert (_area_row(kmar_internal, area.code)["Acties"], _area_row(bz_internal, area.code)["Acties"]) == (4, 2)


def test_report_xlsx_cells_are_typed(app, loaded, people, login_as, db_session):
    from models import Indicator, Measurement

    assert db_session is loaded
    area = _area(loaded)
    actions.create_item(loaded, people["kmar"], {"title": "Met deadline", "focus_area": area.code, "due_date": date(2026, 10, 19)})
    from portal.indicators import services as indicators

    indicator = loaded.scalars(select(Indicator).order_by(Indicator.key)).first()
    loaded.execute(Measurement.__table__.delete().where(Measurement.indicator_id == indicator.id))
    for period, value in (("2023", "127714"), ("2024-Q3", "1500,5"), ("2024", "130000")):
        indicators.add_measurement(loaded, people["coordinator"], indicator, period, value, "Test", "")
    loaded.flush()
    report = reports.create_report(loaded, people["coordinator"], "Getallen", today(), today())
    loaded.commit()
    data = login_as(app.test_client(), people["coordinator"]).get(f"/reports/{report.id}/export.xlsx").data
    book = load_workbook(io.BytesIO(data))
    assert isinstance(book["Rapportage"]["B2"].value, datetime)
    actions_sheet = book["Acties"]
    header = [c.value for c in actions_sheet[1]]
    row = next(r for r in actions_sheet.iter_rows(min_row=2) if r[1].value == "Met deadline")
    deadline = row[header.index("Deadline")]
    assert deadline.value == datetime(2026, 10, 19) and deadline.is_date
    assert isinstance(row[header.index("Voortgang")].value, int)
    speerpunten = book["Speerpunten"]
    assert all(isinstance(c.value, int) for c in speerpunten[2][2:10])
    indicators = book["Indicatoren"]
    iheader = [c.value for c in indicators[1]]
    irow = next(r for r in indicators.iter_rows(min_row=2) if r[0].value == indicator.title)
    value = irow[iheader.index("Waarde")]
    assert value.value == 130000 and value.number_format == "#,##0"
    # Like with like: the previous figure of a year is the previous year, not the quarter in between.
    assert irow[iheader.index("Vorige periode (zelfde soort)")].value == "2023"
    assert irow[iheader.index("Vorige waarde")].value == 127714
