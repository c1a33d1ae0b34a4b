"""Forms of the action item pages (Flask-WTF: CSRF and type checks; business rules live in services)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from models import Commitment, FocusArea, Organisation, User

from .. import focus_areas, limits
from ..extensions import db
from ..formtools import CheckboxList, at_most
from ..i18n import VISIBILITY_LABELS
from ..inputs import bounded_int
from .queries import recommendation_choices, recommendation_groups

REQUIRED = _l("Dit veld is verplicht.")


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class PercentField(IntegerField):
    """A whole number from 0 to 100, with one Dutch message for every kind of wrong input."""

    message = _l("Vul een getal van 0 tot en met 100 in.")

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] not in ("", None):
            try:
                self.data = int(valuelist[0])
            except ValueError:
                self.data = None
                raise ValueError(self.message) from None


class ItemForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), at_most(limits.TITLE)])
    description = TextAreaField(_l("Omschrijving"), validators=[Optional(), at_most(limits.DESCRIPTION)])
    owner_organisation = SelectField(_l("Eigenaar (organisatie)"))
    assignee_id = SelectField(_l("Uitvoerder"), coerce=lambda v: int(v) if v not in (None, "", "None") else None)
    due_date = DateField(_l("Deadline"), validators=[Optional()], format="%Y-%m-%d")
    focus_area = SelectField(_l("Speerpunt"), default="")
    commitment_id = SelectField(_l("Afspraak uit het beleidskader"), default=None,
                                coerce=lambda v: int(v) if v not in (None, "", "None") else None)
    recommendation_ids = SelectMultipleField(_l("Aanbevelingen"), coerce=int)
    contributing_organisations = CheckboxList(_l("Bijdragende organisaties"))
    visibility = RadioField(_l("Wie mag deze actie zien?"), choices=choices(VISIBILITY_LABELS.items()),
                            validators=[InputRequired(_l("Kies wie de actie mag zien."))])
    shared_with = CheckboxList(_l("Delen met (bij 'eigen organisatie en gekozen partners')"))
    version = HiddenField()
    submission_key = HiddenField()
    meeting_id = HiddenField()
    agenda_item_id = HiddenField()

    def fill_choices(self, owner_code: str | None) -> None:
        orgs = db.session.scalars(select(Organisation).where(Organisation.taking_part()).order_by(Organisation.code)).all()
        org_choices = [(o.code, f"{o.code} – {o.name}") for o in orgs]
        self.owner_organisation.choices = choices(org_choices)
        self.contributing_organisations.choices = choices(org_choices)
        self.shared_with.choices = choices(org_choices)
        areas = focus_areas.ordered(db.session)
        self.focus_area.choices = choices([("", _l("Geen speerpunt"))] + [(a.code, f"{a.code} {a.title}") for a in areas])
        commitments = db.session.scalars(select(Commitment).join(FocusArea).order_by(FocusArea.position, Commitment.position)
                                         .options(selectinload(Commitment.focus_area))).all()
        self.commitment_id.choices = choices([(None, _l("Geen bepaalde afspraak"))] + [
            (c.id, f"{c.focus_area.code}.{c.position} {c.text[:80]}") for c in commitments])
        recs = db.session.execute(recommendation_choices()).all()
        self.recommendation_ids.choices = choices((r.id, f"{r.title} {r.number}: {r.text}") for r in recs)
        # The picker shows them grouped per source with their full text (templates/macros/pickers.html).
        self.recommendation_groups = recommendation_groups(recs)
        people = db.session.scalars(
            select(User).join(Organisation).where(User.is_active.is_(True), Organisation.code == owner_code).order_by(User.name)
        ).all() if owner_code else []
        self.assignee_id.choices = choices([(None, _l("Nog niet toegewezen"))] + [(u.id, u.name) for u in people])

    def data_for_service(self) -> dict:
        return {
            "title": self.title.data, "description": self.description.data or "",
            "owner_organisation": self.owner_organisation.data, "assignee_id": self.assignee_id.data,
            "due_date": self.due_date.data, "focus_area": self.focus_area.data or None, "commitment_id": self.commitment_id.data,
            "recommendation_ids": list(self.recommendation_ids.data or []),
            "contributing_organisations": list(self.contributing_organisations.data or []),
            "visibility": self.visibility.data, "shared_with": list(self.shared_with.data or []),
            **({"meeting_id": bounded_int(self.meeting_id.data), "agenda_item_id": bounded_int(self.agenda_item_id.data)}
               if self.meeting_id.data else {}),
        }


class UpdateForm(FlaskForm):
    note = TextAreaField(_l("Wat is er gebeurd?"), validators=[DataRequired(REQUIRED), at_most(limits.NOTE)])
    status = SelectField(_l("Status"), choices=choices([("open", _l("Open")), ("in_progress", _l("Bezig")), ("blocked", _l("Geblokkeerd"))]))
    progress = PercentField(_l("Voortgang in procenten"), validators=[InputRequired(PercentField.message),
                                                                  NumberRange(0, 100, PercentField.message)])
    version = HiddenField()


class ClosureForm(FlaskForm):
    closing_note = TextAreaField(_l("Afsluitende toelichting"), validators=[DataRequired(REQUIRED), at_most(limits.NOTE)])
    evidence = FileField(_l("Bewijsstuk (optioneel)"))
    version = HiddenField()


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reden"), validators=[DataRequired(REQUIRED), at_most(limits.NOTE)])
    version = HiddenField()


class ConfirmForm(FlaskForm):
    version = HiddenField()


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Reactie"), validators=[DataRequired(REQUIRED), at_most(limits.NOTE)])


class AttachmentForm(FlaskForm):
    file = FileField(_l("Bestand"), validators=[DataRequired(_l("Kies een bestand."))])
    is_evidence = BooleanField(_l("Dit is bewijs voor de afronding"))
