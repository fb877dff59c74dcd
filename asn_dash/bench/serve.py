"""Serve benchmark: the real ``streamlit run app.py`` on the large store, loaded by 1, 5, 10 and 20
concurrent websocket sessions (:mod:`asn_dash.bench.client`), with Streamlit's post-run full
garbage collection off and on (one server start each, same run).

Per page and level: error pages, median and p95 time to render, and the server's CPU time per
view (its ``/proc`` CPU delta over the measured views). Beside it, an empty page (the shared
shell only, ``empty_app.py``) runs as its own server on a copy of the store, so the per-view CPU
of Översikt and Indikator is measured against it side by side, repetition by repetition. With
GC off, a soak of many warm views samples the server's resident memory, to show it stays bounded.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import tomllib
from pathlib import Path

from asn_dash.bench.client import Session, View, load
from asn_dash.bench.server import EMPTY_APP, ROOT, Server

PAGES = {"oversikt": "", "indikator": "indikator"}  # name → URL path (Översikt is the default page)
QUERY = "planar=2025&period=2025-T2"
LEVELS = (1, 5, 10, 20)
CPU_VS_EMPTY = 1.5  # target: server CPU per warm view ≤ 1,5 × the empty page's


def configured_gc() -> bool:
    """``runner.postScriptGC`` as the project's .streamlit/config.toml sets it (Streamlit's default: on)."""
    path = ROOT / ".streamlit" / "config.toml"
    config = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return bool(config.get("runner", {}).get("postScriptGC", True))


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _errors(views: list[View]) -> list[str]:
    return [v.error for v in views if v.error]


def _measure(server: Server, page: str, sessions: int, views: int) -> dict:
    """``sessions`` sessions at once, each rendering ``page`` once and then ``views`` times."""
    marks = []
    first, measured = asyncio.run(load(server.stream_url, page, sessions, views, QUERY,
                                       between=lambda: marks.append(server.cpu_seconds())))
    cpu = server.cpu_seconds() - marks[0]
    times = [v.seconds for v in measured]
    errors = _errors(first + measured)
    return {"sessions": sessions, "views": len(measured), "errors": len(errors), "error_examples": errors[:3],
            "first_s": round(max(v.seconds for v in first), 3),
            "median_s": round(statistics.median(times), 3), "p95_s": round(_p95(times), 3),
            "cpu_per_view_s": round(cpu / len(measured), 4)}


def _side_by_side(app: Server, empty: Server, repeat: int, views: int) -> dict:
    """Server CPU per warm view of each page and of the empty page, interleaved ``repeat`` times."""
    runs: dict[str, list[dict]] = {"empty page": [], **{name: [] for name in PAGES}}
    for _ in range(repeat):
        runs["empty page"].append(_measure(empty, "", 1, views))
        for name, page in PAGES.items():
            runs[name].append(_measure(app, page, 1, views))
    out = {}
    for name, rs in runs.items():
        cpu = [r["cpu_per_view_s"] for r in rs]
        ratios = [r["cpu_per_view_s"] / e["cpu_per_view_s"] for r, e in zip(rs, runs["empty page"])]
        out[name] = {"cold_s": rs[0]["first_s"], "cpu_per_view_min_s": min(cpu),
                     "cpu_per_view_median_s": statistics.median(cpu),
                     "vs_empty_min": round(min(ratios), 2), "vs_empty_median": round(statistics.median(ratios), 2),
                     "errors": sum(r["errors"] for r in rs),
                     "target_met": statistics.median(ratios) <= CPU_VS_EMPTY if name != "empty page" else True}
    return out


def _levels(app: Server, levels: tuple[int, ...], views: int) -> dict:
    out = {}
    for name, page in PAGES.items():
        rows = [_measure(app, page, n, views) for n in levels]
        serial = rows[0]["cpu_per_view_s"] * max(levels)  # the last level's sessions, served one by one
        top = rows[-1]
        out[name] = {"levels": rows, "p95_limit_s": round(serial, 3), "target_met": top["p95_s"] <= serial}
    return out


def _soak(app: Server, sessions: int, views: int, samples: int = 10) -> dict:
    """``views`` warm views over ``sessions`` sessions that stay open, alternating the pages, with the
    server's resident memory sampled ``samples`` times."""
    async def run() -> tuple[list[float], list[str]]:
        opened = [await Session(app.stream_url, QUERY).open() for _ in range(sessions)]
        rss, errors = [], []
        try:
            for s in opened:
                errors += _errors([await s.view(page) for page in PAGES.values()])
            per_sample = max(1, views // (samples * sessions))
            for _ in range(samples):
                async def some(s: Session) -> list[View]:
                    pages = list(PAGES.values())
                    return [await s.view(pages[i % len(pages)]) for i in range(per_sample)]
                for done in await asyncio.gather(*(some(s) for s in opened)):
                    errors += _errors(done)
                rss.append(round(app.rss_mb(), 1))
        finally:
            await asyncio.gather(*(s.close() for s in opened), return_exceptions=True)
        return rss, errors

    before = round(app.rss_mb(), 1)
    rss, errors = asyncio.run(run())
    return {"views": len(rss) * max(1, views // (samples * sessions)) * sessions, "sessions": sessions,
            "rss_before_mb": before, "rss_mb": rss, "errors": len(errors), "error_examples": errors[:3],
            "growth_second_half_mb": round(rss[-1] - rss[len(rss) // 2 - 1], 1)}


def bench_serve(db: Path, levels: tuple[int, ...] = LEVELS, views: int = 10, repeat: int = 3,
                soak_views: int = 2000) -> dict:
    """The serve figures on store ``db`` (see the module docstring)."""
    empty_db = db.with_name(f"{db.stem}-empty{db.suffix}")
    shutil.copy(db, empty_db)  # two server processes cannot share one DuckDB file
    result = {"configured_gc": configured_gc(), "repeat": repeat, "views_per_session": views,
              "load_average_before": round(os.getloadavg()[0], 1)}
    for gc in (False, True):
        options = {"runner.postScriptGC": str(gc).lower()}
        with Server(db, options=options) as app, Server(empty_db, script=EMPTY_APP, options=options) as empty:
            figures = {"side_by_side": _side_by_side(app, empty, repeat, views), "levels": _levels(app, levels, views)}
            if not gc and soak_views:
                figures["soak"] = _soak(app, min(10, max(levels)), soak_views)
        result["gc_on" if gc else "gc_off"] = figures
    empty_db.unlink(missing_ok=True)
    result["load_average_after"] = round(os.getloadavg()[0], 1)  # other work on the machine skews the times
    errors = sum(r["errors"] for f in (result["gc_off"], result["gc_on"]) for r in f["side_by_side"].values())
    errors += sum(row["errors"] for f in (result["gc_off"], result["gc_on"])
                  for page in f["levels"].values() for row in page["levels"])
    errors += result["gc_off"].get("soak", {}).get("errors", 0)
    result["errors"] = errors
    return result


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def lines(serve: dict) -> list[str]:
    out = [f"serve: real `streamlit run`, websocket sessions, {QUERY}; error pages in total: {serve['errors']} "
           f"(target 0: {_met(serve['errors'] == 0)}); machine load average {serve['load_average_before']} before, "
           f"{serve['load_average_after']} after"]
    for key, on in (("gc_off", False), ("gc_on", True)):
        f = serve[key]
        shipped = " (the configured setting)" if on == serve["configured_gc"] else ""
        out.append(f"runner.postScriptGC = {str(on).lower()}{shipped}")
        out.append(f"  {'page':<12}{'cold s':>8}{'CPU/view s':>12}{'× empty':>9}  (min/median of "
                   f"{serve['repeat']} side by side; target ≤ {CPU_VS_EMPTY}× empty)")
        for name, r in f["side_by_side"].items():
            target = "" if name == "empty page" else f"  {_met(r['target_met'])}"
            out.append(f"  {name:<12}{r['cold_s']:>8.2f}{r['cpu_per_view_median_s']:>12.4f}"
                       f"{r['vs_empty_min']:>5.2f}/{r['vs_empty_median']:<4.2f}{target}")
        out.append(f"  {'page':<12}{'sessions':>9}{'views':>7}{'errors':>8}{'median s':>10}{'p95 s':>8}"
                   f"{'CPU/view s':>12}")
        for name, page in f["levels"].items():
            for row in page["levels"]:
                out.append(f"  {name:<12}{row['sessions']:>9}{row['views']:>7}{row['errors']:>8}"
                           f"{row['median_s']:>10.3f}{row['p95_s']:>8.3f}{row['cpu_per_view_s']:>12.4f}")
            out.append(f"  {name:<12}p95 at {page['levels'][-1]['sessions']} sessions ≤ {page['p95_limit_s']:.3f} s "
                       f"({page['levels'][-1]['sessions']} × single-session CPU/view): {_met(page['target_met'])}")
        if "soak" in f:
            s = f["soak"]
            out.append(f"  memory over {s['views']} warm views ({s['sessions']} sessions): RSS {s['rss_before_mb']:.0f} MB "
                       f"before, {' '.join(f'{x:.0f}' for x in s['rss_mb'])} MB; second half +{s['growth_second_half_mb']} MB; "
                       f"{s['errors']} errors")
    return out
