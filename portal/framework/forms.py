"""Forms of the framework and follow-up pages: labels and hints here, validation in the services."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..formtools import CheckboxList


class TargetForm(FlaskForm):
    period = StringField(_l("Periode"))
    value = StringField(_l("Doelwaarde"))
    unit = StringField(_l("Eenheid"))
    direction = SelectField(_l("Richting"), choices=[SelectChoice("at_least", _l("ten minste")), SelectChoice("at_most", _l("hoogstens"))])
    indicator = SelectField(_l("Gemeten met indicator"), choices=[], validate_choice=False)
    organisation = SelectField(_l("Verantwoordelijke organisatie"), choices=[], validate_choice=False)
    valid_from = StringField(_l("Geldt vanaf"))
    reason = TextAreaField(_l("Reden van de wijziging"))
    note = TextAreaField(_l("Toelichting"))
    source = SelectField(_l("Vastgesteld in (document)"), choices=[], validate_choice=False)


class ResponseForm(FlaskForm):
    base_response = HiddenField()
    stance = SelectField(_l("Standpunt"), choices=[SelectChoice("overgenomen", _l("Overgenomen")), SelectChoice("deels", _l("Deels overgenomen")),
                                                   SelectChoice("niet", _l("Niet overgenomen")), SelectChoice("onbekend", _l("Nog niet bepaald"))])
    text = TextAreaField(_l("Reactie"))
    responded_on = StringField(_l("Datum van de reactie"))
    document = SelectField(_l("Document met de reactie"), choices=[], validate_choice=False)
    document_title = StringField(_l("Of: titel van een ander document"))
    kamerstuk = StringField(_l("Kamerstuknummer"))
    url = StringField(_l("Link naar het document"))
    reason = TextAreaField(_l("Reden van de wijziging"))


class ParliamentForm(FlaskForm):
    version = HiddenField()
    kind = SelectField(_l("Soort"), choices=[SelectChoice("toezegging", _l("Toezegging")), SelectChoice("motie", _l("Motie"))])
    kamerstuk = StringField(_l("Kamerstuknummer"))
    text = TextAreaField(_l("Wat is toegezegd of gevraagd"))
    made_on = StringField(_l("Datum"))
    owner_organisation = SelectField(_l("Verantwoordelijke organisatie"), choices=[], validate_choice=False)
    due = StringField(_l("Termijn"))
    status = SelectField(_l("Stand"), choices=[SelectChoice("open", _l("Open")), SelectChoice("fulfilled", _l("Nagekomen")),
                                               SelectChoice("partly_fulfilled", _l("Deels nagekomen")), SelectChoice("lapsed", _l("Vervallen"))])
    made_in = StringField(_l("Waar toegezegd"))
    member = StringField(_l("Kamerlid"))
    due_reason = TextAreaField(_l("Reden voor een nieuwe termijn"))
    closed_on = StringField(_l("Nagekomen of vervallen op"))
    fulfilled_by = SelectField(_l("Brief die de toezegging nakomt"), choices=[], validate_choice=False)
    fulfilled_note = TextAreaField(_l("Toelichting (bij deels nagekomen: wat nog openstaat)"))
    action_item_ids = StringField(_l("Gekoppelde acties (nummers)"))


class SourceForm(FlaskForm):
    version = HiddenField()
    kind = SelectField(_l("Soort document"), choices=[], validate_choice=False)
    title = StringField(_l("Titel"))
    issued_on = StringField(_l("Datum"))
    reference = StringField(_l("Kenmerk"))
    kamerstuk = StringField(_l("Kamerstuknummer"))
    issued_by = SelectField(_l("Uitgegeven door"), choices=[], validate_choice=False)
    issuer = StringField(_l("Afzender"))
    url = StringField(_l("Link naar het document"))
    note = TextAreaField(_l("Toelichting"))
    retired = BooleanField(_l("Ingetrokken (blijft bewaard, maar is niet meer te kiezen)"))
    reason = TextAreaField(_l("Reden van de wijziging"))


class RecommendationForm(FlaskForm):
    version = HiddenField()
    number = StringField(_l("Nummer"))
    kind = SelectField(_l("Soort"), choices=[SelectChoice("aanbeveling", _l("Aanbeveling")), SelectChoice("maatregel", _l("Maatregel"))])
    text = TextAreaField(_l("Tekst"))
    addressees = CheckboxList(_l("Gericht aan"), choices=[], validate_choice=False)
    focus_areas = CheckboxList(_l("Speerpunten"), choices=[], validate_choice=False)
    retired = BooleanField(_l("Ingetrokken (blijft bewaard)"))
    reason = TextAreaField(_l("Reden van de wijziging"))


class CommitmentForm(FlaskForm):
    version = HiddenField()
    text = TextAreaField(_l("Tekst van de afspraak"))
    note = TextAreaField(_l("Toelichting"))
    retired = BooleanField(_l("Ingetrokken (blijft bewaard)"))
    reason = TextAreaField(_l("Reden van de wijziging"))
