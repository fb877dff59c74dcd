"""Benchmarks, run on purpose (`python -m asn_dash bench ingest`), never as timed tests.

Each measured step runs in its own process so its peak memory (max RSS) is its own.
"""

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

ROOT = Path(__file__).resolve().parent.parent


def write_long_csv(path: Path, rows: int, seed: int = 1) -> int:
    """A long-format upload with ``rows`` distinct (indicator, unit, month) keys from 1900 on."""
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
            proc = subprocess.run([sys.executable, "-m", "asn_dash.bench", kind, str(csv_path), str(db_path)],
                                  cwd=ROOT, capture_output=True, text=True, check=True)
            out[kind] = json.loads(proc.stdout.strip().splitlines()[-1])
        out["rows_per_second"] = round(rows / out["ingest"]["seconds"])
        out["ratio_to_duckdb_read_csv"] = round(out["ingest"]["seconds"] / out["duckdb"]["seconds"], 2)
        return out


def bench_kolada(kpis: int = 20, municipalities: int = 290, years: int = 20) -> dict:
    """Pull KPIs × municipalities × years from a local stand-in server (synthetic values, never
    stored in the repo) and compare the HTTP calls made with the minimum paging allows."""
    import math

    sys.path.insert(0, str(ROOT))
    from asn_dash.auth import cli_user
    from asn_dash.kolada import client as kolada
    from asn_dash.store.setup import build_store, open_store
    from tests.kolada_server import FakeKolada

    rng = random.Random(7)
    kpi_ids = [f"N{90000 + n}" for n in range(kpis)]
    muns = [{"id": f"{n:04d}", "title": f"Kommun {n}", "type": "K"} for n in range(1, municipalities + 1)]
    year_list = list(range(2005, 2005 + years))
    values = [(k, m["id"], y, g, round(rng.uniform(0, 100), 2)) for k in kpi_ids for m in muns for y in year_list
              for g in ("T", "K", "M")]
    fake = FakeKolada(values, muns, [{"id": k, "title": k} for k in kpi_ids], [])
    url = fake.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "k.duckdb"
            build_store(db)
            store = open_store(db)
            started = time.perf_counter()
            result = kolada.pull(store, cli_user("bench"), kolada.Client(base=url), kpi_ids, None, year_list)
            seconds = time.perf_counter() - started
            store.close()
    finally:
        fake.stop()
    objects = kpis * municipalities * years
    data_queries = math.ceil(kpis / kolada.MAX_IDS) * math.ceil(years / kolada.MAX_IDS)
    data_minimum = max(data_queries, math.ceil(objects / kolada.PER_PAGE))
    data_calls = sum(1 for r in fake.requests if r.startswith("/v3/data/"))
    metadata_calls = 4  # KPI metadata, municipality list, Tyresö's groups, the county group
    return {"kpis": kpis, "municipalities": municipalities, "years": years, "values": result.rows,
            "data_calls": data_calls, "data_minimum": data_minimum, "calls": result.calls,
            "minimum_calls": data_minimum + metadata_calls,
            "ratio": round(result.calls / (data_minimum + metadata_calls), 2), "seconds": round(seconds, 2)}


# --- a large store and page render times ---------------------------------------------------------

LARGE = {"years": 15, "indicators": 200, "units": 12, "kolada_kpis": 40, "municipalities": 290, "kolada_years": 20}


