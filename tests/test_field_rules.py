"""One source for field rules (#25): every text limit lives in portal/limits.py. Services, forms, the OpenAPI document
and pages read it from there; a limit written anywhere else is found, and the page, the API and the document agree on
where a field's limit lies."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from sqlalchemy import func, select

from models import ActionItem
from portal import limits
from portal.api.openapi import document

ROOT = Path(__file__).resolve().parents[1]
PORTAL = ROOT / "portal"
NOT_TEXT_LIMITS = {"INT_MAX", "JSON_INT_MAX", "MIMETYPE_MAX"}  # numbers and a file format's field, not text a person writes


def _own_limits(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name.endswith("Length") and any(k.arg in ("max", "min") and isinstance(k.value, ast.Constant) for k in node.keywords):
                found.append(f"{node.lineno}: {name}(max=...)")
            if name in ("clean_text", "validation.text", "text") and len(node.args) >= 5 and isinstance(node.args[4], ast.Constant):
                found.append(f"{node.lineno}: {name}(..., {node.args[4].value})")
            # A JSON body's limit (api/bodies*.py): pydantic's Field(max_length=...) or the bodies' _text(...)
            if name in ("Field", "_text") and any(k.arg in ("max_length", "min_length", "maximum") and isinstance(k.value, ast.Constant)
                                                  and k.value.value not in (0, 1) for k in node.keywords):
                found.append(f"{node.lineno}: {name}(max_length=...)")
            if name == "_text" and node.args and isinstance(node.args[0], ast.Constant):
                found.append(f"{node.lineno}: _text({node.args[0].value})")
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "maxLength" and isinstance(value, ast.Constant):
                    found.append(f"{node.lineno}: maxLength {value.value}")
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, int):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id.endswith("_MAX") and target.id not in NOT_TEXT_LIMITS:
                    found.append(f"{node.lineno}: {target.id} = {node.value.value}")
    return found


def test_no_text_limit_is_written_outside_its_one_definition():
    found = {str(p.relative_to(ROOT)): lines for p in sorted(PORTAL.rglob("*.py")) if p.name != "limits.py" and (lines := _own_limits(p))}
    templates = {str(p.relative_to(ROOT)): re.findall(r'maxlength="\d+"', p.read_text(encoding="utf-8")) for p in (ROOT / "templates").rglob("*.html")}
    assert (found, {k: v for k, v in templates.items() if v}) == ({}, {}), "use portal/limits.py"


def test_the_scan_finds_a_limit_of_its_own(tmp_path):
    code = tmp_path / "forms.py"
    code.write_text('title = StringField("Titel", validators=[Length(max=300)])\nTITLE_MAX = 300\nS = {"title": {"maxLength": 300}}\n'
                    'x = clean_text(fields, "title", v, "De titel", 300)\nT = Annotated[str, Field(max_length=300)]\nU = Annotated[str, _text(300)]\n',
                    encoding="utf-8")
    assert sorted(line.split(":")[0] for line in _own_limits(code)) == ["1", "2", "3", "4", "5", "6"]


def test_every_limit_in_the_api_document_is_one_of_the_definitions(app):
    with app.test_request_context():
        spec = document()
    known = {v for k, v in vars(limits).items() if k.isupper() and isinstance(v, int)}
    stated = {int(m) for m in re.findall(r"'maxLength': (\d+)", str(spec))}
    assert stated and stated <= known, stated - known
    create = spec["paths"]["/action-items"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert create["properties"]["title"]["maxLength"] == limits.TITLE


def test_the_page_and_the_api_refuse_the_same_title_length(api, login_as, make_user, app, db_session):
    """At the limit both take it; one character more both refuse it, and nothing is stored."""
    client = api("KMAR")
    at, over = "x" * limits.TITLE, "x" * (limits.TITLE + 1)
    assert client.post("/api/v1/action-items", json={"title": at, "visibility": "mdt"}, headers=client.headers).status_code == 201
    refused = client.post("/api/v1/action-items", json={"title": over, "visibility": "mdt"}, headers=client.headers)
    assert refused.status_code == 422 and "title" in refused.get_json()["error"]["fields"]
    page = login_as(app.test_client(), make_user("KMAR"))
    csrf = page.get("/api/v1/me").get_json()["csrf_token"]
    form = {"csrf_token": csrf, "description": "", "visibility": "mdt", "owner_organisation": "KMAR", "assignee_id": "", "due_date": "",
            "focus_area": ""}
    assert page.post("/actions/new", data={**form, "title": over}).status_code == 422
    assert page.post("/actions/new", data={**form, "title": at}).status_code == 302
    assert db_session.scalar(select(func.count()).select_from(ActionItem).where(func.length(ActionItem.title) > limits.TITLE)) == 0
