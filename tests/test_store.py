"""The store: migrations, first-start creation, and every way opening it can fail."""

import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from asn_dash.auth import cli_user
from asn_dash.store import seed, store
from asn_dash.store.seed_csv import SeedError
from asn_dash.store.setup import build_store, open_store
from asn_dash.store.store import LATEST_VERSION, StoreError, StoreLockedError, migrate, schema_version
from asn_dash.uploads import history as history_module

ROOT = Path(__file__).resolve().parent.parent


def tables(path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()


def test_first_open_creates_migrates_and_seeds(tmp_path):
    path = tmp_path / "sub" / "asn.duckdb"
    s = open_store(path)
    try:
        assert s.scalar("SELECT max(version) FROM schema_version") == LATEST_VERSION == 8
        assert s.scalar("SELECT count(*) FROM observations") > 6000
        assert s.scalar("SELECT count(*) FROM plan_years") == 5
    finally:
        s.close()
    assert {"indicators", "units", "unit_history", "goal_areas", "goals", "plan_indicators", "observations",
            "comments", "uploads", "kolada_values", "kolada_kpis", "kolada_municipalities"} <= tables(path)
    assert not list(tmp_path.joinpath("sub").glob("*.tmp")), "no temporary files left behind"


def test_old_version_file_is_migrated_forward_keeping_its_data(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    assert migrate(con, path, target=1) == [1]
    con.execute("INSERT INTO observations (indicator_id, unit_id, period, period_kind, period_end, value, source)"
                " VALUES ('hushall_ekb', 'aos', '2025-03', 'månad', DATE '2025-03-31', 401, 'uppladdning')")
    con.close()
    assert "kolada_values" not in tables(path)

    s = open_store(path)
    try:
        assert schema_version(s.con) == LATEST_VERSION
        assert s.scalar("SELECT value FROM observations WHERE period = '2025-03'") == 401
        assert s.scalar("SELECT count(*) FROM indicators") > 100  # catalogue synced on open
        assert s.scalar("SELECT count(*) FROM kolada_values") == 0
        versions = s.query("SELECT version, name FROM schema_version ORDER BY version")
        assert versions.to_dict("records")[:2] == [{"version": 1, "name": "core"}, {"version": 2, "name": "kolada"}]
        assert len(versions) == LATEST_VERSION
    finally:
        s.close()


def test_migrations_are_idempotent(seeded_db):
    con = duckdb.connect(str(seeded_db))
    try:
        assert migrate(con, seeded_db) == []
    finally:
        con.close()


def test_store_from_a_newer_version_is_refused(seeded_db):
    con = duckdb.connect(str(seeded_db))
    con.execute("INSERT INTO schema_version (version, name) VALUES (99, 'future')")
    con.close()
    expected = f"har schemaversion 99, men den här versionen av asn-dash känner bara till version {LATEST_VERSION}"
    with pytest.raises(StoreError, match=expected):
        open_store(seeded_db)


def test_locked_store_gives_a_clear_message(seeded_db):
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(seeded_db)!r})
            print("ready", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError) as info:
            open_store(seeded_db)
        assert str(seeded_db) in info.value.sv
        assert "används av en annan process" in info.value.sv
        assert "försök igen" in info.value.sv
    finally:
        holder.communicate("", timeout=30)


def test_unwritable_path_gives_a_clear_message(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    path = blocker / "asn.duckdb"
    with pytest.raises(StoreError) as info:
        open_store(path)
    assert f"Datalagret {path} kan inte skapas eller skrivas" in info.value.sv
    assert "ASN_DB" in info.value.sv


def test_env_var_chooses_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(tmp_path / "via-env.duckdb"))
    assert store.db_path() == tmp_path / "via-env.duckdb"
    monkeypatch.delenv("ASN_DB")
    assert store.db_path() == store.DEFAULT_DB


def test_file_that_is_not_a_store(tmp_path):
    path = tmp_path / "asn.duckdb"
    path.write_bytes(b"this is a spreadsheet, not a database" * 200)
    with pytest.raises(StoreError) as info:
        open_store(path)
    assert str(path) in info.value.sv
    assert "init --force" in info.value.sv


