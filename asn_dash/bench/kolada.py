"""Kolada benchmark: HTTP calls of a large pull from a local stand-in server against the paging minimum."""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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


def lines(k: dict) -> list[str]:
    return [f"kolada {k['kpis']} KPIs × {k['municipalities']} municipalities × {k['years']} years: {k['calls']} calls "
            f"vs minimum {k['minimum_calls']} = {k['ratio']}× (target ≤ 1.2×: {'met' if k['ratio'] <= 1.2 else 'MISSED'})"]
