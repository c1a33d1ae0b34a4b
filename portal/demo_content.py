"""A small, hand-written Dutch scenario on the reference data (load-demo): a working MDT in its third year.

Everything goes through the services, as a user would do it, so every rule holds (two keys for done, restricted
minutes, visibility). Afterwards the history is placed in time (creation and update moments in the past), so the
reports, the "late" markers and the comparison show a believable course of events. Development only, and only on
a database without action items.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models import ActionItem, Framework, Organisation, ParliamentCommitment, ProgressUpdate, Recommendation, Source, User

from .actions import services as actions
from .framework import parliament
from .i18n import AMSTERDAM
from .meetings import record as meeting_record
from .meetings import services as meetings
from .reports import services as reports

# The people of the development provider (devtools/idp/accounts.json): signing in there lands on these users.
CAST = {
    "kmar": ("KMAR", "member", "Karin Marechaussee", "k.marechaussee@kmar.example"),
    "politie": ("POL", "member", "Peter Politie", "p.politie@politie.example"),
    "ind": ("IND", "member", "Ineke Immigratie", "i.immigratie@ind.example"),
    "om": ("OM", "member", "Otto Officier", "o.officier@om.example"),
    "jenv": ("JENV", "member", "Jan Justitie", "j.justitie@jenv.example"),
    "coordinator": ("JENV", "coordinator", "Carla Coordinator", "c.coordinator@jenv.example"),
    # BZ co-signs the Beleidskader and does its own 3.4 work: a member, not a reader.
    "bz": ("BZ", "member", "Bea Buitenland", "b.buitenland@bz.example"),
    "emm": ("EMM", "member", "Emma Expertise", "e.expertise@emm.example"),
}

# (who, title, focus area, recommendation (source, number) or None, visibility, due in days from today, course)
# course: list of (days ago, status, progress, note); "closure" / "confirmed" as status for the two keys.
ITEMS = [
    # Work answering a recommendation is placed in no focus area the sources do not link it to.
    ("kmar", "Meetbare doelen mensensmokkel KMar vaststellen", None, ("inspectie-2021", 1), "mdt", -20,
     [(150, "in_progress", 30, "Concept besproken met het OM en de stuurploeg."), (60, "in_progress", 70, "Doelen voor 2026 voorgelegd aan de commandant."),
      (12, "closure", 100, "Doelen vastgesteld in het KMar-jaarplan 2026.")]),
    ("kmar", "Voortgangsrapportage derdelijns onderzoeken per kwartaal", "3.2", ("inspectie-2021", 6), "mdt", 30,
     [(120, "in_progress", 40, "Format afgestemd met de stuurploeg."), (30, "in_progress", 60, "Eerste kwartaalrapportage opgeleverd.")]),
    ("kmar", "Opleidingsprogramma opsporing mensensmokkel", "3.2", ("inspectie-2021", 7), "mdt", 120,
     [(90, "in_progress", 20, "Leerlijn uitgewerkt met de Politieacademie.")]),
    ("kmar", "Casus Schiphol: analyse valse reisdocumenten", "3.6", None, "organisation", 14,
     [(20, "in_progress", 50, "Vertrouwelijk: analyse loopt, resultaten alleen binnen de KMar.")]),
    ("politie", "Gecertificeerde rechercheurs mensenhandel: 5% erbij", "3.2", ("kamerbrief-2016", 1), "mdt", -45,
     [(200, "in_progress", 40, "Extra opleidingsplaatsen ingekocht."),
      (40, "blocked", 60, "Te weinig instroom uit de eenheden; capaciteitsvraag bij de korpsleiding.")]),
    ("politie", "Eerstelijnsmedewerkers trainen in signalen", "3.4", ("kamerbrief-2016", 3), "public", 200,
     [(100, "in_progress", 35, "E-learning beschikbaar in alle eenheden.")]),
    ("politie", "AVIM-capaciteit op peil brengen", "3.2", ("kamerbrief-2016", 4), "partners", 60,
     [(80, "in_progress", 50, "Vacatures in vier eenheden ingevuld.")]),
    ("politie", "Informatie-uitwisseling LIRC en Europol verbeteren", "3.5", ("inspectie-2021", 8), "mdt", 90,
     [(70, "open", 0, "Afspraak gepland met het LIRC.")]),
    ("ind", "Registratie signalen mensensmokkel in het IND-systeem", "3.6", None, "mdt", 45,
     [(160, "in_progress", 30, "Nieuwe velden ontworpen."), (50, "in_progress", 65, "Test met twee loketten geslaagd.")]),
    ("ind", "Landeninformatie voor het MDT-overleg", "3.6", None, "public", 150, []),
    ("ind", "Werkinstructie gehoren: vragen over de reisroute", "3.1", None, "organisation", 30,
     [(25, "in_progress", 40, "Concept bij de juridische afdeling.")]),
    ("om", "Wetsvoorstel strafmaximum art. 197a Sr: inbreng OM", "3.2", None, "mdt", -10,
     [(180, "in_progress", 50, "Advies aan JenV gestuurd."), (15, "closure", 100, "Inbreng verwerkt in het wetsvoorstel.")]),
    ("om", "Financieel onderzoek bij elk mensensmokkelonderzoek", "3.3", None, "mdt", 180,
     [(130, "in_progress", 25, "Afspraak over ondersteuning door financieel rechercheurs."),
      (35, "in_progress", 45, "Eerste vijf zaken met parallel financieel onderzoek.")]),
    ("om", "Deelname Eurojust Focus Group", "3.1", None, "public", -60,
     [(300, "in_progress", 50, "Twee bijeenkomsten bijgewoond."), (70, "closure", 100, "Structureel in het jaarplan opgenomen."),
      (65, "confirmed", 100, "")]),
    ("jenv", "Wijziging art. 197a Sr voorbereiden", "3.2", None, "public", 90,
     [(170, "in_progress", 40, "Consultatie afgerond."), (20, "in_progress", 70, "Wetsvoorstel naar de Raad van State.")]),
    ("jenv", "Extraterritoriale rechtsmacht uitbreiden (art. 4 Sr)", "3.2", None, "mdt", 240, [(60, "open", 10, "Verkenning gestart.")]),
    ("jenv", "Bewustwordingscampagne in herkomstlanden", "3.4", None, "public", 75,
     [(110, "in_progress", 30, "Campagne met BZ voorbereid."), (10, "in_progress", 55, "Eerste uitzending in twee partnerlanden.")]),
    ("jenv", "Preventie bij vervoerders: signalenkaart", "3.4", None, "public", -5,
     [(90, "in_progress", 60, "Kaart ontworpen met de sector.")]),
    ("jenv", "Dashboard mensensmokkel EMM doorontwikkelen", "3.6", None, "mdt", 100,
     [(140, "in_progress", 35, "Wensen van de partners opgehaald.")]),
    ("jenv", "Partnerschap op maat met een prioritair land", "3.5", None, "mdt", 300, []),
    ("emm", "Preweegvoorstellen: doorlooptijd halveren", "3.1", ("inspectie-2021", 9), "mdt", 50,
     [(100, "in_progress", 45, "Nieuw proces met vaste weekplanning.")]),
    ("emm", "Analyse routes via de Balkan", "3.6", None, "organisation", 20,
     [(30, "in_progress", 60, "Vertrouwelijke analyse voor de EMM-partners.")]),
    ("kmar", "Inzet in partnerlanden: liaisons herverdelen", None, ("doorlichting-2012", 5), "mdt", 160,
     [(45, "open", 0, "Voorstel in voorbereiding.")]),
    ("politie", "Cultureel antropologen bij het MDT-overleg betrekken", "3.6", None, "public", 40, []),
]


def _now() -> datetime:
    return datetime.now(UTC)


def _people(session: Session, issuers: dict[str, str]) -> dict[str, User]:
    orgs = {o.code: o for o in session.scalars(select(Organisation))}
    people = {}
    for username, (code, role, name, email) in CAST.items():
        issuer = issuers.get(code) or issuers.get("*") or "https://demo.invalid"
        user = session.scalars(select(User).where(User.issuer == issuer, User.subject == username)).first()
        if user is None:
            user = User(issuer=issuer, subject=username, name=name, email=email, organisation_id=orgs[code].id, role=role)
            session.add(user)
        people[username] = user
    session.flush()
    return people


def _rec_ids(session: Session) -> dict[tuple[str, int], int]:
    return {(key, number): rid for rid, key, number in session.execute(
        select(Recommendation.id, Source.key, Recommendation.number).join(Source, Source.id == Recommendation.source_id))}


def _ago(days: int) -> datetime:
    return _now() - timedelta(days=days)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=AMSTERDAM)


def load(session: Session, today: date, issuers: dict[str, str]) -> dict[str, int]:
    """The whole scenario in the caller's transaction. Refuses a database that already holds action items."""
    if session.scalar(select(func.count()).select_from(ActionItem)):
        raise ValueError("de database bevat al acties; de demo wordt alleen op een lege database geladen")
    if session.scalars(select(Framework.id)).first() is None:
        raise ValueError("laad eerst de referentiegegevens (flask --app wsgi portal load-reference)")
    people = _people(session, issuers)
    recs = _rec_ids(session)
    coordinator = people["coordinator"]
    created: dict[str, ActionItem] = {}
    for who, title, area, rec, visibility, due_in, course in ITEMS:
        actor = people[who]
        data: dict[str, object] = {"title": title, "focus_area": area, "visibility": visibility, "due_date": today + timedelta(days=due_in),
                "description": f"{title}. Uit het beleidskader, speerpunt {area}."}
        if rec:
            data["recommendation_ids"] = [recs[rec]]
        if visibility == "partners":
            data["shared_with"] = ["KMAR"]
        item, _ = actions.create_item(session, actor, data)
        created[title] = item
        first = max([days for days, *_ in course], default=30) + 10
        session.execute(update(ActionItem).where(ActionItem.id == item.id).values(created_at=_ago(first)))
        session.execute(update(ProgressUpdate).where(ProgressUpdate.action_item_id == item.id).values(recorded_at=_ago(first)))
        for days, status, progress, note in course:
            session.refresh(item)
            if status == "closure":
                actions.request_closure(session, actor, item, item.version, note)
            elif status == "confirmed":
                actions.confirm_closure(session, coordinator, item, item.version)
            else:
                actions.add_update(session, actor, item, item.version, note, status, progress)
            latest = session.scalars(select(ProgressUpdate.id).where(ProgressUpdate.action_item_id == item.id)
                                     .order_by(ProgressUpdate.id.desc())).first()
            session.execute(update(ProgressUpdate).where(ProgressUpdate.id == latest).values(recorded_at=_ago(days)))
        session.flush()
    actions.add_comment(session, people["om"], created["Gecertificeerde rechercheurs mensenhandel: 5% erbij"],
                        "Het OM kan twee extra zaaksofficieren inzetten zodra de rechercheurs er zijn.")
    actions.add_comment(session, people["kmar"], created["Meetbare doelen mensensmokkel KMar vaststellen"],
                        "De doelen staan ook in het jaarplan; graag bevestigen in het volgende MDT-overleg.")

    counts = {"items": len(created)}
    counts |= _meetings(session, people, created, today)
    counts |= _reports_and_parliament(session, people, created, today)
    return counts


