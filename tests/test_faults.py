"""Faults of the whole product: a killed ingest, a full disk, a locked or deleted store, Kolada down.

Each test drives the real parts (the CLI in a subprocess, the app through AppTest) against a real
DuckDB file and checks the store afterwards: it opens, and holds all of a change or none of it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from asn_dash.bench.ingest import prepare_upload_store, upload_keys, write_long_csv

from .apptest import new_app, shown
from .ingest_helpers import dump

ROOT = Path(__file__).resolve().parent.parent
MILLION = 1_000_000


def cli(*args, env=None, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "asn_dash", *args], cwd=ROOT,
                            env={**os.environ, "ASN_MAX_UPLOAD_MB": "1000", **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def counts(path: Path) -> tuple[int, int, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                     for t in ("observations", "uploads", "upload_changes"))
    finally:
        con.close()


@pytest.fixture(scope="module")
def upload_template(seeded_template, tmp_path_factory) -> Path:
    """The seeded store with enough (bench) indicators and units for a million-row upload of real months."""
    path = tmp_path_factory.mktemp("upload") / "asn.duckdb"
    shutil.copy(seeded_template, path)
    prepare_upload_store(path)
    return path


@pytest.fixture
def upload_db(upload_template, tmp_path) -> Path:
    path = tmp_path / "asn.duckdb"
    shutil.copy(upload_template, path)
    return path


@pytest.fixture(scope="module")
def million_csv(upload_template, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "million.csv"
    write_long_csv(path, MILLION, upload_keys(upload_template))
    return path


# --- kill -9 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("when", ["reading", "first write", "8 MB written", "40 MB written"])
def test_kill_9_half_way_through_a_million_row_ingest_leaves_all_or_nothing(when, million_csv, upload_db):
    """The ingest is killed while it reads the file, or once the store file has grown by the given
    amount (the commit is writing); afterwards the store opens and holds all of it or none."""
    before = counts(upload_db)
    size = upload_db.stat().st_size
    grown = {"reading": None, "first write": 1, "8 MB written": 8 << 20, "40 MB written": 40 << 20}[when]
    proc = cli("ingest", str(million_csv), "--db", str(upload_db), "--accept-warnings")
    started = time.monotonic()
    while proc.poll() is None:
        if grown is None and time.monotonic() - started > 1.0:
            break
        if grown is not None and upload_db.stat().st_size - size >= grown:
            break
        time.sleep(0.005)
    assert proc.poll() is None, f"the ingest finished before the kill point ({proc.stderr.read()})"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    after = counts(upload_db)  # opens: DuckDB replays or drops the unfinished transaction
    assert after in (before, (before[0] + MILLION, before[1] + 1, before[2] + MILLION)), after
    rerun = cli("ingest", str(million_csv), "--db", str(upload_db), "--accept-warnings")
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert counts(upload_db)[0] == before[0] + MILLION  # and the store still takes the upload


# --- disk full ----------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 96 MB tmpfs (root or passwordless sudo needed to mount it)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    done = subprocess.run([*prefix, "mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run([*prefix, "umount", "-l", str(mount)], check=False)


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill the disk up to ``leave`` bytes."""
    free = shutil.disk_usage(disk).free
    filler = disk / "filler"
    with filler.open("wb") as fh:
        remaining = free - leave
        while remaining > 0:
            chunk = min(remaining, 1 << 20)
            try:
                fh.write(b"\0" * chunk)
                fh.flush()
            except OSError:
                break
            remaining -= chunk
    return filler


def test_ingest_on_a_full_disk_fails_cleanly_and_changes_nothing(small_disk, upload_template, tmp_path):
    store = small_disk / "asn.duckdb"
    shutil.copy(upload_template, store)
    upload = tmp_path / "upload.csv"
    # more than the store file's own free blocks (~18 MB after seeding) can take: the ingest must
    # grow the file, and the disk has no room for that
    write_long_csv(upload, MILLION, upload_keys(upload_template))
    before = dump(store)
    filler = fill(small_disk, leave=256 << 10)
    proc = cli("ingest", str(upload), "--db", str(store), "--accept-warnings")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1, out
    assert "Fel: Datalagret kunde inte skrivas (disken är full" in err and "Inget av ändringen sparades" in err
    assert "Traceback" not in err
    filler.unlink()
    assert dump(store) == before
    assert cli("ingest", str(upload), "--db", str(store), "--accept-warnings").wait(timeout=300) == 0


