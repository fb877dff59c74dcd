"""History-growth check: every page renders as fast on a store with 4× the history as on the large
store, because a view reads only the periods it shows.

The grown store is the large store plus 45 older years of monthly values (1966–2010 before the
large store's 2011–2025) for the same indicators and units: what a page shows is unchanged. Each
page is rendered in AppTest (``bench pages``), cold and warm, one process per store and
repetition, the two stores interleaved so that both see the same machine."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from asn_dash.bench.large_store import LARGE, add_monthly_values

ROOT = Path(__file__).resolve().parents[2]
OLDER_YEARS = 3 * LARGE["years"]  # 15 + 45 years = 4× the history
WITHIN = 1.2  # target: every page within 1,2× of the large store, cold and warm


def add_older_years(path: Path, years: int = OLDER_YEARS) -> dict:
    """Add ``years`` years of monthly values before the oldest stored year, for every monthly
    indicator and unit (synthetic; existing values are kept). Returns the store's size."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        first = con.execute("SELECT min(period_end) FROM observation_values").fetchall()[0][0].year
        add_monthly_values(con, first - years, first - 1)
        con.execute("CHECKPOINT")
        values = con.execute("SELECT count(*) FROM observation_values").fetchall()[0][0]
    finally:
        con.close()
    return {"observations": values, "file_mb": round(path.stat().st_size / 1024 / 1024, 1),
            "first_year": first - years}


def _pages(db: Path, repeat: int) -> dict:
    proc = subprocess.run([sys.executable, "-m", "asn_dash.bench.pages", str(db), str(repeat)], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_history(large: Path, repeat: int = 5, warm_repeat: int = 5) -> dict:
    """Page render times on ``large`` and on a copy grown to 4× the history, interleaved ``repeat``
    times; per page the ratios (grown / large) of cold and warm times, min and median."""
    grown = large.with_name(f"{large.stem}-history{large.suffix}")
    shutil.copy(large, grown)
    try:
        size = add_older_years(grown)
        runs = {"large": [], "grown": []}
        for _ in range(repeat):
            runs["large"].append(_pages(large, warm_repeat))
            runs["grown"].append(_pages(grown, warm_repeat))
    finally:
        grown.unlink(missing_ok=True)
    pages = {}
    for name in runs["large"][0]:
        row = {}
        for kind in ("cold_s", "warm_s"):
            ratios = [g[name][kind] / max(s[name][kind], 1e-6) for s, g in zip(runs["large"], runs["grown"])]
            row[kind] = {"large": statistics.median(r[name][kind] for r in runs["large"]),
                         "grown": statistics.median(r[name][kind] for r in runs["grown"]),
                         "ratio_min": round(min(ratios), 2), "ratio_median": round(statistics.median(ratios), 2)}
        row["target_met"] = all(row[k]["ratio_median"] <= WITHIN for k in ("cold_s", "warm_s"))
        pages[name] = row
    return {"grown_store": size, "repeat": repeat, "pages": pages}


def lines(history: dict) -> list[str]:
    g = history["grown_store"]
    out = [f"history: large store vs the same plus {OLDER_YEARS} older years ({g['observations']:,} values from "
           f"{g['first_year']}, {g['file_mb']} MB); AppTest, grown/large min/median of {history['repeat']} "
           f"interleaved runs; target ≤ {WITHIN}× cold and warm",
           f"{'page':<16}{'cold s':>8}{'grown':>8}{'ratio':>11}{'warm s':>9}{'grown':>8}{'ratio':>11}"]
    for name, r in history["pages"].items():
        c, w = r["cold_s"], r["warm_s"]
        out.append(f"{name:<16}{c['large']:>8.3f}{c['grown']:>8.3f}{c['ratio_min']:>6.2f}/{c['ratio_median']:<4.2f}"
                   f"{w['large']:>9.3f}{w['grown']:>8.3f}{w['ratio_min']:>6.2f}/{w['ratio_median']:<4.2f}  "
                   f"{'met' if r['target_met'] else 'MISSED'}")
    return out