def _meetings(session: Session, people: dict[str, User], created: dict[str, ActionItem], today: date) -> dict[str, int]:
    coordinator = people["coordinator"]
    invited = ["KMAR", "POL", "IND", "OM", "JENV"]
    plan = [(63, "MDT-overleg september"), (35, "MDT-overleg oktober"), (7, "MDT-overleg november")]
    made = []
    for days, title in plan:
        day = today - timedelta(days=days)
        meeting = meetings.create_meeting(session, coordinator, {
            "series": "MDT", "title": title, "starts_at": _at(day, 10), "ends_at": _at(day, 12), "location": "Den Haag, Turfmarkt 147",
            "invited": invited, "visibility": "mdt"})
        made.append(meeting)
    first, second, third = made
    for meeting, absent in ((first, "IND"), (second, None), (third, "OM")):
        session.refresh(meeting)
        for attendee in meeting.attendees:
            code = attendee.organisation.code
            meetings.set_attendance(session, coordinator, meeting, attendee.id, "excused" if code == absent else "present")
    points = {
        first.id: [("Meetbare doelen per organisatie", "3.1", "KMar licht het concept van de doelen toe. Het OM vraagt om aansluiting bij de "
                    "opsporingsprioriteiten.", "KMar legt de doelen voor 2026 in het volgende overleg voor.", False),
                   ("Capaciteit gecertificeerde rechercheurs", "3.2", "Politie meldt een achterstand in de instroom. Gesprek met de "
                    "korpsleiding volgt.", None, False)],
        second.id: [("Stand van zaken wetsvoorstel 197a Sr", "3.2", "JenV: het wetsvoorstel ligt bij de Raad van State.", None, False),
                    ("Casusoverleg Balkanroute", "3.6", "Vertrouwelijk: de besproken casus en namen staan alleen in deze notulen.",
                     "Het EMM deelt de routeanalyse alleen met de aanwezige partners.", True)],
        third.id: [("Doelen KMar vastgesteld", "3.1", "KMar meldt dat de doelen in het jaarplan staan; de coördinator bevestigt de afronding "
                    "na het verslag.", "De afronding van de KMar-doelen wordt bevestigd.", False),
                   ("Bewustwordingscampagne herkomstlanden", "3.4", "JenV en BZ laten de eerste uitzendingen zien.", None, False)],
    }
    decisions = 0
    for meeting in made:
        session.refresh(meeting)
        for title, area, minutes, decision, restricted in points[meeting.id]:
            point = meetings.add_agenda_item(session, coordinator, meeting, title, "", 20, area)
            meeting_record.save_minutes(session, coordinator, meeting, point.id, None, minutes, restricted)
            if decision:
                meeting_record.add_decision(session, coordinator, meeting, point.id, decision, area)
                decisions += 1
    # The first two are approved in the next meeting; the last is still concept.
    meeting_record.approve_minutes(session, coordinator, first, today)
    meeting_record.approve_minutes(session, coordinator, second, today)
    return {"meetings": len(made), "decisions": decisions}