def test_failed_seed_leaves_no_half_built_store(tmp_path, monkeypatch):
    seed_dir = tmp_path / "seed"
    seed_dir.mkdir()
    for name in ("published.csv", "demo.csv", "assessments.csv", "comments.csv"):
        (seed_dir / name).write_bytes((seed.SEED_DIR / name).read_bytes())
    text = (seed_dir / "published.csv").read_text(encoding="utf-8")
    text = text.replace("hushall_ekb,aos,2019-04,243,", "hushall_ekb,aos,2019-04,243 st,", 1)
    (seed_dir / "published.csv").write_text(text, encoding="utf-8")
    monkeypatch.setattr(seed, "SEED_DIR", seed_dir)
    path = tmp_path / "db" / "asn.duckdb"
    with pytest.raises(SeedError) as info:
        build_store(path)
    assert "published.csv, rad 3, kolumn 'value' (värde '243 st'): inte ett tal" in info.value.sv
    assert not path.exists()
    assert list(path.parent.iterdir()) == []


def test_build_refuses_to_overwrite_without_force(seeded_db):
    with pytest.raises(StoreError, match="finns redan. Använd --force"):
        build_store(seeded_db)


def test_force_rebuild_replaces_contents(seeded_db):
    con = duckdb.connect(str(seeded_db))
    con.execute("DELETE FROM observation_values")
    con.close()
    build_store(seeded_db, force=True)
    s = open_store(seeded_db)
    try:
        assert s.scalar("SELECT count(*) FROM observations") > 6000
    finally:
        s.close()


def test_catalogue_edit_is_synced_on_next_open(seeded_db, catalogue_copy, monkeypatch):
    path = catalogue_copy / "indicators.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"Antal hushåll med ekonomiskt bistånd"',
                                                             '"Hushåll med ekonomiskt bistånd (antal)"'), encoding="utf-8")
    monkeypatch.setenv("ASN_CATALOGUE", str(catalogue_copy))
    s = open_store(seeded_db)
    try:
        assert s.scalar("SELECT name FROM indicators WHERE id = 'hushall_ekb'") == "Hushåll med ekonomiskt bistånd (antal)"
        assert s.scalar("SELECT count(*) FROM observations WHERE indicator_id = 'hushall_ekb'") > 100
    finally:
        s.close()


def test_opening_a_store_does_not_import_the_kolada_client_or_sign_in(tmp_path):
    """The store is the bottom layer: opening (and even creating and seeding) one must not pull in
    the HTTP client, the sign-in code or Streamlit."""
    code = (
        "import sys\n"
        "from asn_dash.store.setup import open_store\n"
        f"open_store({str(tmp_path / 'a.duckdb')!r}).close()\n"
        "bad = [m for m in ('asn_dash.kolada.client', 'asn_dash.auth', 'requests', 'streamlit') if m in sys.modules]\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_version_5_store_moves_to_integer_keys_and_kinds_keeping_every_value(tmp_path):
    """A store written before value kinds: its values, upload history and undo survive migration 6;
    a malformed period key (an old upload of year 1) is kept in quarantine, never dropped."""
    path = tmp_path / "v5.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, path, target=5)
    con.execute("INSERT INTO uploads (id, user_name, file_name, sha256, inserted, updated)"
                " VALUES (7, 'anna', 'f.csv', 'x', 1, 1)")
    con.executemany(
        "INSERT INTO observations (indicator_id, unit_id, period, period_kind, period_end, value, text_value, source,"
        " upload_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [["hushall_ekb", "aos", "2025-03", "månad", date(2025, 3, 31), 401, None, "uppladdning", 7],
         ["hushall_ekb", "aos", "2025-T2", "tertial", date(2025, 8, 31), 389, None, "publicerad", None],
         ["vald_fragor", "aos", "2025", "år", date(2025, 12, 31), None, "Ja", "publicerad", None],
         ["hushall_ekb", "aos", "1-01", "månad", date(1, 1, 31), 5, None, "uppladdning", None]])
    con.executemany(
        "INSERT INTO observation_history VALUES (?, ?, ?, ?, ?, ?, NULL, ?, NULL, NULL, NULL)",
        [[7, "hushall_ekb", "aos", "2025-03", True, 399, "exempeldata"],
         [7, "hushall_ekb", "aos", "2025-04", False, None, None]])
    con.close()

    s = open_store(path)
    try:
        rows = s.con.execute("SELECT indicator_id, unit_id, period, period_kind, period_end, value, text_value"
                             " FROM observations ORDER BY period").fetchall()
        assert rows == [("vald_fragor", "aos", "2025", "år", date(2025, 12, 31), None, "Ja"),
                        ("hushall_ekb", "aos", "2025-03", "månad", date(2025, 3, 31), 401.0, None),
                        ("hushall_ekb", "aos", "2025-T2", "tertial", date(2025, 8, 31), 389.0, None)]
        assert s.scalar("SELECT count(*) FROM observations_all WHERE value_kind = 'utfall'") == 3
        assert s.query("SELECT period, value, reason FROM quarantined_observations").values.tolist() == [
            ["1-01", 5.0, "perioden kan inte tolkas"]]
        history = s.con.execute("SELECT period_code, existed, old_value FROM upload_changes ORDER BY 1").fetchall()
        assert history == [(202503, True, 399.0), (202504, False, None)]
        assert history_module.undo(s, 7, cli_user("admin")) == {"removed": 0, "restored": 1}
        assert s.scalar("SELECT value FROM observations WHERE period = '2025-03'") == 399
    finally:
        s.close()


