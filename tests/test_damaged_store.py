"""A damaged store file (cut short, or garbage in a block) is reported as damaged, naming the file
and the way back (restore from a backup), by every command and by the app, and is never written."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from asn_dash.store.setup import build_store, open_store
from asn_dash.store.store import StoreDamagedError

from .apptest import new_app, shown
from .ingest_helpers import csv_bytes

ROOT = Path(__file__).resolve().parent.parent
HEADERS, BLOCK = 3 * 4096, 262144  # DuckDB's file layout: 12 KiB of headers, then 256 KiB blocks


def block_of(path: Path, table: str) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(f"SELECT max(block_id) FROM pragma_storage_info('{table}')").fetchall()[0][0]
    finally:
        con.close()


def garbage_in_block(path: Path, block: int) -> None:
    with open(path, "r+b") as fh:
        fh.seek(HEADERS + block * BLOCK + 1000)
        fh.write(bytes(range(256)) * 8)


def damaged(kind: str, template: Path, folder: Path) -> Path:
    """A copy of the seeded store, damaged: ``truncated`` (cut in half), ``meta-block`` (garbage in
    the block of the table every command reads on opening) or ``values-block`` (garbage in a
    block of the stored values, which only reading values meets)."""
    path = folder / "asn.duckdb"
    shutil.copy(template, path)
    if kind == "truncated":
        os.truncate(path, path.stat().st_size // 2)
    else:
        garbage_in_block(path, block_of(path, "meta" if kind == "meta-block" else "observation_values"))
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def commands(tmp_path: Path) -> dict[str, list[str]]:
    upload = tmp_path / "upp.csv"
    upload.write_bytes(csv_bytes("indikator;period;värde\nhushall_ekb;2025-09;401\n"))
    return {
        "ingest": ["ingest", str(upload), "--accept-warnings", "--user", "anna"],
        "export": ["export", "--format", "csv", "-o", str(tmp_path / "ut.csv")],
        "report": ["report", "--period", "2025-T2", "--format", "xlsx", "-o", str(tmp_path / "rapport.xlsx")],
        "uploads list": ["uploads", "list"],
    }


CASES = [(kind, command) for kind in ("truncated", "meta-block") for command in
         ("ingest", "export", "report", "uploads list")] + [("values-block", c) for c in ("export", "report")]


@pytest.mark.parametrize("kind,command", CASES)
def test_every_command_says_the_store_is_damaged_in_one_swedish_line(kind, command, seeded_template, tmp_path):
    store = damaged(kind, seeded_template, tmp_path)
    before = digest(store)
    args = commands(tmp_path)[command]
    proc = subprocess.run([sys.executable, "-m", "asn_dash", *args, "--db", str(store)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout
    assert "Traceback" not in proc.stderr, proc.stderr
    swedish = [line for line in proc.stderr.splitlines() if line.startswith("Fel:")]
    assert len(swedish) == 1, proc.stderr
    assert f"Datalagret {store} är skadat" in swedish[0]
    assert "python -m asn_dash restore" in swedish[0] and str(tmp_path / "backups") in swedish[0]
    assert digest(store) == before  # not repaired, seeded or written over
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["asn.duckdb", "upp.csv"])


@pytest.mark.parametrize("kind", ["truncated", "meta-block"])
def test_opening_a_damaged_store_never_seeds_over_it(kind, seeded_template, tmp_path):
    store = damaged(kind, seeded_template, tmp_path)
    before = digest(store)
    with pytest.raises(StoreDamagedError) as info:
        open_store(store).close()
    assert "är skadat" in info.value.sv
    with pytest.raises(Exception, match="finns redan"):
        build_store(store)
    assert digest(store) == before


@pytest.mark.parametrize("kind", ["truncated", "meta-block", "values-block"])
def test_the_app_shows_the_damage_message_not_an_exception(kind, seeded_template, tmp_path, monkeypatch):
    store = damaged(kind, seeded_template, tmp_path)
    before = digest(store)
    monkeypatch.setenv("ASN_DB", str(store))
    at = new_app().run()
    assert not at.exception, at.exception
    errors = [shown(e.value) for e in at.error]
    assert any(f"Datalagret {store} är skadat" in e and "python -m asn_dash restore" in e for e in errors), errors
    assert digest(store) == before


def test_init_force_replaces_a_damaged_store_and_keeps_it_aside(seeded_template, tmp_path):
    store = damaged("meta-block", seeded_template, tmp_path)
    before = digest(store)
    proc = subprocess.run([sys.executable, "-m", "asn_dash", "init", "--force", "--db", str(store)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    kept = list(tmp_path.glob("asn.duckdb.replaced-*"))
    assert len(kept) == 1 and digest(kept[0]) == before
    open_store(store).close()