def build_large_store(path: Path, last_year: int = 2025) -> dict:
    """The seeded store grown to 15 years × 12 months × 200 indicators × 12 units of monthly values
    and Kolada values for 290 municipalities × 20 years × 40 KPIs (synthetic, never committed).

    Catalogue indicators are topped up with ``bench_…`` ones and the units with one ``bench``
    unit; existing (seeded) values are kept."""
    import duckdb

    from asn_dash.store.setup import build_store

    build_store(path)
    con = duckdb.connect(str(path))
    try:
        have = con.execute("SELECT count(*) FROM indicators WHERE frequency = 'månad'").fetchall()[0][0]
        con.execute(f"""
            INSERT INTO indicators (id, name, unit, frequency, direction, unit_aggregation, period_aggregation, source)
            SELECT printf('bench_%03d', i), printf('Testindikator %d', i), 'antal', 'månad', 'lägre', 'sum', 'mean',
                   'uppladdning'
            FROM range(1, {LARGE['indicators'] - have + 1}) t(i)""")
        units = con.execute("SELECT count(*) FROM units").fetchall()[0][0]
        for n in range(units + 1, LARGE["units"] + 1):
            con.execute("INSERT INTO units VALUES (?, false)", [f"bench_{n}"])
            con.execute("INSERT INTO unit_history VALUES (?, ?, NULL, DATE '2000-01-01', NULL)",
                        [f"bench_{n}", f"Testenhet {n}"])
        first = last_year - LARGE["years"] + 1
        con.execute(f"""
            INSERT INTO observations (indicator_id, unit_id, period, period_kind, period_end, value, source)
            SELECT i.id, u.id, strftime(m, '%Y-%m'), 'månad', last_day(m), (hash(i.id, u.id, m) % 400)::DOUBLE,
                   'uppladdning'
            FROM (SELECT id FROM indicators WHERE frequency = 'månad') i, units u,
                 range(DATE '{first}-01-01', DATE '{last_year + 1}-01-01', INTERVAL 1 MONTH) r(m)
            ON CONFLICT DO NOTHING""")
        kolada_first = last_year - LARGE["kolada_years"] + 1
        munis = con.execute("SELECT id FROM kolada_municipalities WHERE type = 'K' ORDER BY id LIMIT ?",
                            [LARGE["municipalities"]]).fetchall()
        con.execute("CREATE TEMP TABLE munis (id VARCHAR)")
        con.executemany("INSERT INTO munis VALUES (?)", munis)
        con.execute(f"""
            INSERT INTO kolada_values (kpi, municipality, year, gender, value, fetched_at)
            SELECT printf('B%05d', k), m.id, y, 'T', (hash(k, m.id, y) % 1000) / 10.0, now()
            FROM range(1, {LARGE['kolada_kpis'] + 1}) a(k), munis m, range({kolada_first}, {last_year + 1}) b(y)
            ON CONFLICT DO NOTHING""")
        sizes = {"observations": con.execute("SELECT count(*) FROM observations").fetchall()[0][0],
                 "kolada_values": con.execute("SELECT count(*) FROM kolada_values").fetchall()[0][0]}
    finally:
        con.close()
    sizes["file_mb"] = round(path.stat().st_size / 1024 / 1024, 1)
    return sizes


EMPTY_PAGE = """
import streamlit as st
from asn_dash.app import ui
store = ui.open_run_store()
try:
    ui.signed_in_user(store)
    st.sidebar.title("ASN-panelen")
    ui.sidebar_selection(store)
    st.title("Tom sida")
finally:
    ui.close_run_store()
"""

PAGES = ["pages/oversikt.py", "pages/indikator.py", "pages/jamforelser.py", "pages/presentation.py",
         "pages/ladda_upp.py", "pages/om_data.py"]