def test_the_store_refuses_malformed_periods_and_shows_only_outcomes_as_outcomes(seeded_db):
    s = open_store(seeded_db)
    try:
        key = s.scalar("SELECT key FROM indicator_keys WHERE id = 'hushall_ekb'")
        unit = s.scalar("SELECT key FROM unit_keys WHERE id = 'aos'")
        for code in (101, 202513, 202543, 202520):  # year 1, month 13, T3, "month 20"
            with pytest.raises(duckdb.ConstraintException):
                s.con.execute("INSERT INTO observation_values (indicator_key, unit_key, period_code, period_end, value,"
                              " source) VALUES (?, ?, ?, DATE '2025-01-31', 1, 'x')", [key, unit, code])
        with s.writing() as cur:
            assert store.write_values(cur, pd.DataFrame([
                {"indicator_id": "hushall_ekb", "unit_id": "aos", "period": "2025", "value_kind": "prognos",
                 "value": 381.0, "source": "uppladdning"},
                {"indicator_id": "hushall_ekb", "unit_id": "aos", "period": "2025", "value_kind": "budget",
                 "value": 370.0, "source": "uppladdning"}])) == 2
        assert s.scalar("SELECT count(*) FROM observations WHERE indicator_id = 'hushall_ekb' AND period = '2025'") == 0
        kinds = s.query("SELECT value_kind, value FROM observations_all WHERE indicator_id = 'hushall_ekb'"
                        " AND period = '2025' ORDER BY value_kind").values.tolist()
        assert kinds == [["budget", 370.0], ["prognos", 381.0]]
        with pytest.raises(StoreError, match="okänd indikator, enhet, period eller värdetyp"):
            with s.writing() as cur:
                store.write_values(cur, pd.DataFrame([{"indicator_id": "hushall_ekb", "unit_id": "aos",
                                                       "period": "2025", "value_kind": "gissning", "value": 1.0,
                                                       "source": "x"}]))
    finally:
        s.close()


def test_new_catalogue_ids_get_keys_and_old_keys_never_change(seeded_db, tmp_path):
    s = open_store(seeded_db)
    try:
        before = dict(s.query("SELECT id, key FROM indicator_keys").values.tolist())
        store.add_keys(s.con, "indicator_keys", ["a_new_indicator", "hushall_ekb"])
        after = dict(s.query("SELECT id, key FROM indicator_keys").values.tolist())
        assert {k: after[k] for k in before} == before
        assert after["a_new_indicator"] > max(before.values())
    finally:
        s.close()
