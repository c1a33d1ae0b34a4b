"""Migrations build the model's schema on this backend, go down cleanly, and the database enforces the rules."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from models import ActionItem, AuditEvent, Base, Organisation, ProgressUpdate, User
from portal.cli import alembic_config
from portal.extensions import make_engine

from conftest import BACKEND, empty_database

# These tests create organisations and load the reference data themselves.
database_url, app = empty_database()


def test_migrations_up_down_up_without_drift(databases):
    url = databases.new()
    cfg = alembic_config(url)
    engine = make_engine(url)
    try:
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert set(Base.metadata.tables) <= tables
            from models.base import include_object

            opts = {"compare_type": True, "include_object": include_object}
            diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
            assert diff == []

        command.downgrade(cfg, "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}, "downgrade left tables behind"

        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_revisions_are_date_named_and_each_has_a_downgrade():
    import re
    from pathlib import Path

    versions = sorted((Path(__file__).resolve().parents[1] / "migrations" / "versions").glob("*.py"))
    assert versions
    for path in versions:
        assert re.fullmatch(r"\d{8}_\d{4}_[0-9a-f]{12}_[a-z0-9_]+\.py", path.name), path.name
        source = path.read_text(encoding="utf-8")
        body = source.split("def downgrade() -> None:", 1)[1]
        assert body.strip() and body.strip() != "pass", f"{path.name} has no downgrade"


@pytest.fixture()
def org(db_session):
    organisation = Organisation(code="KMAR", name="Koninklijke Marechaussee", is_mdt_member=True)
    db_session.add(organisation)
    db_session.flush()
    return organisation


def _user(org, **kw):
    values = dict(issuer="https://idp.example", subject="abc", name="A. Tester", email="a@example.nl", organisation_id=org.id)
    values.update(kw)
    return User(**values)


def test_duplicate_issuer_and_subject_refused_by_database(db_session, org):
    db_session.add(_user(org))
    db_session.flush()
    with pytest.raises(IntegrityError):
        with db_session.begin_nested():
            db_session.execute(
                text("INSERT INTO users (issuer, subject, name, organisation_id, role, locale, is_active) "
                     "VALUES ('https://idp.example', 'abc', 'Dubbel', :org, 'member', 'nl', true)"),
                {"org": org.id},
            )


def test_same_subject_at_another_issuer_is_a_different_user(db_session, org):
    db_session.add_all([_user(org), _user(org, issuer="https://other.example")])
    db_session.flush()
    assert len(db_session.scalars(select(User)).all()) == 2


def _insert_item(db_session, org, **overrides):
    values = {"title": "Actie", "description": "", "owner": org.id, "status": "open", "progress": 0,
              "visibility": "mdt", "closure_state": "none", "version": 1}
    values.update(overrides)
    db_session.execute(
        text("INSERT INTO action_items (title, description, owner_organisation_id, status, progress, visibility, closure_state, version) "
             "VALUES (:title, :description, :owner, :status, :progress, :visibility, :closure_state, :version)"),
        values,
    )


@pytest.mark.parametrize(
    "overrides",
    [{"progress": 101}, {"progress": -1}, {"status": "klaar"}, {"visibility": "iedereen"}, {"version": 0}, {"owner": 999999}],
    ids=["progress>100", "progress<0", "unknown status", "unknown visibility", "version 0", "unknown owner"],
)
def test_action_item_rules_enforced_by_database(db_session, org, overrides):
    _insert_item(db_session, org)  # the valid baseline is accepted
    with pytest.raises(IntegrityError):
        with db_session.begin_nested():
            _insert_item(db_session, org, **overrides)


def test_unknown_role_refused_by_database(db_session, org):
    with pytest.raises(IntegrityError):
        with db_session.begin_nested():
            db_session.add(_user(org, role="superuser"))
            db_session.flush()


def test_progress_update_outside_range_refused(db_session, org):
    item = ActionItem(title="Actie", owner_organisation_id=org.id)
    db_session.add(item)
    db_session.flush()
    with pytest.raises(IntegrityError):
        with db_session.begin_nested():
            db_session.add(ProgressUpdate(action_item_id=item.id, recorded_at=datetime.now(UTC),
                                          status="open", progress=150))
            db_session.flush()


def test_audit_events_are_append_only(db_session):
    event = AuditEvent(action="test.event", diff={"a": 1})
    db_session.add(event)
    db_session.flush()
    with pytest.raises(DBAPIError):
        with db_session.begin_nested():
            db_session.execute(update(AuditEvent).where(AuditEvent.id == event.id).values(action="tampered"))
    with pytest.raises(DBAPIError):
        with db_session.begin_nested():
            db_session.execute(text("DELETE FROM audit_events"))
    assert db_session.scalar(select(AuditEvent.action).where(AuditEvent.id == event.id)) == "test.event"


def test_timestamps_come_back_timezone_aware(db_session, org):
    item = ActionItem(title="Actie", owner_organisation_id=org.id, due_date=date(2026, 12, 1))
    db_session.add(item)
    db_session.flush()
    db_session.expire_all()
    fresh = db_session.get(ActionItem, item.id)
    assert fresh.created_at.tzinfo is not None
    assert fresh.created_at.utcoffset().total_seconds() == 0


def test_version_column_increments_and_refuses_stale_writes(db_session, org):
    from sqlalchemy.orm.exc import StaleDataError

    item = ActionItem(title="Actie", owner_organisation_id=org.id)
    db_session.add(item)
    db_session.flush()
    assert item.version == 1
    item.title = "Nieuwe titel"
    db_session.flush()
    assert item.version == 2
    # Someone else wrote in between: the row is at version 3 now.
    db_session.execute(text("UPDATE action_items SET version = 3 WHERE id = :id"), {"id": item.id})
    item.title = "Nog een titel"
    with pytest.raises(StaleDataError):
        db_session.flush()


def test_pending_closures_move_to_awaiting_confirmation_and_back(databases):
    """Migration b8c9d0e1f2a3: the CHECK widens, pending closures and their history move, full-text search survives."""
    url = databases.new()
    cfg = alembic_config(url)
    engine = make_engine(url)
    try:
        command.upgrade(cfg, "a7b8c9d0e1f2")
        with engine.begin() as conn:
            org_id = conn.execute(text("INSERT INTO organisations (code, name, is_mdt_member, is_active) "
                                       "VALUES ('KMAR', 'KMar', true, true) RETURNING id")).scalar()
            for title, status, closure in (("Wacht kameel", "done", "requested"), ("Klaar", "done", "confirmed"), ("Open", "open", "none")):
                item_id = conn.execute(text(
                    "INSERT INTO action_items (title, description, owner_organisation_id, status, progress, visibility, closure_state, version, "
                    "created_at, updated_at) VALUES (:t, '', :o, :s, 100, 'mdt', :c, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"),
                    {"t": title, "o": org_id, "s": status, "c": closure}).scalar()
                conn.execute(text("INSERT INTO progress_updates (action_item_id, recorded_at, kind, note, status, progress) "
                                  "VALUES (:i, CURRENT_TIMESTAMP, :k, '', :s, 100)"),
                             {"i": item_id, "k": "closure_requested" if closure != "none" else "update", "s": status})
        command.upgrade(cfg, "head")
        with engine.begin() as conn:
            statuses = dict(conn.execute(text("SELECT title, status FROM action_items")).all())
            assert statuses == {"Wacht kameel": "awaiting_confirmation", "Klaar": "done", "Open": "open"}
            history = sorted(conn.execute(text("SELECT status FROM progress_updates WHERE kind = 'closure_requested'")).scalars())
            assert history == ["awaiting_confirmation", "awaiting_confirmation"]
            with pytest.raises(DBAPIError):
                with conn.begin_nested():
                    conn.execute(text("UPDATE action_items SET status = 'nonsense'"))
            # The full-text index still follows the table (the SQLite triggers were not dropped by a rebuild).
            conn.execute(text("UPDATE action_items SET title = 'Wacht dromedaris' WHERE title = 'Wacht kameel'"))
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                found = conn.execute(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH 'dromedaris'")).scalar()
                assert found == 1
        command.downgrade(cfg, "a7b8c9d0e1f2")
        with engine.connect() as conn:
            assert dict(conn.execute(text("SELECT title, status FROM action_items")).all())["Wacht dromedaris"] == "done"
    finally:
        engine.dispose()


def test_sqlite_connections_gather_planner_statistics_now_and_then(tmp_path, monkeypatch):
    """Without statistics SQLite's planner reads the rows where an index would do; PRAGMA optimize on check-in,
    at most once an hour per connection, gathers them for the tables the connection's queries used."""
    from portal import extensions

    engine = make_engine(f"sqlite:///{tmp_path / 'stats.db'}")
    with engine.begin() as conn:
        for table in ("t", "u"):
            conn.execute(text(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, k INTEGER)"))
            conn.execute(text(f"CREATE INDEX ix_{table}_k ON {table} (k)"))
            conn.execute(text(f"INSERT INTO {table} (k) VALUES " + ", ".join(f"({n % 7})" for n in range(300))))

    def analysed(conn) -> set[str]:
        exists = conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar()
        return set(conn.execute(text("SELECT DISTINCT tbl FROM sqlite_stat1")).scalars()) if exists else set()

    monkeypatch.setattr(extensions, "OPTIMIZE_EVERY", 0)
    with engine.connect() as conn:
        assert analysed(conn) == set()
        conn.execute(text("SELECT count(*) FROM t WHERE k = 3")).scalar()
    with engine.connect() as conn:  # the check-in in between ran PRAGMA optimize
        assert analysed(conn) == {"t"}
    monkeypatch.setattr(extensions, "OPTIMIZE_EVERY", 3600)
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM u WHERE k = 3")).scalar()
    with engine.connect() as conn:  # within the hour: not again
        assert analysed(conn) == {"t"}
    engine.dispose()




@pytest.mark.parametrize("index", ["search_fts", "search_tri", "search_parts"])
def test_search_indexes_hold_one_current_row_per_source_row(db_session, org, index):
    """Every change reaches the search indexes through the triggers, by key: one row per item, update and comment with
    the current text, none left behind by an edit, a delete or an item's cascade. SQLite: the word index search_fts and
    the trigram index search_tri; PostgreSQL: search_parts (its word index is a generated column), its text in lower case.
    A row's key is its kind's range plus its id, so the search reads each kind newest first (migration b0c1d2e3f4a5)."""
    if (index == "search_parts") != (BACKEND == "postgresql"):
        pytest.skip(f"{index} is {'PostgreSQL' if index == 'search_parts' else 'SQLite'}'s")
    from models import Comment

    item = ActionItem(title="Kameel", description="in de woestijn", owner_organisation=org, visibility="mdt")
    other = ActionItem(title="Paard", owner_organisation=org, visibility="mdt")
    db_session.add_all([item, other])
    db_session.flush()
    update = ProgressUpdate(action_item_id=item.id, recorded_at=datetime.now(UTC), note="oase bereikt", status="open", progress=10)
    comment = Comment(action_item_id=item.id, body="dorst")
    gone = Comment(action_item_id=other.id, body="hooi")
    db_session.add_all([update, comment, gone])
    db_session.flush()
    item.title, item.progress = "Dromedaris", 30
    update.note, update.action_item_id = "bron gevonden", other.id
    comment.body = "water"
    db_session.flush()
    item.status = "in_progress"  # not indexed text: the row stays as it is
    db_session.delete(gone)
    db_session.flush()

    from portal.search.queries import KIND_NUMBERS, KIND_SPAN

    key = "id" if index == "search_parts" else "rowid"

    def rows(kind: str, ref_id: int) -> list:
        found = db_session.execute(text(f"SELECT {key}, body, item_id FROM {index} WHERE kind = :k AND ref_id = :r"),
                                   {"k": kind, "r": ref_id}).all()
        assert all(row[0] == KIND_NUMBERS[kind] * KIND_SPAN + ref_id for row in found), found
        return [tuple(row[1:]) for row in found]

    title = "dromedaris in de woestijn" if index == "search_parts" else "Dromedaris in de woestijn"
    assert rows("item", item.id) == [(title, item.id)]
    assert rows("update", update.id) == [("bron gevonden", other.id)]
    assert rows("comment", comment.id) == [("water", item.id)]
    assert rows("comment", gone.id) == []
    ids = {"update": update.id, "comment": comment.id}
    db_session.execute(text("DELETE FROM action_items WHERE id = :i"), {"i": other.id})  # cascades to the moved update
    assert rows("item", other.id) == [] and rows("update", ids["update"]) == []
    assert rows("comment", ids["comment"]) == [("water", item.id)]
    for table, kind in (("action_items", "item"), ("progress_updates", "update"), ("comments", "comment"),
                        ("recommendations", "recommendation"), ("minutes", "minutes")):
        indexed = db_session.execute(text(f"SELECT count(*) FROM {index} WHERE kind = :k"), {"k": kind}).scalar()
        assert indexed == db_session.execute(text(f"SELECT count(*) FROM {table}")).scalar(), table
