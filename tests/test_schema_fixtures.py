"""Stores written at every earlier schema version open, migrate to the current one and keep
everything people put in them (tests/fixtures/stores, made by scripts/make_schema_fixtures.py)."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from asn_dash.store.setup import open_store
from asn_dash.store.store import LATEST_VERSION, schema_version

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "stores"
VERSIONS = range(1, LATEST_VERSION + 1)


def test_every_schema_version_has_a_fixture():
    """A new migration needs its fixture (run scripts/make_schema_fixtures.py --only N)."""
    assert sorted(p.name for p in FIXTURES.glob("schema-*.duckdb.gz")) == [
        f"schema-{v:04d}.duckdb.gz" for v in VERSIONS]
    assert all(p.stat().st_size < 64 * 1024 for p in FIXTURES.iterdir())


def opened(version: int, tmp_path: Path):
    path = tmp_path / "asn.duckdb"
    with gzip.open(FIXTURES / f"schema-{version:04d}.duckdb.gz", "rb") as packed, open(path, "wb") as raw:
        shutil.copyfileobj(packed, raw)
    con_version = _version(path)
    assert con_version == version  # the fixture really is that old
    return open_store(path)


def _version(path: Path) -> int:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return schema_version(con)
    finally:
        con.close()


def rows(store, sql: str) -> list[tuple]:
    return [tuple(r) for r in store.query(sql).itertuples(index=False)]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_store_of_an_earlier_version_migrates_with_nothing_lost(version, tmp_path):
    store = opened(version, tmp_path)
    try:
        assert schema_version(store.con) == LATEST_VERSION
        assert rows(store, "SELECT value FROM meta WHERE key = 'fixture'") == [(f"schema-{version:04d}",)]
        assert rows(store, "SELECT indicator_id, unit_id, period, value, source_ref, upload_id FROM observations "
                           "WHERE source = 'uppladdning' ORDER BY unit_id") == [
            ("hushall_ekb", "aos", "2025-08", 4440.0, "augusti.csv", 1),
            ("hushall_ekb", "barn_unga", "2025-T1", 12.5, "augusti.csv", 1)]
        assert rows(store, "SELECT id, user_name, file_name, inserted, status FROM uploads") == [
            (1, "anna", "augusti.csv", 2, "inläst")]
        assert rows(store, "SELECT indicator_id, unit_id, period, author, text FROM comments") == [
            ("hushall_ekb", "aos", "2025-08", "anna", "Fler ansökningar i augusti.")]
        verdicts = rows(store, "SELECT level, target_id, unit_id, period, colour, coalesce(text, source_ref), origin "
                               "FROM verdicts ORDER BY id")
        published = ("målområde", "sjalvforsorjning", None, "2025-T2", "Gul", "Tertialrapport T2 2025, tabell 1",
                     "rapport")
        by_hand = [("indikator", "hushall_ekb", None, "2025-08", "Grön", "Bedömd för hand.", "analytiker"),
                   ("indikator", "hushall_ekb", None, "2025-T2", "Röd", "Överstyrd efter genomgång.", "analytiker")]
        assert verdicts == [published] + (by_hand if version >= 3 else [])
        assert len(rows(store, "SELECT * FROM audit_log WHERE target = 'hushall_ekb 2025-08'")) == (version >= 3)
        assert rows(store, "SELECT existed, old_value FROM upload_changes") == ([(True, 4400.0)] if version >= 4 else [])
        assert rows(store, "SELECT name FROM agendas") == ([("Tertial 2",)] if version >= 5 else [])
        assert rows(store, "SELECT display_name FROM people") == ([("Anna Analytiker",)] if version >= 7 else [])
        # the catalogue was synced over the few catalogue rows the old store had
        assert store.scalar("SELECT count(*) FROM indicators") > 100
    finally:
        store.close()


@pytest.mark.parametrize("version", [1, 6, LATEST_VERSION])
def test_a_migrated_store_takes_new_uploads_after_the_old_ones(version, tmp_path):
    """Sequences came along: the next upload is number 2, not a clash with the stored one."""
    from asn_dash import cli

    opened(version, tmp_path).close()
    upload = tmp_path / "sept.csv"
    upload.write_bytes("indikator;period;värde\r\nhushall_ekb;2025-09;401\r\n".encode())
    assert cli.main(["ingest", str(upload), "--db", str(tmp_path / "asn.duckdb"), "--user", "anna",
                     "--accept-warnings"]) == 0
    store = open_store(tmp_path / "asn.duckdb")
    try:
        assert rows(store, "SELECT id, file_name FROM uploads ORDER BY id") == [(1, "augusti.csv"), (2, "sept.csv")]
    finally:
        store.close()