def _reports_and_parliament(session: Session, people: dict[str, User], created: dict[str, ActionItem], today: date) -> dict[str, int]:
    coordinator = people["coordinator"]
    round_ = reports.open_round(session, coordinator, "Actualisatieronde najaar", "Werk uw acties bij vóór de rapportage.",
                                today + timedelta(days=10), today)
    spring = reports.create_report(session, coordinator, "Rapportage voorjaar", today - timedelta(days=50), today)
    autumn = reports.create_report(session, coordinator, "Rapportage najaar (concept)", today, today, spring.id)
    round_.report_id = autumn.id
    for code, who, text in (("3.1", "kmar", "De KMar heeft meetbare doelen vastgesteld; de bevestiging volgt in het MDT-overleg."),
                            ("3.2", "politie", "De uitbreiding van het aantal gecertificeerde rechercheurs loopt achter door beperkte instroom.")):
        narrative = reports.save_narrative(session, people[who], autumn, code, text, "public")
        reports.approve_narrative(session, coordinator, narrative)
    # The demo links its work to a toezegging the sources do state (the Inspectie letter's "medio 2022"), never an invented one.
    promised = session.scalars(select(ParliamentCommitment).where(ParliamentCommitment.key == "toezegging-beleidskader-2022")).first()
    if promised is not None:
        parliament.save_commitment(session, coordinator, {
            "kind": promised.kind, "kamerstuk": promised.kamerstuk, "text": promised.text, "made_on": promised.made_on,
            "owner_organisation": promised.owner_organisation.code if promised.owner_organisation else None, "due": promised.due_label,
            "status": promised.status, "made_in": promised.made_in, "member": promised.member, "closed_on": promised.closed_on,
            "fulfilled_by": promised.fulfilled_by.key if promised.fulfilled_by else None, "fulfilled_note": promised.fulfilled_note,
            "action_item_ids": [created["Meetbare doelen mensensmokkel KMar vaststellen"].id]}, today, promised, promised.version)
    return {"reports": 2, "rounds": 1}
