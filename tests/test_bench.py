"""The benchmark's large store has the size the figures are quoted for (the timings themselves are
printed by `python -m asn_dash bench`, never asserted)."""

import duckdb

from asn_dash.bench.large_store import build_large_store

# The size docs/README quote for the large store (not read from the builder: a smaller builder
# must fail here, since every published figure is "on a store of this size").
YEARS, INDICATORS, UNITS = 15, 200, 12
KOLADA_KPIS, MUNICIPALITIES, KOLADA_YEARS = 40, 290, 20


def test_large_store_has_the_named_size(tmp_path):
    path = tmp_path / "large.duckdb"
    sizes = build_large_store(path)
    con = duckdb.connect(str(path), read_only=True)
    try:
        per_cell = con.execute(
            "SELECT count(DISTINCT indicator_id), count(DISTINCT unit_id), count(DISTINCT period), count(*)"
            " FROM observations o JOIN indicators i ON i.id = o.indicator_id"
            " WHERE i.frequency = 'månad' AND o.period_kind = 'månad' AND period BETWEEN '2011-01' AND '2025-12'").fetchall()[0]
        assert per_cell == (INDICATORS, UNITS, YEARS * 12, 432_000)
        bench_kpis = con.execute(
            "SELECT count(DISTINCT kpi), count(DISTINCT municipality), count(DISTINCT year) FROM kolada_values"
            " WHERE kpi LIKE 'B%'").fetchall()[0]
        assert bench_kpis == (KOLADA_KPIS, MUNICIPALITIES, KOLADA_YEARS)
    finally:
        con.close()
    assert sizes["observations"] >= 200 * 12 * 180


def test_the_ingest_floor_writes_as_many_new_values_as_the_upload_has(tmp_path):
    """`bench ingest`'s floor inserts the upload's number of values, every key new, under the
    store's primary key, so its time is the keyed write an ingest of that file cannot avoid."""
    from asn_dash.bench.ingest import _keyed_insert, prepare_upload_store
    from asn_dash.store.setup import build_store

    db = tmp_path / "store.duckdb"
    build_store(db)
    prepare_upload_store(db)
    before = duckdb.connect(str(db), read_only=True)
    stored = before.execute("SELECT count(*) FROM observation_values").fetchall()[0][0]
    before.close()
    assert _keyed_insert(str(db), 5000)["rows"] == 5000
    after = duckdb.connect(str(db), read_only=True)
    try:
        assert after.execute("SELECT count(*), count(DISTINCT period_code) FROM observation_values"
                             " WHERE source_ref = 'bench'").fetchall()[0] == (5000, 2)
        assert after.execute("SELECT count(*) FROM observation_values").fetchall()[0][0] == stored + 5000
    finally:
        after.close()


def test_a_child_process_reports_its_own_peak_memory_not_its_parents():
    """Linux keeps ru_maxrss across exec: a CLI started from a 300 MB process reported 300 MB.
    The memory figures (bench ingest, the hostile-workbook test) read the child's own peak."""
    import subprocess
    import sys

    code = "from asn_dash.bench.memory import peak_rss_mb; print(peak_rss_mb())"
    ballast = bytearray(300 * 1024 * 1024)
    ballast[::4096] = b"\1" * len(ballast[::4096])  # resident, not only reserved
    child = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    del ballast
    assert 0 < child < 150, child
