"""Ingest benchmark: a large long-format upload (an insert and a correction) against a bare DuckDB
``read_csv`` of the same file, each in its own process so its peak memory (max RSS) is its own,
interleaved over several runs; the clocks start after the imports. Beside them, the floor: the same
number of values, already checked and keyed, inserted with the store's primary key and committed."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from asn_dash.bench.memory import peak_rss_mb

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
    """One measurement in this process: ``read_csv`` (the reference: DuckDB reading the file into a
    table, nothing else) or ``ingest`` (analyse + commit into ``db_path``). Imports and opening
    the store happen before the clock starts, for both."""
    import duckdb

    if kind == "read_csv":
        con = duckdb.connect()
        started = time.perf_counter()
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}', sep=';', header=true)").fetchall()
        seconds = time.perf_counter() - started
        result = {"rows": con.execute("SELECT count(*) FROM t").fetchall()[0][0]}
    elif kind == "keyed_insert":
        result = _keyed_insert(db_path, _count_rows(csv_path))
        seconds = result.pop("seconds")
    else:
        from asn_dash.auth import cli_user
        from asn_dash.store.setup import open_store
        from asn_dash.uploads import ingest

        os.environ["ASN_MAX_UPLOAD_MB"] = "1000"
        store = open_store(db_path)
        user = cli_user("bench")
        started = time.perf_counter()
        analysis = ingest.analyse(store, Path(csv_path).name, Path(csv_path).read_bytes())
        t1 = time.perf_counter()
        upload_id = ingest.commit(store, analysis, user, accept_warnings=True)
        seconds = time.perf_counter() - started
        store.close()
        result = {"rows": sum(analysis.counts().values()), "errors": analysis.error_count,
                  "warnings": analysis.warning_count, "upload_id": upload_id, "analyse_s": round(t1 - started, 2),
                  "commit_s": round(seconds - (t1 - started), 2), **analysis.counts()}
    result["seconds"] = round(seconds, 3)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result


def _count_rows(csv_path: str) -> int:
    with open(csv_path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1


def _keyed_insert(db_path: str, rows: int) -> dict:
    """The floor of any ingest that keeps the store's primary key: ``rows`` new values, already
    checked and keyed (bench indicators × units × months from 2000, as the upload's), inserted into
    ``observation_values`` and committed. The rows are prepared before the clock starts."""
    from asn_dash.store.store import connect_existing

    con = connect_existing(Path(db_path), wait=60)
    con.execute(f"""
        CREATE TEMP TABLE keyed AS
        SELECT i.key AS indicator_key, u.key AS unit_key, (200001 + (m // 12) * 100 + m % 12)::INTEGER AS period_code,
               0::UTINYINT AS kind, (DATE '2000-01-01' + to_months(m + 1) - INTERVAL 1 DAY)::DATE AS period_end,
               random() * 400 AS value
        FROM (SELECT key FROM indicator_keys WHERE id LIKE 'bench\\_%' ESCAPE '\\') i, unit_keys u, range(600) t(m)
        ORDER BY m, indicator_key, unit_key LIMIT {int(rows)}""").fetchall()
    started = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    con.execute("INSERT INTO observation_values (indicator_key, unit_key, period_code, kind, period_end, value,"
                " source, source_ref, upload_id) SELECT *, 'uppladdning', 'bench', 1 FROM keyed").fetchall()
    con.execute("COMMIT")
    seconds = time.perf_counter() - started
    written = con.execute("SELECT count(*) FROM keyed").fetchall()[0][0]
    con.close()
    return {"rows": written, "seconds": seconds}


def _run_child(kind: str, csv_path: Path, db_path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "asn_dash.bench.ingest", kind, str(csv_path), str(db_path)],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


RUNS = 3
TARGET_RATIO, TARGET_RSS_MB = 5, 1024


def bench_ingest(rows: int = 1_000_000, runs: int = RUNS) -> dict:
    """A ``rows``-row insert (every key new) and a ``rows``-row correction (every key stored, new
    values, so the diff, the history of every replaced value and the outlier check all run), each
    against the bare ``read_csv`` of its file, interleaved over ``runs`` runs, each in its own
    process on its own copy of the store."""
    import shutil
    import statistics

    from asn_dash.store.setup import build_store

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        empty, loaded, work = tmp / "empty.duckdb", tmp / "loaded.duckdb", tmp / "work.duckdb"
        files = {"insert": tmp / "insert.csv", "correction": tmp / "correction.csv"}
        build_store(empty)
        prepare_upload_store(empty)
        keys = upload_keys(empty)
        write_long_csv(files["insert"], rows, keys, seed=1)
        write_long_csv(files["correction"], rows, keys, seed=2)  # the same keys, other values
        shutil.copy(empty, loaded)
        _run_child("ingest", files["insert"], loaded)
        out: dict = {"rows": rows, "runs": runs, "file_mb": round(files["insert"].stat().st_size / 1024 / 1024, 1)}
        times: dict[str, list[dict]] = {k: [] for k in ("read_csv", "insert", "correction", "keyed_insert")}
        for _ in range(runs):
            times["read_csv"].append(_run_child("read_csv", files["insert"], work))
            shutil.copy(empty, work)
            times["keyed_insert"].append(_run_child("keyed_insert", files["insert"], work))
            shutil.copy(empty, work)
            times["insert"].append(_run_child("ingest", files["insert"], work))
            shutil.copy(loaded, work)
            times["correction"].append(_run_child("ingest", files["correction"], work))
        ref = [r["seconds"] for r in times["read_csv"]]
        out["read_csv"] = {"min_s": min(ref), "median_s": statistics.median(ref)}

        def against_read_csv(case: str) -> dict:
            secs = [r["seconds"] for r in times[case]]
            return {"min_s": min(secs), "median_s": statistics.median(secs),
                    "ratio_min": round(min(secs) / min(ref), 2),
                    "ratio_median": round(statistics.median(secs) / statistics.median(ref), 2)}

        out["keyed_insert"] = {"rows": times["keyed_insert"][-1]["rows"], **against_read_csv("keyed_insert")}
        for case in ("insert", "correction"):
            last = times[case][-1]
            out[case] = {**against_read_csv(case),
                         "peak_rss_mb": max(r["peak_rss_mb"] for r in times[case]),
                         "analyse_s": last["analyse_s"], "commit_s": last["commit_s"],
                         "inserted": last["inserted"], "updated": last["updated"], "warnings": last["warnings"]}
        return out


def lines(i: dict) -> list[str]:
    def met(ok: bool) -> str:
        return "met" if ok else "MISSED"

    ref = i["read_csv"]
    out = [f"ingest {i['rows']:,} rows ({i['file_mb']} MB), min/median of {i['runs']} interleaved runs; "
           f"bare DuckDB read_csv {ref['min_s']:.2f}/{ref['median_s']:.2f} s",
           f"{'case':<12}{'min s':>8}{'median s':>10}{'× read_csv':>12}{'peak RSS':>10}  target (≤ {TARGET_RATIO}× "
           f"median, < 1 GB)"]

    def timing(label: str, c: dict) -> str:
        return f"{label:<12}{c['min_s']:>8.2f}{c['median_s']:>10.2f}{c['ratio_min']:>6.1f}/{c['ratio_median']:<5.1f}"

    for case in ("insert", "correction"):
        c = i[case]
        out.append(f"{timing(case, c)}{c['peak_rss_mb']:>8.0f} MB  ratio {met(c['ratio_median'] <= TARGET_RATIO)}, RSS "
                   f"{met(c['peak_rss_mb'] < TARGET_RSS_MB)} (analyse {c['analyse_s']} s + commit {c['commit_s']} s; "
                   f"{c['inserted']:,} new, {c['updated']:,} changed, {c['warnings']:,} warnings)")
    if "keyed_insert" in i:
        k = i["keyed_insert"]
        out.append(f"{timing('floor', k)}            the same {k['rows']:,} values, already checked and keyed, inserted into "
                   f"observation_values with its primary key and committed: what any ingest that keeps the key pays")
    return out


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1], sys.argv[2], sys.argv[3])))
