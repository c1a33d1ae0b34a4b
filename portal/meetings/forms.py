"""Forms of the meeting pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from .. import limits
from ..actions.forms import choices
from ..formtools import CheckboxList, at_most
from ..i18n import VISIBILITY_LABELS

REQUIRED = _l("Dit veld is verplicht.")


class MeetingForm(FlaskForm):
    series = SelectField(_l("Reeks"))
    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), at_most(limits.TITLE)])
    day = DateField(_l("Datum"), validators=[InputRequired(_l("Vul een geldige datum in."))], format="%Y-%m-%d")
    start = TimeField(_l("Begintijd"), validators=[InputRequired(_l("Vul een geldige tijd in."))], format="%H:%M")
    end = TimeField(_l("Eindtijd"), validators=[Optional()], format="%H:%M")
    location = StringField(_l("Locatie"), validators=[at_most(limits.PLACE)])
    is_online = BooleanField(_l("Online vergadering"))
    chair_organisation = SelectField(_l("Voorzitter (organisatie)"), default="")
    visibility = RadioField(_l("Wie mag deze vergadering zien?"), choices=choices(VISIBILITY_LABELS.items()), default="mdt",
                            validators=[InputRequired(_l("Kies wie de vergadering mag zien."))])
    shared_with = CheckboxList(_l("Delen met (bij 'eigen organisatie en gekozen partners')"))
    invited = CheckboxList(_l("Uitgenodigde organisaties"))


class AgendaForm(FlaskForm):
    title = StringField(_l("Agendapunt"), validators=[DataRequired(REQUIRED), at_most(limits.TITLE)])
    presenter = StringField(_l("Inleider"), validators=[at_most(limits.NAME)])
    duration_minutes = IntegerField(_l("Duur in minuten"), validators=[Optional(), NumberRange(1, 480, _l("Een duur van 1 tot 480 minuten."))])
    focus_area = SelectField(_l("Speerpunt"), default="")


class MinutesForm(FlaskForm):
    body = TextAreaField(_l("Notulen"), validators=[at_most(limits.MINUTES)])
    is_restricted = BooleanField(_l("Vertrouwelijk: alleen voor de aanwezige organisaties"))
    version = HiddenField()


class DecisionForm(FlaskForm):
    text = TextAreaField(_l("Besluit"), validators=[DataRequired(REQUIRED), at_most(limits.NOTE)])
    agenda_item_id = HiddenField()
    focus_area = SelectField(_l("Speerpunt"), default="")


class ErratumForm(FlaskForm):
    body = TextAreaField(_l("Correctie (erratum)"), validators=[DataRequired(REQUIRED), at_most(limits.NOTE)])


class PlainForm(FlaskForm):
    """Only the CSRF token."""
