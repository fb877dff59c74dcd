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


def write_long_csv(path: Path, rows: int, seed: int = 1) -> int:
    """A long-format upload with ``rows`` distinct (indicator, unit, month) keys from 1800 on (load it with
    ASN_FIRST_YEAR=1800: uploads hold years from 2000 otherwise)."""
    from asn_dash.catalogue import load_catalogue

    cat = load_catalogue()
    numeric = [i for i in cat.indicators if i.source == "uppladdning" and i.frequency == "månad"
               and i.unit in ("antal", "procent", "tkr", "kr", "index", "dagar")]
    units = [u.history[-1].name for u in cat.units]
    rng = random.Random(seed)
    written = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("indikator;enhet;period;värde\n")
        year, month = 1800, 1
        while written < rows:
            for ind in numeric:
                for unit in units:
                    if ind.unit == "procent":
                        value = f"{rng.uniform(0, 100):.2f}".replace(".", ",")
                    elif ind.unit == "antal":
                        value = str(rng.randint(0, 400))
                    else:
                        value = f"{rng.uniform(0, 5000):.1f}".replace(".", ",")
                    fh.write(f"{ind.id};{unit};{year}-{month:02d};{value}\n")
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
        os.environ["ASN_FIRST_YEAR"] = "1800"  # write_long_csv's keys start in 1800
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
        write_long_csv(csv_path, rows)
        build_store(db_path)
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
