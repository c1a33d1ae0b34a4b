"""How a request's transaction ends (portal.extensions.Database._teardown): one that only read is committed, so that
PostgreSQL keeps the statements psycopg prepared for the next request (a ROLLBACK makes psycopg forget them); anything
else (a change not committed, raw SQL that wrote, an error) is rolled back, as before. On a database of its own: the
test's usual outer transaction would hide what ends."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, text, update

from models import Organisation
from portal import create_app
from portal.extensions import Database, db

from conftest import BACKEND, make_settings, migrated


@pytest.fixture()
def own_app(databases, portal_toml):
    app = create_app(make_settings(migrated(databases), portal_toml))
    ended: list[str] = []
    engine = Database.state(app).engine
    event.listen(engine, "commit", lambda _conn: ended.append("commit"))
    event.listen(engine, "rollback", lambda _conn: ended.append("rollback"))
    yield app, ended
    engine.dispose()


def _name(app) -> str:
    with app.app_context():
        return db.session.scalar(select(Organisation.name).where(Organisation.code == "KMAR"))


def test_a_read_only_request_commits_and_a_changing_one_rolls_back(own_app):
    app, ended = own_app
    original = _name(app)
    assert ended[-1] == "commit"

    with app.app_context():  # a change flushed, never committed
        db.session.scalars(select(Organisation).where(Organisation.code == "KMAR")).one().name = "Gewijzigd en geflusht"
        db.session.flush()
    assert ended[-1] == "rollback" and _name(app) == original

    with app.app_context():  # a change not even flushed: a commit would flush it
        db.session.scalars(select(Organisation).where(Organisation.code == "KMAR")).one().name = "Gewijzigd"
    assert ended[-1] == "rollback" and _name(app) == original

    with app.app_context():  # SQL that writes, outside the ORM
        db.session.execute(update(Organisation).where(Organisation.code == "KMAR").values(name="Met SQL"))
    assert ended[-1] == "rollback" and _name(app) == original
    with app.app_context():
        db.session.execute(text("UPDATE organisations SET name = 'Met tekst' WHERE code = 'KMAR'"))
    assert ended[-1] == "rollback" and _name(app) == original

    with pytest.raises(RuntimeError), app.app_context():  # an error after reading
        db.session.scalar(select(Organisation.id))
        raise RuntimeError("mislukt")
    assert ended[-1] == "rollback"

    with app.app_context():  # a write committed, then a read: that last transaction only read
        db.session.scalars(select(Organisation).where(Organisation.code == "KMAR")).one().name = "Echt gewijzigd"
        db.session.commit()
        db.session.scalar(select(Organisation.id))
    assert ended[-2:] == ["commit", "commit"] and _name(app) == "Echt gewijzigd"


@pytest.mark.skipif(BACKEND != "postgresql", reason="psycopg's prepared statements")
def test_postgresql_keeps_a_pages_prepared_statements_between_requests(own_app):
    app, _ended = own_app
    for _ in range(7):  # psycopg prepares a statement on its fifth run on a connection
        _name(app)
    with app.app_context():
        prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    assert prepared >= 1
