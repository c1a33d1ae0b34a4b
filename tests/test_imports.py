"""Imports people bring from their own workbooks: a title row above the headers, a "Totaal" row, merged-looking empty
cells, "BuZa" for BZ, an unknown column. The recommendations of a new report with the government's response
(POST /recommendations/import) and the action list (no dead end when a column is not recognised)."""
from __future__ import annotations

import io
import json

from sqlalchemy import select

from models import Recommendation, RecommendationResponse, Source

from factories import xlsx

WORKBOOK = [
    ["Aanbevelingen Inspectie JenV, rapport 2026", None, None, None, None],
    [None, None, None, None, None],
    ["Nr.", "Aanbeveling", "Gericht aan", "Reactie kabinet", "Opmerking intern"],
    [1, "Versterk de informatiepositie aan de grens.", "KMar en Politie", "overgenomen", "x"],
    [2, "Leg de samenwerking met het buitenland vast.", "BuZa", "deels overgenomen", None],
    [3, "Meet de resultaten per jaar.", "JenV", None, None],
    ["Totaal", "3 aanbevelingen", None, None, None],
]


def _source(db_session) -> Source:
    source = Source(key="inspectie-2026-test", kind="inspectierapport", title="Grenstoezicht 2026")
    db_session.add(source)
    db_session.commit()
    return source


def _upload(client, source_id, rows, merged=(), **form):
    data = {"file": (io.BytesIO(xlsx(rows, merged)), "aanbevelingen.xlsx"), "source_id": str(source_id), **form}
    return client.post("/api/v1/recommendations/import", data=data, headers=client.headers, content_type="multipart/form-data")


def test_a_realistic_workbook_previews_then_imports_every_line_with_its_response(api, db_session):
    coordinator = api("JENV", "coordinator")
    source = _source(db_session)
    preview = _upload(coordinator, source.id, WORKBOOK)
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert body["ok"] and [line["line"] for line in body["lines"]] == [4, 5, 6]  # title row skipped, total row left out
    assert body["lines"][0]["values"]["addressees"] == ["KMAR", "POL"] and body["lines"][1]["values"]["addressees"] == ["BZ"]
    assert body["mapping"]["number"] == 0 and body["mapping"]["stance"] == 3
    assert db_session.scalars(select(Recommendation).where(Recommendation.source_id == source.id)).first() is None  # a preview stores nothing
    stored = _upload(coordinator, source.id, WORKBOOK, commit="true")
    assert stored.status_code == 201 and stored.get_json()["imported"] == 3
    recs = db_session.scalars(select(Recommendation).where(Recommendation.source_id == source.id).order_by(Recommendation.number)).all()
    assert [r.number for r in recs] == [1, 2, 3]
    stances = {r.recommendation_id: r.stance for r in db_session.scalars(select(RecommendationResponse).where(
        RecommendationResponse.recommendation_id.in_([r.id for r in recs])))}
    assert stances == {recs[0].id: "overgenomen", recs[1].id: "deels"}
    # The same file again: every number is taken, nothing more is stored.
    again = _upload(coordinator, source.id, WORKBOOK, commit="true")
    assert again.status_code == 422 and set(again.get_json()["error"]["fields"]) == {"regel 4", "regel 5", "regel 6"}


def test_merged_cells_count_for_every_line_they_cover(api, db_session):
    """A coordinator merges "Gericht aan" over two lines and the response over three, and the title over the columns:
    each line gets what it shows on screen (openpyxl's read-only mode does not read merges; sheets.py does)."""
    coordinator = api("JENV", "coordinator")
    rows = [list(row) for row in WORKBOOK]
    rows[4][2], rows[4][3], rows[5][3] = None, None, None  # emptied by the merges, as Excel stores them
    preview = _upload(coordinator, _source(db_session).id, rows, merged=("A1:E1", "C4:C5", "D4:D6"))
    assert preview.status_code == 200, preview.get_json()
    lines = preview.get_json()["lines"]
    assert [line["line"] for line in lines] == [4, 5, 6]
    assert [line["values"]["addressees"] for line in lines] == [["KMAR", "POL"], ["KMAR", "POL"], ["JENV"]]
    assert {line["values"]["stance"] for line in lines} == {"overgenomen"}


def test_a_bad_line_stores_nothing_and_an_unknown_column_gets_a_choice(api, db_session):
    coordinator = api("JENV", "coordinator")
    source = _source(db_session)
    bad = [row[:] for row in WORKBOOK]
    bad[4][2] = "Defensie"  # no partner: the line is refused
    refused = _upload(coordinator, source.id, bad, commit="true")
    assert refused.status_code == 422 and "regel 5" in refused.get_json()["error"]["fields"]
    assert db_session.scalars(select(Recommendation).where(Recommendation.source_id == source.id)).first() is None
    renamed = [row[:] for row in WORKBOOK]
    renamed[2][1] = "Wat de Inspectie vraagt"  # a header nobody guessed: the user maps it
    preview = _upload(coordinator, source.id, renamed).get_json()
    assert preview["mapping"]["text"] is None and not preview["ok"]
    mapped = _upload(coordinator, source.id, renamed, mapping=json.dumps({"text": 1})).get_json()
    assert mapped["ok"] and mapped["lines"][0]["values"]["text"].startswith("Versterk")
    member = api("KMAR", "member")
    assert _upload(member, source.id, WORKBOOK).status_code == 403
    assert _upload(coordinator, 999999, WORKBOOK).status_code == 422


def test_the_action_list_import_reads_a_title_row_a_total_and_buza(app, client, loaded, make_user, login_as):
    import re

    login_as(client, make_user("JENV", role="coordinator"))
    page = client.get("/actions/import")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    rows = [["Actielijst MDT, stand november"], ["Actiepunt", "Trekker", "Deadline"], ["Werkafspraken vastleggen", "BuZa", "2026-12-31"],
            ["Totaal", None, None]]
    preview = client.post("/actions/import", data={"csrf_token": token, "file": (io.BytesIO(xlsx(rows)), "lijst.xlsx")},
                          content_type="multipart/form-data")
    assert preview.status_code == 200, preview.text[:3000]
    assert "Werkafspraken vastleggen" in preview.text and "Totaal" not in preview.text.split("<tbody", 1)[-1]
    unknown = [["Wat", "Wie"], ["Iets doen", "KMar"]]
    shown = client.post("/actions/import", data={"csrf_token": token, "file": (io.BytesIO(xlsx(unknown)), "lijst.xlsx")},
                        content_type="multipart/form-data")
    assert shown.status_code == 422 and "<select" in shown.text  # a column choice, not a dead end
