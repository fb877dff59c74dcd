"""Sign-in, roles enforced where the action happens, sessions re-checked on every run, throttled
failed sign-ins, audit by user name, inert user text and errors that tell signed-out visitors
nothing about the server."""

import logging
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import bcrypt
import pytest

from asn_dash import annotations, auth, cli, disclosure, people
from asn_dash.app import ui
from asn_dash.auth import PermissionDenied, User
from asn_dash.formatting import escape_markdown as escape
from asn_dash.store.store import StoreLockedError
from asn_dash.throttle import SignInThrottle
from asn_dash.uploads import history as uploads
from asn_dash.uploads import ingest

from .apptest import new_app, shown, sign_in
from .ingest_helpers import csv_bytes

ROOT = Path(__file__).resolve().parent.parent

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
    assert s.scalar("SELECT count(*) FROM verdicts WHERE origin = 'analytiker'") == 0


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


HOSTILE = [
    'Eve" role = "admin',
    'Eve"] [users.mallory] role = "admin" password_hash = "x',
    "Eve''' role = 'admin' '''",
    'Eve\\" role = \\"admin',
    'role = "admin"',
    '![bild](http://127.0.0.1:9/x.png) <img src=x onerror=alert(1)>',
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_no_name_can_break_the_users_file_or_grant_a_role(tmp_path, hostile):
    path = tmp_path / "users.toml"
    auth.add_user(path, "anna", "Anna Analytiker", "analytiker", "analytiker-losen-1")
    auth.add_user(path, hostile, hostile, "läsare", "lasare-losen-1")  # as user name and as name
    table = tomllib.loads(path.read_text(encoding="utf-8"))["users"]  # any TOML reader, not ours
    assert {k: (v["name"], v["role"]) for k, v in table.items()} == {
        "anna": ("Anna Analytiker", "analytiker"), hostile: (hostile, "läsare")}
    assert set(table[hostile]) == {"name", "role", "password_hash"}
    users = auth.load_users(path)
    assert auth.verify(users, hostile, "lasare-losen-1") == User(hostile, hostile, "läsare")


@pytest.mark.parametrize("field", ["username", "--name"])
@pytest.mark.parametrize("bad", ['Eve\nrole = "admin"', "Eve\r[users.x]", "Eve\u2028x", "Eve\x00"])
def test_line_breaks_and_control_characters_are_refused_and_the_file_is_unchanged(tmp_path, capsys, field, bad):
    path = tmp_path / "users.toml"
    auth.add_user(path, "anna", "Anna Analytiker", "analytiker", "analytiker-losen-1")
    before = path.read_bytes()
    args = ["users", "add", "eve", "--name", bad] if field == "--name" else ["users", "add", bad]
    assert cli.main([*args, "--role", "läsare", "--password", "lasare-losen-1", "--file", str(path)]) == 2
    assert "får inte innehålla radbrytningar eller andra styrtecken" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_the_command_line_writes_a_hostile_name_safely(tmp_path):
    """The real `python -m asn_dash users …` process, as an administrator runs it."""
    path = tmp_path / "users.toml"
    name = 'Eve"] role = "admin" ["x'

    def run(*args):
        return subprocess.run([sys.executable, "-m", "asn_dash", "users", *args, "--file", str(path)], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)

    assert run("add", "eve", "--name", name, "--role", "läsare", "--password", "lasare-losen-1").returncode == 0
    listed = run("list")
    assert listed.returncode == 0 and listed.stdout.split() == ["eve", "läsare", *name.split()]
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # password hashes: the owner only
    assert run("update", "eve", "--role", "analytiker").returncode == 0
    assert auth.load_users(path)["eve"][0] == User("eve", name, "analytiker")
    assert run("remove", "eve").returncode == 0 and auth.load_users(path) == {}
    missing = run("remove", "eve")
    assert missing.returncode == 2 and "Användaren 'eve' finns inte" in missing.stderr


def test_passwords_longer_than_bcrypt_allows_are_refused_not_a_crash(tmp_path, users_file):
    with pytest.raises(auth.UsersFileError, match="högst 72 byte"):
        auth.add_user(tmp_path / "u.toml", "eve", "Eve", "läsare", "å" * 40)
    assert auth.verify(auth.load_users(users_file), "anna", "analytiker-losen-1" + "x" * 80) is None


def test_a_malformed_hash_in_the_users_file_is_a_clear_error(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text('[users.eve]\nname = "Eve"\nrole = "admin"\npassword_hash = "$2b$nonsense"\n', encoding="utf-8")
    with pytest.raises(auth.UsersFileError, match="användaren 'eve' behöver"):
        auth.load_users(path)


def test_no_bcrypt_work_at_start_up_an_ingest_pays_nothing(seeded_db, tmp_path):
    """The timing equaliser for unknown user names is made on first use, not on import."""
    upload = tmp_path / "sep.csv"
    upload.write_text("indikator;period;värde\nplac_lvm;2025-09;2\n", encoding="utf-8")
    code = ("import sys, bcrypt\n"
            "def boom(*a, **k): raise AssertionError('bcrypt work in a command that signs no one in')\n"
            "bcrypt.hashpw = bcrypt.gensalt = bcrypt.checkpw = boom\n"
            "from asn_dash import cli\n"
            "sys.exit(cli.main(['ingest', sys.argv[1], '--db', sys.argv[2], '--user', 'cli']))\n")
    result = subprocess.run([sys.executable, "-c", code, str(upload), str(seeded_db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    auth._dummy_hash.cache_clear()
    assert auth.verify({}, "okänd", "något-lösenord") is None
    assert auth._dummy_hash.cache_info().currsize == 1  # made now, on the first unknown name


def test_the_users_file_is_parsed_again_only_when_its_content_changes(users_file, monkeypatch):
    parsed = []
    real = auth._parse_users
    monkeypatch.setattr(auth, "_parse_users", lambda raw, path: parsed.append(path) or real(raw, path))
    auth._parsed.clear()
    for _ in range(3):
        auth.load_users(users_file)
    assert len(parsed) == 1
    size = users_file.stat().st_size
    auth.add_user(users_file, "anna", "Anna Analytiker", "analytiker", "analytiker-losen-2")
    assert users_file.stat().st_size == size  # a new password: same size, so content is compared
    assert auth.verify(auth.load_users(users_file), "anna", "analytiker-losen-2") == ANNA
    assert len(parsed) == 2


def test_a_session_follows_the_users_file_without_hashing_a_password(users_file, monkeypatch):
    users = auth.load_users(users_file)
    mark = auth.fingerprint(users, "anna")
    assert len(mark) == 16 and mark not in users_file.read_text(encoding="utf-8")

    def boom(*a, **k):
        raise AssertionError("a password hashed on a rerun")
    monkeypatch.setattr(bcrypt, "checkpw", boom)
    monkeypatch.setattr(bcrypt, "hashpw", boom)
    assert auth.recheck(auth.load_users(users_file), ANNA, mark) == ANNA
    auth.update_user(users_file, "anna", name="Anna Andersson", role="admin")
    assert auth.recheck(auth.load_users(users_file), ANNA, mark) == User("anna", "Anna Andersson", "admin")
    auth.remove_user(users_file, "anna")
    with pytest.raises(auth.SignedOut, match="Ditt konto finns inte längre"):
        auth.recheck(auth.load_users(users_file), ANNA, mark)


def test_a_changed_password_ends_the_session(users_file):
    mark = auth.fingerprint(auth.load_users(users_file), "anna")
    auth.add_user(users_file, "anna", "Anna Analytiker", "analytiker", "analytiker-losen-2")
    with pytest.raises(auth.SignedOut, match="Lösenordet har ändrats"):
        auth.recheck(auth.load_users(users_file), ANNA, mark)


# --- who did what: user names in rows, "Namn (användarnamn)" on pages ---------------------

def test_comments_statuses_and_overrides_are_stored_by_user_name(s):
    annotations.add_comment(s, ANNA, "hushall_ekb", "2025-T2", "Fler hushåll i juni.")
    annotations.set_manual_status(s, ANNA, "vald_fragor", "2025-T2", "Grön", "Frågor ställs i alla ärenden.")
    annotations.add_override(s, ANNA, 2025, "hushall_ekb", "2025-T2", "Gul", "Engångshändelse i juni.")
    override = annotations.active_overrides(s, 2025, "2025-T2")["hushall_ekb"]
    assert override.author == "Anna Analytiker (anna)"
    annotations.withdraw_override(s, ADA, override.id)
    assert s.query("SELECT author FROM comments WHERE text = 'Fler hushåll i juni.'")["author"].tolist() == ["anna"]
    assert s.query("SELECT author, coalesce(withdrawn_by, '') FROM verdicts WHERE origin = 'analytiker' ORDER BY id"
                   ).values.tolist() == [["anna", ""], ["anna", "ada"]]  # the status, the withdrawn override
    log = annotations.audit_log(s)
    assert log[["user_name", "who", "action"]].values.tolist()[:4] == [
        ["ada", "Ada Admin (ada)", "återtagen ändring"], ["anna", "Anna Analytiker (anna)", "ändrad bedömning"],
        ["anna", "Anna Analytiker (anna)", "bedömning"], ["anna", "Anna Analytiker (anna)", "kommentar"]]
    assert annotations.comments(s, "hushall_ekb").iloc[0]["author"] == "Anna Analytiker (anna)"
    [(_, status)] = annotations.manual_statuses(s, ["vald_fragor"], annotations.parse_key("2025-T2")).values()
    assert status.author == "Anna Analytiker (anna)"
    # rows from the reports name their document, not a person: shown as they are
    assert "Delårsrapport 1 2019" in set(annotations.comments(s, "N31814")["author"])


def test_the_newest_display_name_is_shown_for_a_user_name(s):
    assert people.names(s) == {}  # nobody seen yet: no error either
    annotations.add_comment(s, ANNA, "hushall_ekb", "2025-T2", "Första.")
    annotations.add_comment(s, User("anna", "Anna Andersson", "analytiker"), "hushall_ekb", "2025-T2", "Andra.")
    assert set(annotations.comments(s, "hushall_ekb").head(2)["author"]) == {"Anna Andersson (anna)"}
    assert people.labelled(["cli-user"], people.names(s)) == ["cli-user"]


# --- errors: details for analytiker/admin, a reference for everyone else ------------------

def test_a_visitor_is_told_a_reference_the_log_gets_the_details(caplog):
    exc = StoreLockedError("Datalagret /srv/asn/asn.duckdb används av en annan process.",
                           "The store /srv/asn/asn.duckdb is locked (IOException: Conflicting lock)")
    caplog.set_level(logging.INFO, logger="asn_dash")
    plain = disclosure.report(exc, detailed=False)
    assert re.fullmatch(r"fel-[0-9a-f]{6}", plain.reference)
    assert plain.details is None and "/srv" not in plain.message and "Exception" not in plain.message
    assert plain.message == ("Datalagret används just nu av en annan process. Vänta en stund och försök igen. "
                             f"Kontakta en administratör och uppge referensen {plain.reference} om felet består.")
    [record] = [r for r in caplog.records if plain.reference in r.getMessage()]
    assert "StoreLockedError" in record.getMessage() and "/srv/asn/asn.duckdb" in record.getMessage()
    detailed = disclosure.report(exc, detailed=True)
    assert detailed.message == exc.sv and detailed.reference in detailed.details
    crash = disclosure.report(KeyError("/etc/secret"), detailed=False)
    assert crash.message.startswith("Något gick fel. ") and "KeyError" not in crash.message


# --- the app ------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def fresh_throttle(monkeypatch):
    """The throttle lives for the server process; each test starts with none of its failures."""
    monkeypatch.setattr(ui, "_THROTTLE", SignInThrottle())


@pytest.fixture
def app(seeded_db, users_file, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    return new_app()


def sidebar_texts(at) -> list[str]:
    return [t.value for t in at.sidebar.text]


def titles(at) -> list[str]:
    return [t.value for t in at.main.title]


def test_signed_out_visitor_sees_only_the_sign_in(app):
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["Logga in"]
    shown = [h.proto.body for h in app.get("html")]
    assert all(body.lstrip().startswith("<style>") for body in shown)  # only the app's stylesheet
    assert not app.get("plotly_chart") and not app.selectbox  # no figures, no navigation or pickers


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
    assert "Inloggad: Lisa Läsare (lisa) · läsare" in [t.value for t in app.sidebar.text]
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


def test_admin_reads_and_exports_the_log(app, s):
    annotations.add_comment(s, ANNA, "hushall_ekb", "2025-T2", "Fler hushåll i juni.")
    sign_in(app, "ada", "admin-losen-123")
    app.switch_page("pages/logg.py").run()
    assert not app.exception
    assert app.title[0].value == "Logg"
    log = app.dataframe[0].value
    assert "inloggning" in set(log["Händelse"])
    assert log[["Vem", "Händelse"]].values.tolist()[:2] == [["Ada Admin (ada)", "inloggning"],
                                                           ["Anna Analytiker (anna)", "kommentar"]]
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


# --- a session follows the users file from one click to the next --------------------------

def test_a_role_or_name_change_takes_effect_on_the_next_run(app, users_file):
    sign_in(app, "lisa", "lasare-losen-1")
    with pytest.raises(ValueError):
        app.switch_page("pages/logg.py")
    auth.update_user(users_file, "lisa", name="Lisa Lind", role="admin")
    app.run()
    assert "Inloggad: Lisa Lind (lisa) · admin" in sidebar_texts(app)
    app.switch_page("pages/logg.py").run()
    assert titles(app) == ["Logg"]
    text = users_file.read_text(encoding="utf-8")  # an administrator edits the file by hand:
    users_file.write_text(text.replace('role = "admin"', 'role = "läsare"'), encoding="utf-8")  # all admins go
    app.run()
    assert not app.exception
    assert "Logg" not in titles(app) and not app.dataframe
    assert "Inloggad: Lisa Lind (lisa) · läsare" in sidebar_texts(app)


def test_a_removed_user_is_signed_out_with_a_plain_message(app, users_file, s):
    sign_in(app, "anna", "analytiker-losen-1")
    assert titles(app) == ["Översikt"]
    auth.remove_user(users_file, "anna")
    app.run()
    assert titles(app) == ["Logga in"] and not app.selectbox
    assert app.info[0].value == ("Ditt konto finns inte längre, så du har loggats ut. Kontakta en administratör "
                                 "om det är fel.")
    assert annotations.audit_log(s).iloc[0][["user_name", "action", "detail"]].tolist() == [
        "anna", "utloggad", "kontot är borttaget"]
    app.run()
    assert not app.info  # said once


def test_a_changed_password_signs_the_session_out(app, users_file):
    sign_in(app, "anna", "analytiker-losen-1")
    mark = app.session_state[ui.FINGERPRINT_KEY]
    assert mark not in users_file.read_text(encoding="utf-8")  # a digest of the hash, not the hash
    auth.add_user(users_file, "anna", "Anna Analytiker", "analytiker", "nytt-losenord-1")
    app.run()
    assert titles(app) == ["Logga in"]
    assert app.info[0].value.startswith("Lösenordet har ändrats, så du har loggats ut.")
    sign_in(app, "anna", "nytt-losenord-1")
    assert titles(app) == ["Översikt"]


def test_an_oidc_role_change_in_secrets_takes_effect_on_the_next_run(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app()
    at.secrets.update(OIDC_SECRETS)
    at.user.update({"is_logged_in": True, "email": "olle@tyreso.se", "name": "Olle"})
    at.run()
    with pytest.raises(ValueError):
        at.switch_page("pages/logg.py")
    at.secrets["asn"] = {"roles": {"olle@tyreso.se": "admin"}}
    at.run()
    at.switch_page("pages/logg.py").run()
    assert titles(at) == ["Logg"]


# --- failed sign-ins are throttled -------------------------------------------------------

def test_five_failures_lock_the_user_name_even_for_the_right_password(app, s):
    for _ in range(5):
        sign_in(app, "anna", "fel-losenord")
        assert app.error[0].value == "Fel användarnamn eller lösenord."
    sign_in(app, "anna", "analytiker-losen-1")
    assert app.error[0].value == ("För många misslyckade inloggningar. Inloggningen är spärrad en stund – försök "
                                  "igen om 15 minuter.")
    assert titles(app) == ["Logga in"]
    log = annotations.audit_log(s)
    assert log.iloc[0][["user_name", "action", "target", "detail"]].tolist() == [
        "anna", "inloggning spärrad", "användarnamn 'anna'", "5 misslyckade inloggningar inom 15 min; spärrad i 15 min"]
    assert list(log["action"]).count("misslyckad inloggning") == 5 and "inloggning" not in set(log["action"])
    sign_in(app, "lisa", "lasare-losen-1")  # another user name from the same browser still may
    assert titles(app) == ["Översikt"]


def test_an_overlong_password_is_refused_not_a_crash(app):
    sign_in(app, "anna", "x" * 150)
    assert not app.exception
    assert app.error[0].value == "Fel användarnamn eller lösenord."


# --- nothing a user wrote is rendered as Markdown; errors say only what the viewer may know ---

def test_the_signed_in_name_is_plain_text(app, users_file):
    name = "![bild](http://127.0.0.1:9/x.png) **fet** <img src=x>"
    auth.add_user(users_file, "eve", name, "läsare", "eve-losenord-1")
    sign_in(app, "eve", "eve-losenord-1")
    assert f"Inloggad: {name} (eve) · läsare" in sidebar_texts(app)
    markdown = [m.value for m in (*app.sidebar.markdown, *app.sidebar.caption)]
    assert not [m for m in markdown if "bild" in m or "fet" in m]


def test_a_broken_users_file_tells_a_visitor_only_a_reference(app, users_file, caplog):
    users_file.write_text('[users.anna]\nname = "Anna"\nrole = \n', encoding="utf-8")
    caplog.set_level(logging.INFO, logger="asn_dash")
    sign_in(app, "anna", "analytiker-losen-1")
    assert not app.exception
    [message] = [shown(e.value) for e in app.error]
    ref = re.search(r"fel-[0-9a-f]{6}", message)[0]
    assert message.startswith("Inloggningen kan inte kontrolleras just nu.")
    for secret in (str(users_file), "users.toml", "TOML", "Error", "line", "/"):
        assert secret not in message
    assert not [c for c in app.caption if ref in c.value or "users" in c.value]
    [logged] = [r.getMessage() for r in caplog.records if ref in r.getMessage()]
    assert str(users_file) in logged and "UsersFileError" in logged


def test_a_signed_in_user_whose_file_breaks_sees_no_pages(app, users_file):
    sign_in(app, "ada", "admin-losen-123")
    users_file.write_text("not toml at all [", encoding="utf-8")
    app.run()
    assert not app.exception and not app.selectbox and not app.title
    assert shown(app.error[0].value).startswith("Inloggningen kan inte kontrolleras just nu.")  # plain


@pytest.mark.parametrize("who, password, detailed", [("lisa", "lasare-losen-1", False), ("ada", "admin-losen-123", True)])
def test_store_errors_show_details_to_admin_and_a_reference_to_a_reader(app, seeded_db, who, password, detailed):
    sign_in(app, who, password)
    moved = seeded_db.rename(seeded_db.with_suffix(".moved"))
    try:
        app.run()
    finally:
        moved.rename(seeded_db)
    text = shown(" ".join([e.value for e in app.error] + [c.value for c in app.caption]))
    assert re.search(r"fel-[0-9a-f]{6}", text)
    assert (str(seeded_db) in text) is detailed
    if not detailed:
        assert text.startswith("Datalagret kan inte användas just nu.") and "/" not in text
    next(b for b in app.button if b.label == "Försök igen").click().run()
    assert titles(app) == ["Översikt"]


def test_details_shown_to_an_analyst_are_escaped(tmp_path, monkeypatch):
    """A path (or file name, cell, exception text) in an error is text, not Markdown."""
    folder = tmp_path / "![bild](x.png) **fet**"
    folder.mkdir()
    (folder / "file").write_text("x")
    monkeypatch.setenv("ASN_DB", str(folder / "file" / "asn.duckdb"))
    at = new_app().run()  # demo mode: an analytiker, who sees details
    assert not at.exception
    message = at.error[0].value
    assert "kan inte skapas eller skrivas" in message
    assert "![bild]" not in message and "**fet**" not in message
    assert escape(str(folder)) in message
