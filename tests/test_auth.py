"""Sign-in, roles enforced where the action happens, audit of sign-ins, inert user text."""

from pathlib import Path

import pytest

from asn_dash import annotations, auth, cli
from asn_dash.auth import PermissionDenied, User
from asn_dash.uploads import history as uploads
from asn_dash.uploads import ingest

from .apptest import new_app
from .ingest_helpers import csv_bytes

LISA = User("lisa", "Lisa Läsare", "läsare")
ANNA = User("anna", "Anna Analytiker", "analytiker")
ADA = User("ada", "Ada Admin", "admin")


@pytest.fixture
def users_file(tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    for u, pw in ((LISA, "lasare-losen-1"), (ANNA, "analytiker-losen-1"), (ADA, "admin-losen-123")):
        auth.add_user(path, u.username, u.name, u.role, pw)
    monkeypatch.setenv("ASN_USERS", str(path))
    return path


def test_passwords_are_salted_hashes(users_file):
    text = users_file.read_text(encoding="utf-8")
    assert "analytiker-losen-1" not in text and text.count("$2b$") == 3
    users = auth.load_users(users_file)
    assert auth.verify(users, "anna", "analytiker-losen-1") == ANNA
    assert auth.verify(users, "anna", "fel") is None
    assert auth.verify(users, "okänd", "analytiker-losen-1") is None


@pytest.mark.parametrize("user, action, allowed", [
    (LISA, "kommentera", False), (LISA, "ladda upp", False), (LISA, "ändra bedömningar", False),
    (ANNA, "ladda upp", True), (ANNA, "ändra bedömningar", True), (ANNA, "ångra andras uppladdningar", False),
    (ANNA, "hämta från Kolada", False), (ADA, "hämta från Kolada", True), (ADA, "läsa loggen", True),
])
def test_role_matrix(user, action, allowed):
    assert user.can(action) is allowed


def test_a_reader_cannot_write_anything(s):
    analysis = ingest.analyse(s, "f.csv", csv_bytes("indikator;period;värde\nhushall_ekb;2025-09;390\n"))
    with pytest.raises(PermissionDenied, match="Lisa Läsare har rollen läsare och får inte ladda upp"):
        ingest.commit(s, analysis, LISA)
    with pytest.raises(PermissionDenied):
        annotations.add_override(s, LISA, 2025, "hushall_ekb", "2025-T2", "Grön", "Jag tycker att det är bra.")
    with pytest.raises(PermissionDenied):
        annotations.add_comment(s, LISA, "hushall_ekb", "2025-T2", "Hej")
    assert s.scalar("SELECT count(*) FROM uploads") == 0
    assert s.scalar("SELECT count(*) FROM assessment_overrides") == 0


def test_analyst_undoes_own_upload_only_admin_undoes_others(s):
    def load(user, value):
        a = ingest.analyse(s, "f.csv", csv_bytes(f"indikator;period;värde\nplac_lvm;2025-09;{value}\n"))
        return ingest.commit(s, a, user, accept_warnings=True)
    first = load(ANNA, 17)
    other = User("erik", "Erik", "analytiker")
    with pytest.raises(PermissionDenied, match="får inte ångra andras uppladdningar"):
        uploads.undo(s, first, other)
    assert uploads.undo(s, first, ANNA)["restored"] == 1
    second = load(other, 18)
    assert uploads.undo(s, second, ADA)["restored"] == 1


def test_cli_acts_as_admin_and_manages_users(tmp_path, capsys):
    path = tmp_path / "u.toml"
    assert cli.main(["users", "add", "bo", "--role", "admin", "--password", "bo-losenord-1", "--file", str(path)]) == 0
    assert cli.main(["users", "list", "--file", str(path)]) == 0
    assert "bo" in capsys.readouterr().out
    assert cli.main(["users", "add", "kort", "--role", "läsare", "--password", "kort", "--file", str(path)]) == 2
    assert auth.cli_user("x").role == "admin"


# --- the app ------------------------------------------------------------------------------

@pytest.fixture
def app(seeded_db, users_file, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    return new_app()


def sign_in(at, username, password):
    at.run()
    at.text_input(key="sign_in_user").input(username)
    at.text_input(key="sign_in_password").input(password)
    next(b for b in at.button if b.label == "Logga in").click().run()
    return at


def test_signed_out_visitor_sees_only_the_sign_in(app):
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Logga in"]
    assert not app.get("html") and not app.selectbox  # no figures, no navigation or pickers


def test_wrong_password_is_refused_and_logged(app, seeded_db, s):
    sign_in(app, "anna", "fel-losenord")
    assert app.error[0].value == "Fel användarnamn eller lösenord."
    assert [t.value for t in app.title] == ["Logga in"]
    log = annotations.audit_log(s)
    assert (log.iloc[0]["action"], log.iloc[0]["user_name"]) == ("misslyckad inloggning", "anna")


def test_reader_signs_in_reads_but_cannot_upload(app, s):
    sign_in(app, "lisa", "lasare-losen-1")
    assert not app.exception
    assert app.title[0].value == "Översikt"
    assert any("Inloggad: Lisa Läsare (läsare)" in c.value for c in app.sidebar.caption)
    assert annotations.audit_log(s).iloc[0]["action"] == "inloggning"
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in a läsare's navigation
        app.switch_page("pages/ladda_upp.py")
    app.switch_page("pages/indikator.py").run()
    assert app.title[0].value  # the indicator itself is readable
    assert not [b for b in app.button if b.label == "Spara kommentar"]


def test_analyst_can_upload(app):
    sign_in(app, "anna", "analytiker-losen-1")
    app.switch_page("pages/ladda_upp.py").run()
    assert not app.exception and app.get("file_uploader")
    app.file_uploader(key="upload_file").set_value(("f.csv", csv_bytes("indikator;period;värde\nplac_lvm;2025-09;2\n"),
                                                     "text/csv")).run()
    next(b for b in app.button if b.label == "Läs in").click().run()
    assert app.success[0].value.startswith("Uppladdning 1 är inläst")


def test_admin_reads_and_exports_the_log(app):
    sign_in(app, "ada", "admin-losen-123")
    app.switch_page("pages/logg.py").run()
    assert not app.exception
    assert app.title[0].value == "Logg"
    assert "inloggning" in set(app.dataframe[0].value["Händelse"])
    assert app.get("download_button")


def test_closed_mode_without_sign_in(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    monkeypatch.setenv("ASN_USERS", str(Path("/nonexistent/users.toml")))
    monkeypatch.setenv("ASN_DEMO", "0")
    at = new_app().run()
    assert at.error[0].value.startswith("Inloggning är inte konfigurerad")
    assert not at.title


def test_demo_mode_is_loudly_marked(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    monkeypatch.setenv("ASN_USERS", str(Path("/nonexistent/users.toml")))
    at = new_app().run()
    assert "Öppet demoläge" in at.sidebar.warning[0].value


OIDC_SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                         "client_id": "id", "client_secret": "secret",
                         "server_metadata_url": "https://login.example/.well-known/openid-configuration"},
                "asn": {"roles": {"ada@tyreso.se": "admin"}}}


def test_oidc_signed_out_sees_a_sign_in_button(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app()
    at.secrets.update(OIDC_SECRETS)
    at.user.update({"is_logged_in": False})
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Logga in"]
    assert not at.selectbox


@pytest.mark.parametrize("email, nav_has_log", [("ada@tyreso.se", True), ("olle@tyreso.se", False)])
def test_oidc_roles_come_from_secrets(seeded_db, monkeypatch, email, nav_has_log, s):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app()
    at.secrets.update(OIDC_SECRETS)
    at.user.update({"is_logged_in": True, "email": email, "name": "Någon"})
    at.run()
    assert not at.exception
    assert at.title[0].value == "Översikt"
    if nav_has_log:
        at.switch_page("pages/logg.py").run()
        assert at.title[0].value == "Logg"
    else:
        with pytest.raises(ValueError):
            at.switch_page("pages/logg.py")
    assert annotations.audit_log(s).iloc[0][["user_name", "action"]].tolist() == [email, "inloggning"]
