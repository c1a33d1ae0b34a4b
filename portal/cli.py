"""Management commands: flask --app wsgi portal <command>."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from models import ROLES, ActionItem, AuditEvent, User

from . import demo, demo_content, reference
from .actions import reminders
from .cache import cache
from .config import PROJECT_ROOT
from .extensions import db
from .framework import parliament
from .i18n import today
from .indicators import services as indicator_services
from .reports.rounds import remind

portal_cli = AppGroup("portal", help="Beheer van het MDT-portaal.")


def alembic_config(url: str) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # ConfigParser interpolation would eat the % of URL-encoded passwords.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@portal_cli.command("migrate")
def migrate() -> None:
    """Bring the database schema up to date (alembic upgrade head)."""
    command.upgrade(alembic_config(current_app.config["PORTAL_SETTINGS"].database_url), "head")
    click.echo("Database bijgewerkt.")


@portal_cli.command("load-reference")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def load_reference(path: Path | None) -> None:
    """Load the reference data (default: the copy shipped with the portal); idempotent."""
    session = db.session
    try:
        summary = reference.load(session, path or reference.DEFAULT_PATH)
        session.commit()
        cache().bump()  # bulk statements bypass the ORM's change tracking
    except reference.ReferenceDataError as exc:
        session.rollback()
        raise click.ClickException(f"Referentiedata geweigerd, niets opgeslagen. {exc}") from exc
    for difference in summary.differences:
        click.echo(f"in het portaal gecorrigeerd, niet overschreven: {difference}")
    if not summary.changed:
        click.echo("Referentiedata al actueel: niets gewijzigd.")
        return
    for label, counts in (("nieuw", summary.created), ("bijgewerkt", summary.updated)):
        for kind, n in sorted(counts.items()):
            click.echo(f"{label}: {kind} {n}")


@portal_cli.command("grant-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
def grant_role(email: str, role: str) -> None:
    """Give the user with this e-mail address a role (e.g. the first admin)."""
    session = db.session
    users = session.scalars(select(User).where(User.email == email.strip().lower())).all()
    if not users:
        raise click.ClickException(f"Geen gebruiker met e-mailadres {email}. Laat de gebruiker eerst een keer inloggen.")
    if len(users) > 1:
        raise click.ClickException(f"Meerdere gebruikers hebben e-mailadres {email}; wijs de rol toe in het portaal.")
    user = users[0]
    old = user.role
    user.role = role
    session.add(AuditEvent(
        action="user.role_changed", entity_type="user", entity_id=user.id,
        organisation_code=None, diff={"role": [old, role], "via": "cli"},
    ))
    session.commit()
    click.echo(f"Rol van {email}: {old} -> {role}.")


@portal_cli.command("send-reminders")
def send_reminders() -> None:
    """E-mail due (within 7 days) and overdue items, at most once a day per item and person; update-round reminders in
    the last three days before the round's deadline, once a day; toezeggingen and moties whose term starts within two
    weeks or has passed, and expected figures due within two weeks or late, each at most once a day."""
    settings = current_app.config["PORTAL_SETTINGS"]
    # Without SMTP_URL nothing leaves the server: say so, and where the messages went (the log, one line each).
    sent = "verstuurd" if settings.smtp_url else "NIET verstuurd (SMTP_URL is niet ingesteld; elk bericht staat in het log)"
    result = reminders.send_reminders(db.session, today(), settings.smtp_url, settings.base_url)
    click.echo(f"{result['emails']} e-mail(s) over {result['items']} actie(s) {sent}.")
    round_mails = remind(db.session, today(), settings.smtp_url, settings.base_url)
    if round_mails:
        click.echo(f"{round_mails} herinnering(en) voor de actualisatieronde {sent}.")
    parliament_mails = parliament.remind(db.session, today(), settings.smtp_url, settings.base_url)
    if parliament_mails:
        click.echo(f"{parliament_mails} herinnering(en) over toezeggingen {sent}.")
    figure_mails = indicator_services.remind_expected(db.session, today(), settings.smtp_url, settings.base_url)
    if figure_mails:
        click.echo(f"{figure_mails} herinnering(en) over verwachte cijfers {sent}.")


@portal_cli.command("archive-export")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
@click.option("--before", "before", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="Records finished before this day.")
def archive_export(path: Path, before) -> None:
    """Write the records past their retention term ([records] in PORTAL_CONFIG) as a self-describing archive: a folder per
    record with record.json and record.pdf, and manifest.json with the checksums. Nothing is deleted."""
    from .records import archive as records

    settings = current_app.config["PORTAL_SETTINGS"]
    try:
        manifest = records.export(db.session, path, before.date(), settings.records, today())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    c = manifest["counts"]
    click.echo(f"Archief geschreven naar {path}: {c['items']} acties, {c['meetings']} vergaderingen, {c['reports']} rapportages "
               f"({len(manifest['files'])} bestanden, controlegetallen in manifest.json).")


@portal_cli.command("disposal-propose")
@click.option("--before", "before", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="Records finished before this day.")
def disposal_propose(before) -> None:
    """Propose the records past their retention term for disposal; an admin approves the list at /admin/records."""
    from .records import disposal

    settings = current_app.config["PORTAL_SETTINGS"]
    proposal = disposal.propose(db.session, before.date(), settings.records, today())
    db.session.commit()
    click.echo(f"Vernietigingslijst {proposal.id} voorgesteld met {len(proposal.records)} stuk(ken); een beheerder keurt hem goed "
               "op /admin/records. Maak eerst een archiefexport (archive-export).")


@portal_cli.command("dispose")
@click.argument("list_id", type=int)
def dispose(list_id: int) -> None:
    """Carry out an approved disposal list. Refused for a list no admin has approved."""
    from models import DisposalList

    from .actions.attachments import storage_dir
    from .records import disposal

    proposal = db.session.get(DisposalList, list_id)
    if proposal is None:
        raise click.ClickException(f"Vernietigingslijst {list_id} bestaat niet.")
    try:
        counts = disposal.execute(db.session, proposal, storage_dir())
    except disposal.NotApproved:
        db.session.rollback()
        raise click.ClickException(f"Vernietigingslijst {list_id} is niet goedgekeurd door een beheerder; er is niets vernietigd.") from None
    db.session.commit()
    cache().bump()  # the disposal deletes in bulk, past the ORM's change tracking
    click.echo(f"Vernietigd: {counts['action_item']} acties, {counts['meeting']} vergaderingen, {counts['report']} rapportages.")


@portal_cli.command("load-demo")
@click.option("--if-empty", is_flag=True, help="Say so and do nothing when the database already holds action items (make run).")
def load_demo(if_empty: bool) -> None:
    """A small hand-written Dutch scenario on the reference data: items of every organisation, three MDT meetings,
    an update round, two reports. Development only, on a database without action items."""
    settings = current_app.config["PORTAL_SETTINGS"]
    if settings.is_production:
        raise click.ClickException("load-demo draait nooit in productie.")
    if if_empty and db.session.scalar(select(func.count()).select_from(ActionItem)):
        click.echo("Demo-inhoud niet geladen: de database bevat al acties.")
        return
    # Each demo person belongs to the issuer of its organisation; organisations without their own provider sign in through
    # the one that reads the organisation from a claim (the development "Rijkspartners" provider).
    issuers = {p.organisation: p.issuer for p in settings.providers if p.organisation}
    shared = next((p.issuer for p in settings.providers if p.organisation_claim), None)
    if shared:
        issuers["*"] = shared
    try:
        counts = demo_content.load(db.session, today(), issuers)
        db.session.commit()
    except ValueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Demo-inhoud geladen: {counts['items']} acties, {counts['meetings']} vergaderingen met {counts['decisions']} besluiten, "
               f"{counts['reports']} rapportages. Log in als kmar, politie, ind, om, jenv, coordinator, bz of emm.")


@portal_cli.command("generate-demo")
@click.option("--items", type=click.IntRange(1, 200000), required=True, help="Number of action items to add.")
@click.option("--seed", type=int, default=1, show_default=True, help="The same seed gives the same data.")
def generate_demo(items: int, seed: int) -> None:
    """Synthetic data on top of the reference data: items, updates, comments, meetings, decisions, figures."""
    started = time.perf_counter()
    try:
        counts = demo.generate(db.session, items, seed)
        db.session.commit()
        cache().bump()  # bulk inserts bypass the ORM's change tracking
    except ValueError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    click.echo(", ".join(f"{k}: {v}" for k, v in counts.items()) + f" ({time.perf_counter() - started:.1f} s)")


@portal_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """A consistent copy of the database: SQLite online backup, or pg_dump (custom format) on PostgreSQL."""
    url = make_url(current_app.config["PORTAL_SETTINGS"].database_url)
    path.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database or ":memory:")
        target = sqlite3.connect(path)
        try:
            with target:
                source.backup(target)  # consistent even while the portal is writing
        finally:
            target.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        if shutil.which("pg_dump") is None:
            raise click.ClickException("pg_dump niet gevonden; installeer postgresql-client.")
        libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
        result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={path}", libpq],
                                capture_output=True, text=True, timeout=3600)
        if result.returncode != 0:
            raise click.ClickException(f"pg_dump mislukt: {result.stderr.strip()[:500]}")
    else:
        raise click.ClickException(f"Geen back-up voor {url.get_backend_name()}.")
    click.echo(f"Back-up geschreven naar {path} ({path.stat().st_size} bytes).")


@portal_cli.command("recount-tallies")
@click.option("--repair", is_flag=True, help="Rewrite the tallies that differ from the count.")
def recount_tallies(repair: bool) -> None:
    """Compare the tallies the database triggers keep with a count over the items; exit 1 on a difference (and with
    --repair, rewrite the differing tallies from the count)."""
    from .actions import tallies

    differences = tallies.recount(db.session, repair=repair)
    def sums(values: tuple | None) -> str:
        return ", ".join(str(v) for v in values) if values else "-"

    for d in differences[:50]:
        click.echo(f"{d.table} {d.key}: opgeslagen {sums(d.stored)}, geteld {sums(d.counted)}")
    if not differences:
        click.echo("Tellingen kloppen: geen verschil.")
        return
    if repair:
        db.session.commit()
        cache().bump()
        click.echo(f"{len(differences)} verschil(len) hersteld.")
        return
    raise click.ClickException(f"{len(differences)} verschil(len) tussen de tellingen en de acties; herstel met --repair.")
