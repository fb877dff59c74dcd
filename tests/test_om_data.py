"""Om data: the counts per source come from a cached read, and only an administrator sees where the
store lives on the server."""

import pytest

from asn_dash import auth
from asn_dash.store import queries

from .apptest import new_app, sign_in


@pytest.fixture
def app(seeded_db, tmp_path, monkeypatch):
    users = tmp_path / "users.toml"
    auth.add_user(users, "lisa", "Lisa Läsare", auth.LASARE, "lasare-losen-1")
    auth.add_user(users, "ada", "Ada Admin", auth.ADMIN, "admin-losen-123")
    monkeypatch.setenv("ASN_USERS", str(users))
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    return new_app()


def om_data(at, username, password):
    sign_in(at, username, password)
    at.switch_page("pages/om_data.py").run()
    assert not at.exception
    return " ".join(c.value for c in at.caption)


def test_a_reader_is_not_shown_the_server_path(app, seeded_db):
    captions = om_data(app, "lisa", "lasare-losen-1")
    assert "Schemaversion" in captions
    assert str(seeded_db) not in captions and str(seeded_db.parent) not in captions


def test_an_administrator_is_shown_the_server_path(app, seeded_db):
    assert str(seeded_db) in om_data(app, "ada", "admin-losen-123")


def test_counts_are_read_once_per_values_version(app, monkeypatch):
    calls = []
    original = queries.counts_by_source
    monkeypatch.setattr(queries, "counts_by_source", lambda s: calls.append(1) or original(s))
    om_data(app, "ada", "admin-losen-123")
    app.run()
    app.run()
    assert len(calls) == 1
    table = app.dataframe[0].value
    assert len(table) > 0
