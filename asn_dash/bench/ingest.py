"""Ingest benchmark: a large long-format upload against a bare DuckDB ``read_csv`` of the same file,
each in its own process so its peak memory (max RSS) is its own."""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


UPLOAD_INDICATORS, UPLOAD_UNITS = 360, 12  # ~3 900 new keys a month: a million rows fit in 2000–2021


def upload_keys(db: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """The bench indicators (id, unit) and the unit names a generated upload uses: none of them has
    stored values, so every row of the upload is new. Waits while the app holds the store."""
    from asn_dash.store.store import connect_existing

    con = connect_existing(Path(db), wait=60)
    try:
        indicators = con.execute(
            "SELECT id, unit FROM indicators WHERE id LIKE 'bench\\_%' ESCAPE '\\' ORDER BY id").fetchall()
        units = [r[0] for r in con.execute(
            "SELECT h.name FROM unit_history h WHERE h.valid_to IS NULL ORDER BY h.unit_id").fetchall()]
    finally:
        con.close()
    return indicators, units


def prepare_upload_store(db: Path) -> None:
    """Give a seeded store enough indicators and units for a million-row upload of real months.
    Waits while the app holds the store (a page's last queries may still run after it shows)."""
    from asn_dash.bench.large_store import add_bench_catalogue
    from asn_dash.store.store import connect_existing

    con = connect_existing(Path(db), wait=60)
    try:
        add_bench_catalogue(con, UPLOAD_INDICATORS, UPLOAD_UNITS, percent_every=3)
    finally:
        con.close()


def write_long_csv(path: Path, rows: int, keys: tuple[list[tuple[str, str]], list[str]], seed: int = 1) -> int:
    """A long-format upload with ``rows`` distinct (indicator, unit, month) keys from January 2000 on,
    over the indicators and unit names in ``keys`` (see :func:`upload_keys`)."""
    indicators, units = keys
    rng = random.Random(seed)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("indikator;enhet;period;värde\n")
        year, month = 2000, 1
        while written < rows:
            for ind, unit_kind in indicators:
                for unit in units:
                    if unit_kind == "procent":
                        value = f"{rng.uniform(0, 100):.2f}".replace(".", ",")
                    elif unit_kind == "antal":
                        value = str(rng.randint(0, 400))
                    else:
                        value = f"{rng.uniform(0, 5000):.1f}".replace(".", ",")
                    fh.write(f"{ind};{unit};{year}-{month:02d};{value}\n")
                    written += 1
                    if written == rows:
                        return written
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return written


def _child(kind: str, csv_path: str, db_path: str) -> dict:
    from asn_dash.auth import cli_user

    started = time.perf_counter()
    if kind == "duckdb":
        import duckdb

        con = duckdb.connect()
        n = con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}', sep=';', header=true)").fetchall()
        n = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
        result = {"rows": n}
    else:
        from asn_dash.store.setup import open_store
        from asn_dash.uploads import ingest

        os.environ["ASN_MAX_UPLOAD_MB"] = "1000"
        store = open_store(db_path)
        data = Path(csv_path).read_bytes()
        t0 = time.perf_counter()
        analysis = ingest.analyse(store, Path(csv_path).name, data)
        t1 = time.perf_counter()
        upload_id = ingest.commit(store, analysis, cli_user("bench"), accept_warnings=True)
        t2 = time.perf_counter()
        store.close()
        result = {"rows": sum(analysis.counts().values()), "errors": analysis.error_count, "warnings": len(analysis.warnings),
                  "upload_id": upload_id, "analyse_s": round(t1 - t0, 2), "commit_s": round(t2 - t1, 2),
                  **analysis.counts()}
    result["seconds"] = round(time.perf_counter() - started, 3)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def bench_ingest(rows: int = 1_000_000) -> dict:
    from asn_dash.store.setup import build_store

    with tempfile.TemporaryDirectory() as tmp:
        csv_path, db_path = Path(tmp) / "bench.csv", Path(tmp) / "bench.duckdb"
        build_store(db_path)
        prepare_upload_store(db_path)
        write_long_csv(csv_path, rows, upload_keys(db_path))
        out = {"rows": rows, "file_mb": round(csv_path.stat().st_size / 1024 / 1024, 1)}
        for kind in ("duckdb", "ingest"):
            proc = subprocess.run([sys.executable, "-m", "asn_dash.bench.ingest", kind, str(csv_path), str(db_path)],
                                  cwd=ROOT, capture_output=True, text=True, check=True)
            out[kind] = json.loads(proc.stdout.strip().splitlines()[-1])
        out["rows_per_second"] = round(rows / out["ingest"]["seconds"])
        out["ratio_to_duckdb_read_csv"] = round(out["ingest"]["seconds"] / out["duckdb"]["seconds"], 2)
        return out


def lines(i: dict) -> list[str]:
    return [f"ingest {i['rows']:,} rows ({i['file_mb']} MB): {i['ingest']['seconds']} s vs DuckDB read_csv "
            f"{i['duckdb']['seconds']} s = {i['ratio_to_duckdb_read_csv']}× (target ≤ 3×: "
            f"{'met' if i['ratio_to_duckdb_read_csv'] <= 3 else 'MISSED'}); peak RSS {i['ingest']['peak_rss_mb']} MB "
            f"(target < 1 GB: {'met' if i['ingest']['peak_rss_mb'] < 1024 else 'MISSED'})"]


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], sys.argv[2], sys.argv[3])))
