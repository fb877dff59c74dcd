"""``backup`` and ``restore`` through the real command line, on real store files, with other
processes holding or writing the store at the same time."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb

from asn_dash.store.store import LATEST_VERSION

from .ingest_helpers import csv_bytes, dump

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "asn_dash", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def popen(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "asn_dash", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_swedish_error(proc: subprocess.CompletedProcess) -> str:
    """The refusal: a non-zero exit, no traceback, exactly one Swedish 'Fel:' line (returned)."""
    assert proc.returncode != 0, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("Fel:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def upload(tmp_path: Path, db: Path, name: str, period: str, value: int) -> None:
    file = tmp_path / name
    file.write_bytes(csv_bytes(f"indikator;period;värde\nhushall_ekb;{period};{value}\n"))
    proc = cli("ingest", str(file), "--db", str(db), "--user", "anna", "--accept-warnings")
    assert proc.returncode == 0, proc.stderr


def stored(db: Path, period: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT value FROM observation_values v JOIN indicator_keys i ON i.key = v.indicator_key "
                           "WHERE i.id = 'hushall_ekb' AND v.period_code = period_code(?) AND v.source = 'uppladdning'",
                           [period]).fetchall()
    finally:
        con.close()


def made_backup(tmp_path: Path, db: Path, name: str = "kopia.duckdb") -> Path:
    out = tmp_path / name
    proc = cli("backup", "--db", str(db), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "Skrev säkerhetskopian" in proc.stdout
    return out


def test_backup_modify_restore_brings_the_backup_back_and_keeps_the_replaced_store(seeded_db, tmp_path):
    upload(tmp_path, seeded_db, "sept.csv", "2025-09", 401)
    at_backup = dump(seeded_db)
    backup = made_backup(tmp_path, seeded_db)

    upload(tmp_path, seeded_db, "okt.csv", "2025-10", 999)
    con = duckdb.connect(str(seeded_db))
    con.execute("DELETE FROM comments")
    con.execute("UPDATE verdicts SET text = 'Ändrad' WHERE id = (SELECT min(id) FROM verdicts)")
    con.close()
    modified = dump(seeded_db)
    assert modified != at_backup

    proc = cli("restore", str(backup), "--db", str(seeded_db))
    assert proc.returncode == 0, proc.stderr
    assert dump(seeded_db) == at_backup  # every table as it was when the backup was made
    assert stored(seeded_db, "2025-10") == [] and stored(seeded_db, "2025-09") == [(401.0,)]
    replaced = list(tmp_path.glob("asn.duckdb.replaced-*"))
    assert len(replaced) == 1 and str(replaced[0]) in proc.stdout
    assert dump(replaced[0]) == modified  # the replaced store is kept whole
    assert not Path(f"{seeded_db}.wal").exists()
    # the restored store works on: a new upload gets a new id (sequences came back too)
    upload(tmp_path, seeded_db, "nov.csv", "2025-11", 402)
    assert stored(seeded_db, "2025-11") == [(402.0,)]


def test_default_backup_goes_to_a_dated_file_in_backups_beside_the_store(seeded_db, tmp_path):
    proc = cli("backup", "--db", str(seeded_db))
    assert proc.returncode == 0, proc.stderr
    made = list((tmp_path / "backups").iterdir())
    assert len(made) == 1 and made[0].name.startswith("asn-") and made[0].suffix == ".duckdb"
    assert str(made[0]) in proc.stdout
    restore = cli("restore", str(made[0]), "--db", str(seeded_db))
    assert restore.returncode == 0, restore.stderr


def refused(tmp_path: Path, db: Path, backup: Path) -> str:
    before = digest(db)
    line = one_swedish_error(cli("restore", str(backup), "--db", str(db)))
    assert "återställs inte" in line and "Datalagret har inte ändrats" in line
    assert digest(db) == before
    assert not list(tmp_path.glob("*.replaced-*"))
    assert sorted(p.name for p in db.parent.iterdir() if p.name.startswith(".")) == []  # no temporary left
    return line


def test_restore_refuses_a_truncated_backup(seeded_db, tmp_path):
    backup = made_backup(tmp_path, seeded_db)
    os.truncate(backup, backup.stat().st_size // 2)
    assert "avkortad" in refused(tmp_path, seeded_db, backup)


def test_restore_refuses_a_file_that_is_not_duckdb(seeded_db, tmp_path):
    other = tmp_path / "anteckningar.duckdb"
    other.write_text("indikator;period;värde\n" * 1000, encoding="utf-8")
    assert "inte en DuckDB-fil" in refused(tmp_path, seeded_db, other)


def test_restore_refuses_a_store_that_is_not_a_backup(seeded_db, tmp_path, seeded_template):
    plain = tmp_path / "vanlig.duckdb"
    shutil.copy(seeded_template, plain)
    assert "innehållsförteckning" in refused(tmp_path, seeded_db, plain)


def test_restore_refuses_a_tampered_backup(seeded_db, tmp_path):
    upload(tmp_path, seeded_db, "sept.csv", "2025-09", 401)
    backup = made_backup(tmp_path, seeded_db)
    con = duckdb.connect(str(backup))
    con.execute("UPDATE observation_values SET value = 402 WHERE value = 401 AND source = 'uppladdning'")
    con.close()
    assert "observation_values" in refused(tmp_path, seeded_db, backup)


def test_restore_refuses_a_backup_with_a_row_removed(seeded_db, tmp_path):
    backup = made_backup(tmp_path, seeded_db)
    con = duckdb.connect(str(backup))
    con.execute("DELETE FROM units WHERE id = (SELECT max(id) FROM units)")
    con.close()
    assert "units" in refused(tmp_path, seeded_db, backup)


def test_restore_refuses_a_backup_from_a_future_schema_version(seeded_db, tmp_path):
    backup = made_backup(tmp_path, seeded_db)
    future = LATEST_VERSION + 1
    con = duckdb.connect(str(backup))  # as a newer asn-dash would have written it
    con.execute("INSERT INTO schema_version (version, name) VALUES (?, 'framtida')", [future])
    con.execute("UPDATE backup_manifest.info SET value = ? WHERE key = 'schema_version'", [str(future)])
    con.close()
    line = refused(tmp_path, seeded_db, backup)
    assert f"schemaversion {future}" in line and "uppdatera asn-dash" in line


def hold(path: Path) -> subprocess.Popen:
    """Another process that holds the store read-write and writes to it (an audit row per line
    it is sent, each committed), until its input ends."""
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys
        con = duckdb.connect({str(path)!r})
        def write(i):
            con.execute("INSERT INTO audit_log (user_name, action, target, detail) VALUES ('hållare', 'test', ?, '')",
                        [str(i)])
        for i in range(3):
            write(i)
        print("ready", flush=True)
        for i, _ in enumerate(sys.stdin, start=3):
            write(i)
            print("wrote", flush=True)
        con.close()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "ready"
    return holder


def held_rows(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [r[0] for r in con.execute(
            "SELECT target FROM audit_log WHERE user_name = 'hållare' ORDER BY target").fetchall()]
    finally:
        con.close()


def test_backup_while_another_process_holds_the_store(seeded_db, tmp_path):
    out = tmp_path / "kopia.duckdb"
    holder = hold(seeded_db)
    try:
        # held past --wait: a clear Swedish message, and no backup file (nor a half one)
        line = one_swedish_error(cli("backup", "--db", str(seeded_db), "-o", str(out), "--wait", "1"))
        assert "ingen säkerhetskopia gjordes" in line and "--wait" in line
        assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
        # a backup waiting for the holder gets everything it committed, once it lets go
        waiting = popen("backup", "--db", str(seeded_db), "-o", str(out), "--wait", "120")
        holder.stdin.write("one more\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "wrote"
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    _, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert held_rows(out) == ["0", "1", "2", "3"] == held_rows(seeded_db)
    restore = cli("restore", str(out), "--db", str(seeded_db))
    assert restore.returncode == 0, restore.stderr


def test_restore_refuses_while_another_process_holds_the_store(seeded_db, tmp_path):
    backup = made_backup(tmp_path, seeded_db)
    holder = hold(seeded_db)
    try:
        line = one_swedish_error(cli("restore", str(backup), "--db", str(seeded_db)))
        assert "används av en annan process" in line and "Stoppa appen" in line
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert held_rows(seeded_db) == ["0", "1", "2"]  # the holder's store, not replaced under it
    assert not list(tmp_path.glob("*.replaced-*"))


def test_a_backup_right_after_an_ingest_contains_the_upload(seeded_db, tmp_path):
    upload(tmp_path, seeded_db, "sept.csv", "2025-09", 401)
    backup = made_backup(tmp_path, seeded_db)
    assert stored(backup, "2025-09") == [(401.0,)]


def test_a_backup_during_an_ingest_has_all_of_the_upload_or_none(seeded_db, tmp_path):
    rows = "".join(f"hushall_ekb;{year}-{month:02d};{400 + month}\n" for year in (2023, 2024) for month in range(1, 13))
    file = tmp_path / "stor.csv"
    file.write_bytes(csv_bytes("indikator;period;värde\n" + rows))
    out = tmp_path / "kopia.duckdb"
    ingest = popen("ingest", str(file), "--db", str(seeded_db), "--user", "anna", "--accept-warnings")
    backup = popen("backup", "--db", str(seeded_db), "-o", str(out), "--wait", "120")
    assert ingest.wait(timeout=300) == 0, ingest.stderr.read()
    assert backup.wait(timeout=300) == 0, backup.stderr.read()
    con = duckdb.connect(str(out), read_only=True)
    try:
        uploads = con.execute("SELECT count(*) FROM uploads").fetchall()[0][0]
        values = con.execute("SELECT count(*) FROM observation_values WHERE upload_id IS NOT NULL").fetchall()[0][0]
    finally:
        con.close()
    assert (uploads, values) in {(0, 0), (1, 24)}
    # and a backup after it has finished has all of it
    assert len(stored(made_backup(tmp_path, seeded_db, "efter.duckdb"), "2024-12")) == 1


def test_a_damaged_store_is_not_backed_up(seeded_db, tmp_path):
    con = duckdb.connect(str(seeded_db), read_only=True)
    block = con.execute("SELECT max(block_id) FROM pragma_storage_info('observation_values')").fetchall()[0][0]
    con.close()
    with open(seeded_db, "r+b") as fh:
        fh.seek(3 * 4096 + block * 262144 + 1000)
        fh.write(b"\xa5" * 2000)
    before = digest(seeded_db)
    out = tmp_path / "kopia.duckdb"
    line = one_swedish_error(cli("backup", "--db", str(seeded_db), "-o", str(out)))
    assert "är skadat" in line and not out.exists()
    assert digest(seeded_db) == before


def test_backup_and_restore_while_the_app_runs(seeded_db, tmp_path, monkeypatch):
    """The app holds the store only during a run: a backup gets it between two runs, and the
    app's next run reads the restored store."""
    from .apptest import new_app

    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app().run()
    assert not at.exception and at.title[0].value == "Översikt"
    backup = made_backup(tmp_path, seeded_db)
    upload(tmp_path, seeded_db, "sept.csv", "2025-09", 401)
    at.run()
    proc = cli("restore", str(backup), "--db", str(seeded_db))
    assert proc.returncode == 0, proc.stderr
    assert stored(seeded_db, "2025-09") == []
    at.run()
    assert not at.exception and not at.error and at.title[0].value == "Översikt"