def test_comment_on_a_full_disk_is_refused_on_the_page(small_disk, seeded_template, monkeypatch):
    store = small_disk / "asn.duckdb"
    shutil.copy(seeded_template, store)
    monkeypatch.setenv("ASN_DB", str(store))
    at = new_app()
    at.query_params["indikator"] = "hushall_ekb"
    at.run()
    at.switch_page("pages/indikator.py")
    at.session_state["indikator-comment-open"] = True  # the comment form is drawn only in its opened expander
    at.run()
    before = dump(store)
    filler = fill(small_disk)
    at.text_area[0].input("En kommentar som inte får plats på disken. " * 40)
    next(b for b in at.button if b.label == "Spara kommentar").click().run()
    assert not at.exception
    assert any("Datalagret kunde inte skrivas" in e.value for e in at.error)
    filler.unlink()
    assert dump(store)["comments"] == before["comments"]


# --- store locked, store deleted ---------------------------------------------------------------

def hold_lock(path: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys
            con = duckdb.connect({str(path)!r})
            print("ready", flush=True)
            sys.stdin.read()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    return holder


def test_store_locked_by_another_process_waits_then_explains_then_recovers(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    monkeypatch.setenv("ASN_LOCK_WAIT", "1")
    at = new_app().run()
    assert at.title[0].value == "Översikt"
    holder = hold_lock(seeded_db)
    try:
        started = time.monotonic()
        at.run()
        assert time.monotonic() - started >= 1.0  # it waited for the lock first
        assert not at.exception
        assert "används av en annan process" in at.error[0].value
    finally:
        holder.communicate("", timeout=30)
    next(b for b in at.button if b.label == "Försök igen").click().run()
    assert not at.exception and at.title[0].value == "Översikt"


def test_a_short_lock_is_waited_out_without_an_error(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    monkeypatch.setenv("ASN_LOCK_WAIT", "20")
    at = new_app().run()
    holder = hold_lock(seeded_db)
    release = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1.5)"])
    try:
        import threading

        threading.Thread(target=lambda: (release.wait(), holder.communicate("", timeout=30)), daemon=True).start()
        at.run()
    finally:
        release.wait()
    assert not at.exception and not at.error
    assert at.title[0].value == "Översikt"


def test_store_deleted_under_the_running_app_is_reported_not_recreated(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app().run()
    assert at.title[0].value == "Översikt"
    moved = seeded_db.with_suffix(".moved")
    seeded_db.rename(moved)
    at.run()
    assert not at.exception
    assert "finns inte längre" in at.error[0].value and str(seeded_db) in shown(at.error[0].value)
    assert not seeded_db.exists()  # no empty store in its place
    moved.rename(seeded_db)
    next(b for b in at.button if b.label == "Försök igen").click().run()
    assert not at.exception and at.title[0].value == "Översikt"


# --- Kolada down ----------------------------------------------------------------------------------

def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_kolada_down_during_a_scheduled_pull(seeded_db, monkeypatch):
    before = dump(seeded_db)["kolada_values"]
    proc = cli("kolada", "pull", "--kpi", "N31814", "--base-url", f"http://127.0.0.1:{closed_port()}/v3",
               "--db", str(seeded_db), env={"ASN_KOLADA_BACKOFF": "0.01"})  # not urllib3's real 14 s
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 1
    assert "Lagrad Kolada-data är oförändrad" in err and "Traceback" not in err
    assert dump(seeded_db)["kolada_values"] == before

    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app().run()
    at.switch_page("pages/jamforelser.py").run()
    assert not at.exception
    warning = at.warning[0].value
    assert warning.startswith("Senaste hämtningen från Kolada misslyckades") and "Visad data är från 2024-08-30" in warning
