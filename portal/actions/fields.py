"""What an action item's fields may hold, checked for a create or edit from a page, the API or an import: each field's
rule (Cleaning), and who may change who sees the item (rule 3)."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import VISIBILITIES, ActionItem, AgendaItem, Commitment, Meeting, Organisation, Recommendation, User

from .. import audience, focus_areas, limits
from ..errors import ValidationFailed
from ..validation import Cleaning, run_cleaners
from ..validation import text as clean_text
from ..visibility import can_view_record
from .permissions import can_choose_owner


def _org_list(c: Cleaning, name: str, label: str) -> list[Organisation]:
    codes = c.data.get(name) or []
    if not isinstance(codes, (list, tuple)) or not all(isinstance(code, str) for code in codes):
        c.fields[name] = _("%(label)s: geef een lijst met organisatiecodes.", label=label)
        return []
    unknown = [code for code in codes if code not in c.orgs()]
    if unknown:
        c.fields[name] = _("Onbekende organisatie: %(codes)s.", codes=", ".join(unknown))
        return []
    return [c.orgs()[code] for code in dict.fromkeys(codes)]


def _title(c: Cleaning) -> None:
    c.out["title"] = clean_text(c.fields, "title", c.data.get("title"), _("De titel"), limits.TITLE, required=True)


def _description(c: Cleaning) -> None:
    c.out["description"] = clean_text(c.fields, "description", c.data.get("description"), _("De omschrijving"), limits.DESCRIPTION, required=False)


def _owner(c: Cleaning) -> None:
    code = c.data.get("owner_organisation") or c.actor.organisation.code
    if code not in c.orgs():
        c.fields["owner_organisation"] = _("Kies een bestaande organisatie als eigenaar.")
    else:
        c.out["owner_organisation"] = c.orgs()[code]


def _contributors(c: Cleaning) -> None:
    c.out["contributing_organisations"] = _org_list(c, "contributing_organisations", "Bijdragende organisaties")


def _shared_with(c: Cleaning) -> None:
    c.out["shared_with"] = _org_list(c, "shared_with", "Gedeeld met")


def _visibility(c: Cleaning) -> None:
    visibility = c.data.get("visibility") or "mdt"
    if visibility not in VISIBILITIES:
        c.fields["visibility"] = _("Kies wie de actie mag zien.")
    c.out["visibility"] = visibility


def _focus_area(c: Cleaning) -> None:
    code = c.data.get("focus_area")
    area = focus_areas.by_code(c.session, code)
    if code and area is None:
        c.fields["focus_area"] = _("Kies een bestaand speerpunt.")
    c.out["focus_area"] = area


def _recommendations(c: Cleaning) -> None:
    ids = c.data.get("recommendation_ids") or []
    if not isinstance(ids, (list, tuple)) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        c.fields["recommendation_ids"] = _("Geef een lijst met nummers van aanbevelingen.")
        return
    recs = c.session.scalars(select(Recommendation).where(Recommendation.id.in_(ids))).all()
    if len(recs) != len(set(ids)):
        c.fields["recommendation_ids"] = _("Een of meer aanbevelingen bestaan niet.")
    c.out["recommendations"] = sorted(recs, key=lambda r: r.id)


def _commitment(c: Cleaning) -> None:
    commitment_id = c.data.get("commitment_id")
    commitment = c.session.get(Commitment, commitment_id) if isinstance(commitment_id, int) else None
    if commitment_id is not None and commitment is None:
        c.fields["commitment_id"] = _("Kies een bestaande afspraak.")
    area = c.current("focus_area")
    if commitment is not None and (area is None or commitment.focus_area_id != area.id):
        c.fields["commitment_id"] = _("Deze afspraak hoort bij een ander speerpunt; kies het speerpunt van de afspraak.")
    c.out["commitment"] = commitment


def _meeting(c: Cleaning) -> None:
    """The meeting (and agenda item) the item comes from: one the actor may see, and an agenda item of it."""
    meeting_id, agenda_item_id = c.data.get("meeting_id"), c.data.get("agenda_item_id")
    meeting = c.session.get(Meeting, meeting_id) if isinstance(meeting_id, int) else None
    agenda_item = c.session.get(AgendaItem, agenda_item_id) if isinstance(agenda_item_id, int) else None
    if meeting_id is not None and (meeting is None or not can_view_record(c.actor, meeting)):
        c.fields["meeting_id"] = _("Deze vergadering bestaat niet.")
        meeting = None
    elif agenda_item_id is not None and (agenda_item is None or meeting is None or agenda_item.meeting_id != meeting.id):
        c.fields["agenda_item_id"] = _("Dit agendapunt hoort niet bij deze vergadering.")
    c.out["meeting_id"] = meeting.id if meeting else None
    c.out["agenda_item_id"] = agenda_item.id if agenda_item and meeting else None


def _due_date(c: Cleaning) -> None:
    due = c.data.get("due_date")
    if due is not None and not isinstance(due, date):
        c.fields["due_date"] = _("Vul een geldige datum in.")
    elif due is not None and not date(2000, 1, 1) <= due <= date(2100, 12, 31):
        c.fields["due_date"] = _("Vul een datum tussen 2000 en 2100 in.")
    c.out["due_date"] = due


def _assignee(c: Cleaning) -> None:
    assignee_id = c.data.get("assignee_id")
    assignee = c.session.get(User, assignee_id) if isinstance(assignee_id, int) else None
    owner = c.current("owner_organisation")
    if assignee_id is not None and (assignee is None or not assignee.is_active):
        c.fields["assignee_id"] = _("Kies een bestaande, actieve gebruiker.")
    elif assignee is not None and owner is not None and assignee.organisation_id != owner.id:
        c.fields["assignee_id"] = _("De uitvoerder moet bij de eigenaar-organisatie horen.")
    c.out["assignee"] = assignee


# (input field, cleaner, also on a create without the field). Order matters where a cleaner reads another's
# result: the owner before the assignee, the focus area before the commitment.
_CLEANERS = (
    ("title", _title, True), ("description", _description, False), ("owner_organisation", _owner, True),
    ("contributing_organisations", _contributors, False), ("shared_with", _shared_with, False),
    ("visibility", _visibility, True), ("focus_area", _focus_area, False), ("recommendation_ids", _recommendations, False),
    ("commitment_id", _commitment, False), ("meeting_id", _meeting, False), ("due_date", _due_date, False),
    ("assignee_id", _assignee, False),
)


def clean_item_data(session: Session, actor: User, data: dict, item: ActionItem | None = None) -> dict:
    """Check every field of a create or edit; raises ValidationFailed with a Dutch message per field.

    `data` holds plain values: codes for organisations and focus areas, ids for
    recommendations and assignee, a date or None for due_date.
    """
    c = run_cleaners(Cleaning(session, actor, data, item), _CLEANERS)
    _check_owner_side(c)
    if c.fields:
        raise ValidationFailed(c.fields)
    return c.out


def _check_owner_side(c: Cleaning) -> None:
    out, fields, item, actor = c.out, c.fields, c.item, c.actor
    # Rule 3, who changes who may see (mass assignment is checked, not trusted): visibility, shares and
    # contributors belong to the owner organisation; the owner itself only to its coordinators.
    owner = out.get("owner_organisation")
    current_owner = item.owner_organisation_id if item else actor.organisation_id
    owner_side = actor.organisation_id == current_owner
    if owner is not None and owner.id != current_owner and not (can_choose_owner(actor) and owner_side):
        fields["owner_organisation"] = _("Alleen een coördinator van de eigenaar-organisatie kan de eigenaar wijzigen.")
    if item is not None:
        try:
            audience.check(actor, item, [name for name in audience.RULES[ActionItem].fields
                                         if name in out and out[name] != getattr(item, name)])
        except ValidationFailed as exc:
            fields.update(exc.fields)
    if c.current("visibility") == "partners" and not c.current("shared_with"):
        fields.setdefault("shared_with", _("Kies met welke partners u de actie deelt."))
