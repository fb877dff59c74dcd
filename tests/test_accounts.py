"""Local accounts that stay right over years: changes from commands run at the same moment are
serialised, a user name is one identity whatever its case or width, and access never falls open
while the app runs (asn_dash/auth.py, asn_dash/access.py)."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from asn_dash import access, auth, cli
from asn_dash.auth import User

from .apptest import new_app, sign_in

ROOT = Path(__file__).resolve().parent.parent

# A real `python -m asn_dash …` process that imports everything, says "ready", and starts the
# command only when the go file appears: so all of them read and write the users file at once.
STARTER = textwrap.dedent("""
    import os, runpy, sys, time
    go, args = sys.argv[1], sys.argv[2:]
    import asn_dash.cli, asn_dash.auth, bcrypt, filelock, tomli_w  # noqa: F401  (imports before the barrier)
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.002)
    sys.argv = ["asn_dash", *args]
    runpy.run_module("asn_dash", run_name="__main__", alter_sys=True)
""")


def at_once(tmp_path: Path, commands: list[list[str]]) -> list[subprocess.CompletedProcess]:
    """Run the commands as separate processes released together by a barrier."""
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", STARTER, str(go), *args], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for args in commands]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    go.touch()
    results = []
    for proc, args in zip(procs, commands):
        out, err = proc.communicate(timeout=180)
        results.append(subprocess.CompletedProcess(args, proc.returncode, out, err))
    return results


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "asn_dash", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env=env, check=False)


# --- 1. account changes are serialised and atomic --------------------------------------------

def test_eight_users_added_at_the_same_moment_are_all_kept(tmp_path):
    path = tmp_path / "users.toml"
    names = [f"person{n}" for n in range(8)]
    results = at_once(tmp_path, [["users", "add", name, "--role", "läsare", "--password", f"losenord-{name}",
                                  "--file", str(path)] for name in names])
    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    users = auth.load_users(path)
    assert sorted(users) == names
    for name in names:
        assert auth.verify(users, name, f"losenord-{name}") == User(name, name, "läsare")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert not list(tmp_path.glob(".users.toml.*.tmp")), "no temporary files left behind"


def test_a_removed_admin_stays_removed_when_adds_race_the_removal(tmp_path):
    path = tmp_path / "users.toml"
    auth.add_user(path, "ada", "Ada Admin", "admin", "admin-losen-123")
    auth.add_user(path, "lisa", "Lisa Läsare", "läsare", "lasare-losen-1")
    adds = [["users", "add", f"ny{n}", "--role", "läsare", "--password", "lasare-losen-1", "--file", str(path)]
            for n in range(6)]
    results = at_once(tmp_path, [["users", "remove", "ada", "--file", str(path)], *adds,
                                 ["users", "update", "lisa", "--role", "analytiker", "--file", str(path)]])
    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    users = auth.load_users(path)
    assert sorted(users) == ["lisa", *(f"ny{n}" for n in range(6))]  # ada gone, every add and the update kept
    assert users["lisa"][0].role == "analytiker"


def test_a_held_lock_gives_a_swedish_message_and_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    auth.add_user(path, "anna", "Anna", "analytiker", "analytiker-losen-1")
    before = path.read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, filelock
        with filelock.FileLock({str(path) + '.lock'!r}):
            print("held", flush=True)
            sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(auth, "LOCK_TIMEOUT", 0.3)
        for change in (lambda: auth.add_user(path, "bo", "Bo", "läsare", "lasare-losen-1"),
                       lambda: auth.update_user(path, "anna", role="admin"),
                       lambda: auth.remove_user(path, "anna")):
            with pytest.raises(auth.UsersFileError) as info:
                change()
            assert info.value.sv.startswith(f"Användarfilen {path} ändras just nu av ett annat kommando")
            assert "Försök igen om en stund." in info.value.sv
        assert path.read_bytes() == before
    finally:
        holder.communicate("", timeout=30)
    auth.add_user(path, "bo", "Bo", "läsare", "lasare-losen-1")  # let go: works again
    assert sorted(auth.load_users(path)) == ["anna", "bo"]


# --- 2. a user name is one identity after case folding and NFKC ------------------------------

@pytest.mark.parametrize("other", ["Anna", "ANNA", "ＡＮＮＡ", "ａｎｎａ"])
def test_another_spelling_of_a_stored_name_is_refused_by_the_command_line(tmp_path, other):
    path = tmp_path / "users.toml"
    assert run("users", "add", "anna", "--role", "admin", "--password", "admin-losen-123",
               "--file", str(path)).returncode == 0
    before = path.read_bytes()
    refused = run("users", "add", other, "--role", "läsare", "--password", "lasare-losen-1", "--file", str(path))
    assert refused.returncode == 2
    assert f"Användarnamnet '{other}' finns redan som 'anna'" in refused.stderr
    assert path.read_bytes() == before


def test_the_same_stored_name_replaces_and_other_commands_find_any_spelling(tmp_path):
    path = tmp_path / "users.toml"
    auth.add_user(path, "Anna", "Anna A", "analytiker", "analytiker-losen-1")
    auth.add_user(path, "Anna", "Anna A", "analytiker", "nytt-losenord-1")  # same stored name: a new password
    users = auth.load_users(path)
    assert list(users) == ["Anna"] and auth.verify(users, "Anna", "nytt-losenord-1")
    with pytest.raises(auth.UsersFileError, match="finns redan som 'Anna'"):
        auth.add_user(path, "anna", "Anna B", "admin", "admin-losen-123")
    assert auth.update_user(path, "ＡＮＮＡ", role="admin") == "Anna"
    assert auth.load_users(path)["Anna"][0] == User("Anna", "Anna A", "admin")
    removed = run("users", "remove", "aNNa", "--file", str(path))
    assert removed.returncode == 0 and "Användaren Anna är borttagen" in removed.stdout
    assert auth.load_users(path) == {}


@pytest.mark.parametrize("typed", ["anna", "Anna", "ANNA", "ＡＮＮＡ", " anna "])
def test_sign_in_matches_a_name_typed_in_another_case_or_width(tmp_path, typed):
    path = tmp_path / "users.toml"
    auth.add_user(path, "anna", "Anna Analytiker", "analytiker", "analytiker-losen-1")
    users = auth.load_users(path)
    assert auth.verify(users, typed, "analytiker-losen-1") == User("anna", "Anna Analytiker", "analytiker")
    assert auth.verify(users, typed, "fel-losenord") is None


def test_a_file_from_before_with_two_spellings_lets_only_the_exact_one_in(tmp_path):
    path = tmp_path / "users.toml"
    auth.add_user(path, "anna", "Anna", "läsare", "lasare-losen-1")
    text = path.read_text(encoding="utf-8")
    path.write_text(text + text.replace("[users.anna]", "[users.Anna]").replace('role = "läsare"', 'role = "admin"'),
                    encoding="utf-8")
    users = auth.load_users(path)
    assert auth.verify(users, "Anna", "lasare-losen-1").role == "admin"
    assert auth.verify(users, "anna", "lasare-losen-1").role == "läsare"
    assert auth.verify(users, "ANNA", "lasare-losen-1") is None  # which one is meant cannot be told


def test_signing_in_in_the_app_with_another_case(seeded_db, tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    auth.add_user(path, "lisa", "Lisa Läsare", "läsare", "lasare-losen-1")
    monkeypatch.setenv("ASN_USERS", str(path))
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = sign_in(new_app(), "LISA", "lasare-losen-1")
    assert not at.exception and at.title[0].value == "Översikt"
    assert "Inloggad: Lisa Läsare (lisa) · läsare" in [t.value for t in at.sidebar.text]


@pytest.mark.parametrize("bad", ["an\u200bna", "anna\u202e", "an\tna", "anna\x1b[31m", "\ue000anna"])
def test_names_with_control_or_invisible_characters_are_refused(tmp_path, capsys, bad):
    path = tmp_path / "users.toml"
    with pytest.raises(auth.UsersFileError, match="Användarnamnet får inte innehålla radbrytningar eller andra "
                                                  "styrtecken"):
        auth.add_user(path, bad, "Anna", "läsare", "lasare-losen-1")
    with pytest.raises(auth.UsersFileError, match=r"Namnet får inte innehålla .*\(U\+"):
        auth.add_user(path, "anna", bad, "läsare", "lasare-losen-1")
    assert cli.main(["users", "add", bad, "--role", "läsare", "--password", "lasare-losen-1", "--file",
                     str(path)]) == 2
    assert "styrtecken" in capsys.readouterr().err
    assert not path.exists()


# --- 3. access never falls open at run time --------------------------------------------------

@pytest.fixture
def fresh_process(monkeypatch):
    """What this test process has seen of sign-in, as if the server had just started."""
    monkeypatch.setattr(access, "_seen", set())


def test_demo_only_until_accounts_have_existed(s, tmp_path, monkeypatch, fresh_process):
    assert access.decide({}, s).mode == auth.DEMO
    path = tmp_path / "users.toml"
    auth.add_user(path, "lisa", "Lisa", "läsare", "lasare-losen-1")
    monkeypatch.setenv("ASN_USERS", str(path))
    assert access.decide({}, s).mode == auth.LOCAL
    assert access.marks(s) == ["local"]
    path.unlink()
    closed = access.decide({}, s)
    assert closed.mode == auth.LOCKED
    assert f"användarfilen {path} saknas" in closed.message
    assert "python -m asn_dash users add" in closed.message
    monkeypatch.setattr(access, "_seen", set())  # the server restarted: the store remembers
    assert access.decide({}, s).mode == auth.LOCKED
    path.write_text("", encoding="utf-8")
    empty = access.decide({}, s)
    assert empty.mode == auth.LOCKED and "innehåller inga konton" in empty.message
    path.write_text("not toml [", encoding="utf-8")
    assert access.decide({}, s).mode == auth.LOCAL  # where the broken file lets nobody in (test_auth.py)
    monkeypatch.setenv("ASN_USERS", str(tmp_path / "elsewhere.toml"))  # pointing elsewhere opens nothing
    assert access.decide({}, s).mode == auth.LOCKED


def test_the_process_remembers_even_without_the_stores_mark(s, tmp_path, monkeypatch, fresh_process):
    path = tmp_path / "users.toml"
    auth.add_user(path, "lisa", "Lisa", "läsare", "lasare-losen-1")
    monkeypatch.setenv("ASN_USERS", str(path))
    assert access.decide({}, s).mode == auth.LOCAL
    with s.writing() as cur:
        cur.execute("DELETE FROM meta WHERE key LIKE 'access_%'")
    path.unlink()
    assert access.decide({}, s).mode == auth.LOCKED


def test_organisation_sign_in_that_disappears_closes_the_app(s, fresh_process):
    assert access.decide({"auth": {"client_id": "x"}}, s).mode == auth.OIDC
    assert access.marks(s) == ["oidc"]
    gone = access.decide({}, s)
    assert gone.mode == auth.LOCKED and "[auth] saknas" in gone.message


def test_closed_when_demo_mode_is_off_and_no_one_ever_signed_in(s, monkeypatch, fresh_process):
    monkeypatch.setenv("ASN_DEMO", "0")
    assert access.decide({}, s) == access.Access(auth.CLOSED, access.NOT_CONFIGURED)


@pytest.mark.parametrize("env, secrets, default_store, enabled", [
    (None, {}, True, True),                               # the README's start command
    (None, {}, False, False),                             # an installation's own store (ASN_DB)
    ("1", {}, False, True), ("0", {}, True, False),
    (None, {"asn": {"demo_mode": True}}, False, True), (None, {"asn": {"demo_mode": False}}, True, False),
    ("0", {"asn": {"demo_mode": True}}, False, False),    # the environment wins
])
def test_when_demo_mode_is_enabled(monkeypatch, tmp_path, env, secrets, default_store, enabled):
    from asn_dash.store.store import DEFAULT_DB

    if env is None:
        monkeypatch.delenv("ASN_DEMO", raising=False)
    else:
        monkeypatch.setenv("ASN_DEMO", env)
    assert access.demo_enabled(secrets, DEFAULT_DB if default_store else tmp_path / "asn.duckdb") is enabled


def test_users_add_tells_the_apps_store(seeded_db, tmp_path, monkeypatch, fresh_process):
    from asn_dash.store.setup import open_store

    path = tmp_path / "users.toml"
    env = {**os.environ, "ASN_DB": str(seeded_db), "ASN_USERS": str(path)}
    other = run("users", "add", "bo", "--role", "läsare", "--password", "lasare-losen-1",
                "--file", str(tmp_path / "other.toml"), env=env)
    assert other.returncode == 0
    store = open_store(seeded_db)
    try:
        assert access.marks(store) == []  # another file than the app's: the store is not concerned
    finally:
        store.close()
    added = run("users", "add", "ada", "--role", "admin", "--password", "admin-losen-123", env=env)
    assert added.returncode == 0, added.stderr
    path.unlink()  # before the app ever saw it
    store = open_store(seeded_db)
    try:
        assert access.marks(store) == ["local"]
        monkeypatch.setenv("ASN_USERS", str(path))
        assert access.decide({}, store).mode == auth.LOCKED
    finally:
        store.close()


def closed_page(at, path: Path) -> None:
    """Only the message: no data, no navigation, no forms."""
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert "Panelen är stängd" in error and str(path) in error.replace("\\", "")
    assert not at.title and not at.selectbox and not at.get("form") and not at.get("file_uploader")
    assert not at.get("plotly_chart") and not at.sidebar.warning  # not the demo mode either
    assert [h.proto.body.lstrip()[:7] for h in at.get("html")] == ["<style>"]


def test_deleting_the_users_file_closes_the_running_app(seeded_db, tmp_path, monkeypatch, fresh_process):
    path = tmp_path / "users.toml"
    auth.add_user(path, "lisa", "Lisa Läsare", "läsare", "lasare-losen-1")
    monkeypatch.setenv("ASN_USERS", str(path))
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = sign_in(new_app(), "lisa", "lasare-losen-1")
    assert at.title[0].value == "Översikt"
    path.unlink()
    at.run()
    closed_page(at, path)
    closed_page(new_app().run(), path)  # a fresh visitor
    monkeypatch.setattr(access, "_seen", set())
    closed_page(new_app().run(), path)  # after a restart
    auth.add_user(path, "lisa", "Lisa Läsare", "läsare", "nytt-losenord-1")  # the administrator adds accounts
    at = new_app().run()
    assert [t.value for t in at.title] == ["Logga in"]

