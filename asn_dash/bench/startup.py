"""Command-line start-up benchmark: ``python -m asn_dash ingest`` of a 500-row file against
``python -c "import duckdb"``, each a whole process from start to exit, interleaved over a few
repetitions (min and median). Target: the ingest takes at most 3× the bare import.

One more ingest runs under ``-X importtime`` to show where the time goes: the top-level imports'
share of the process and the costliest of them. ``python -c "import duckdb, pandas"`` is timed
alongside as the floor of any ingest path that uses pandas.

Every process runs with Python's bytecode cache as an installed or once-run checkout has it:
``PYTHONDONTWRITEBYTECODE`` (set in some shells and CI images) is dropped for them, so the first,
untimed run writes ``__pycache__`` and the timed ones read it, as ``import duckdb`` reads the
cached bytecode of its own package. Without that, every ingest compiled asn_dash's sources anew.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROWS = 500
REPEATS = 5
TARGET = 3.0
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # see the module's docstring


def _timed(argv: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    return elapsed


def _summary(runs: list[float]) -> dict:
    return {"min": round(min(runs), 3), "median": round(statistics.median(runs), 3), "runs": [round(r, 3) for r in runs]}


def import_profile(stderr: str, top: int = 6) -> dict:
    """Top-level imports from ``-X importtime`` output: their total and the costliest ones (seconds)."""
    totals: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        if not name.startswith(" ") or name.startswith("  "):
            continue  # nested: counted in its top-level parent
        totals[name.strip()] = totals.get(name.strip(), 0) + int(cumulative) / 1e6
    costliest = sorted(totals.items(), key=lambda kv: -kv[1])[:top]
    return {"imports_s": round(sum(totals.values()), 3), "costliest": {k: round(v, 3) for k, v in costliest}}


def bench_startup(rows: int = ROWS, repeats: int = REPEATS) -> dict:
    from asn_dash.bench.ingest import prepare_upload_store, upload_keys, write_long_csv
    from asn_dash.store.setup import build_store

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        upload, template = folder / "upload.csv", folder / "template.duckdb"
        build_store(template)
        prepare_upload_store(template)
        write_long_csv(upload, rows, upload_keys(template))

        def ingest_argv(run: int, *python_flags: str) -> list[str]:
            # a fresh copy of the store per run (copied outside the timed process): every run inserts
            db = folder / f"run{run}.duckdb"
            shutil.copy(template, db)
            return [sys.executable, *python_flags, "-m", "asn_dash", "ingest", str(upload), "--db", str(db),
                    "--accept-warnings", "--user", "bench"]

        duckdb_argv = [sys.executable, "-c", "import duckdb"]
        pandas_argv = [sys.executable, "-c", "import duckdb, pandas"]
        _timed(duckdb_argv), _timed(pandas_argv), _timed(ingest_argv(-1))  # warm file cache and bytecode
        bare, floor, ingest = [], [], []
        for run in range(repeats):
            # rotate the order, so none always runs first on a cooler machine
            jobs = [(bare, duckdb_argv), (ingest, None), (floor, pandas_argv)]
            for runs, argv in jobs[run % 3:] + jobs[:run % 3]:
                runs.append(_timed(argv or ingest_argv(run)))
        profiled = subprocess.run(ingest_argv(repeats, "-X", "importtime"), cwd=ROOT, capture_output=True,
                                  text=True, check=True, env=ENV)
    out = {"rows": rows, "repeats": repeats, "import_duckdb_s": _summary(bare), "ingest_s": _summary(ingest),
           "import_duckdb_pandas_s": _summary(floor),
           "floor_ratio_median": round(statistics.median(floor) / statistics.median(bare), 2),
           "ratio_min": round(min(ingest) / min(bare), 2),
           "ratio_median": round(statistics.median(ingest) / statistics.median(bare), 2),
           "target_ratio": TARGET, **import_profile(profiled.stderr)}
    out["met"] = out["ratio_median"] <= TARGET
    return out


def lines(s: dict) -> list[str]:
    costliest = ", ".join(f"{name} {seconds:.2f}" for name, seconds in s["costliest"].items())
    return [f"startup: ingest of {s['rows']} rows {s['ingest_s']['median']} s (min {s['ingest_s']['min']}) vs "
            f"python -c 'import duckdb' {s['import_duckdb_s']['median']} s (min {s['import_duckdb_s']['min']}), "
            f"median of {s['repeats']} interleaved = {s['ratio_median']}× (min/min {s['ratio_min']}×; "
            f"target ≤ {s['target_ratio']:g}×: {'met' if s['met'] else 'MISSED'})",
            f"startup: python -c 'import duckdb, pandas' {s['import_duckdb_pandas_s']['median']} s = "
            f"{s['floor_ratio_median']}× (the floor of an ingest path that imports pandas)",
            f"startup: imports {s['imports_s']} s of the profiled ingest; costliest top-level imports (s): {costliest}"]