def steady_navigation_init():
    """A ``PagesManager.__init__`` for AppTest runs (the benchmark and tests/conftest.py).

    AppTest resets Streamlit's "old-style pages/ folder" flag before every run, so every run
    would take the first-request path (``ui.ensure_app_navigation`` reruns via app.py), which
    drops widget clicks and doubles each time. A real server clears that flag for good on its
    first run; this does the same."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    return init


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def bench_pages(db: Path, repeat: int = 9) -> dict:
    """Server-side render time of every page (AppTest), cold (caches empty) and warm (median of
    ``repeat`` reruns), against an empty page that only draws the shared shell."""
    import statistics

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["ASN_DB"] = str(db)
    os.environ.setdefault("ASN_USERS", str(db.parent / "no-users.toml"))  # open demo mode
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.__init__ = steady_navigation_init()

    def measure(make) -> dict:
        st.cache_data.clear()
        at = make()
        cold = _timed(at.run)
        if at.exception:
            raise RuntimeError(at.exception[0].message)
        warm = statistics.median(_timed(at.run) for _ in range(repeat))
        return {"cold_s": round(cold, 3), "warm_s": round(warm, 3)}

    def page(path):
        def make():
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            at.query_params["planar"] = "2025"
            at.query_params["period"] = "2025-T2"
            at.run()  # the shell, then the page cold
            st.cache_data.clear()
            at.switch_page(path)
            return at
        return make

    st.cache_resource.clear()
    AppTest.from_string(EMPTY_PAGE, default_timeout=300).run()  # store preparation, once per process
    result = {"empty page": measure(lambda: AppTest.from_string(EMPTY_PAGE, default_timeout=300))}
    for path in PAGES:
        result[Path(path).stem] = measure(page(path))
    empty = result["empty page"]["warm_s"]
    for name, r in result.items():
        r["warm_vs_empty"] = round(r["warm_s"] / empty, 2)
        r["target_met"] = r["warm_s"] < 0.5 and r["warm_s"] <= 2 * empty
    return result


def bench_all(rows: int = 1_000_000) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "large.duckdb"
        started = time.perf_counter()
        store = build_large_store(db)
        store["build_s"] = round(time.perf_counter() - started, 1)
        proc = subprocess.run([sys.executable, "-m", "asn_dash.bench", "pages", str(db)], cwd=ROOT,
                              capture_output=True, text=True, check=True)
        pages = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"store": store, "pages": pages, "ingest": bench_ingest(rows),
            "kolada": bench_kolada(kpis=LARGE["kolada_kpis"], municipalities=LARGE["municipalities"],
                                   years=LARGE["kolada_years"])}


def table(result: dict) -> str:
    """The figures as a plain-text table (the JSON follows it)."""
    lines = [f"Store: {result['store']['observations']:,} values, {result['store']['kolada_values']:,} Kolada "
             f"values, {result['store']['file_mb']} MB (built in {result['store']['build_s']} s)", "",
             f"{'page':<16}{'cold s':>9}{'warm s':>9}{'× empty':>9}  target (warm < 0.5 s and ≤ 2× empty)"]
    for name, r in result["pages"].items():
        lines.append(f"{name:<16}{r['cold_s']:>9.3f}{r['warm_s']:>9.3f}{r['warm_vs_empty']:>9.2f}  "
                     f"{'met' if r['target_met'] else 'MISSED'}")
    i, k = result["ingest"], result["kolada"]
    lines += ["", f"ingest {i['rows']:,} rows ({i['file_mb']} MB): {i['ingest']['seconds']} s vs DuckDB read_csv "
              f"{i['duckdb']['seconds']} s = {i['ratio_to_duckdb_read_csv']}× (target ≤ 3×: "
              f"{'met' if i['ratio_to_duckdb_read_csv'] <= 3 else 'MISSED'}); peak RSS {i['ingest']['peak_rss_mb']} MB "
              f"(target < 1 GB: {'met' if i['ingest']['peak_rss_mb'] < 1024 else 'MISSED'})",
              f"kolada {k['kpis']} KPIs × {k['municipalities']} municipalities × {k['years']} years: {k['calls']} calls "
              f"vs minimum {k['minimum_calls']} = {k['ratio']}× (target ≤ 1.2×: {'met' if k['ratio'] <= 1.2 else 'MISSED'})"]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1] == "pages":
        print(json.dumps(bench_pages(Path(sys.argv[2]))))
        sys.exit(0)
    print(json.dumps(_child(sys.argv[1], sys.argv[2], sys.argv[3])))
