"""Forms of the report pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from .. import limits
from ..formtools import at_most

REQUIRED = _l("Dit veld is verplicht.")


class ReportForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), at_most(limits.TITLE)])
    as_of = DateField(_l("Peildatum"), validators=[InputRequired(_l("Vul een geldige peildatum in."))], format="%Y-%m-%d")
    previous_report_id = SelectField(_l("Vergelijken met eerdere rapportage"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                                     validators=[Optional()])
    framework_id = SelectField(_l("Beleidskader"), coerce=lambda v: int(v) if v not in (None, "", "None") else None, validators=[Optional()])


class NarrativeForm(FlaskForm):
    focus_area = SelectField(_l("Speerpunt"))
    text = TextAreaField(_l("Toelichting"), validators=[DataRequired(REQUIRED), at_most(limits.TEXT)])
    visibility = RadioField(_l("Mag deze tekst openbaar worden?"), default="mdt",
                            choices=[SelectChoice("mdt", _l("Nee, alleen voor MDT-partners")), SelectChoice("public", _l("Ja, geschikt voor publicatie"))])


class RoundForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), at_most(limits.TITLE)])
    message = TextAreaField(_l("Bericht aan de organisaties"), validators=[at_most(limits.TEXT)])
    deadline = DateField(_l("Uiterste datum"), validators=[InputRequired(_l("Vul een geldige uiterste datum in."))], format="%Y-%m-%d")


class PlainForm(FlaskForm):
    """Only the CSRF token (approve, close)."""
