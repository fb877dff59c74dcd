"""The large store every serving benchmark runs on (synthetic values, never committed)."""

from __future__ import annotations

from pathlib import Path

LARGE = {"years": 15, "indicators": 200, "units": 12, "kolada_kpis": 40, "municipalities": 290, "kolada_years": 20}


def add_bench_catalogue(con, indicators: int, units: int, percent_every: int = 0) -> None:
    """Top a store's catalogue up to ``indicators`` monthly indicators and ``units`` units with
    ``bench_…`` ones (counts summed over units; with ``percent_every`` n, every n-th a percentage),
    with their integer keys. They live in the store only: the catalogue files are not touched, and
    they stay until the catalogue files change."""
    have = con.execute("SELECT count(*) FROM indicators WHERE frequency = 'månad'").fetchall()[0][0]
    percent = f"i % {percent_every} = 0" if percent_every else "false"
    con.execute(f"""
        INSERT INTO indicators (id, name, unit, frequency, direction, unit_aggregation, period_aggregation, source)
        SELECT printf('bench_%03d', i), printf('Testindikator %d', i), CASE WHEN {percent} THEN 'procent' ELSE 'antal' END,
               'månad', 'lägre', CASE WHEN {percent} THEN 'mean' ELSE 'sum' END, 'mean', 'uppladdning'
        FROM range(1, {indicators - have + 1}) t(i)""")
    existing = con.execute("SELECT count(*) FROM units").fetchall()[0][0]
    for n in range(existing + 1, units + 1):
        con.execute("INSERT INTO units VALUES (?, false)", [f"bench_{n}"])
        con.execute("INSERT INTO unit_history VALUES (?, ?, NULL, DATE '2000-01-01', NULL)",
                    [f"bench_{n}", f"Testenhet {n}"])
    con.execute("INSERT INTO indicator_keys (id) SELECT id FROM indicators EXCEPT SELECT id FROM indicator_keys")
    con.execute("INSERT INTO unit_keys (id) SELECT id FROM units EXCEPT SELECT id FROM unit_keys")


def add_monthly_values(con, first_year: int, last_year: int) -> None:
    """Synthetic monthly values for every monthly indicator and unit, ``first_year``–``last_year``
    (existing values are kept)."""
    con.execute(f"""
        INSERT INTO observation_values (indicator_key, unit_key, period_code, kind, period_end, value, source)
        SELECT ik.key, uk.key, year(m) * 100 + month(m), 0, last_day(m), (hash(i.id, u.id, m) % 400)::DOUBLE,
               'uppladdning'
        FROM (SELECT id FROM indicators WHERE frequency = 'månad') i JOIN indicator_keys ik ON ik.id = i.id,
             units u JOIN unit_keys uk ON uk.id = u.id,
             range(DATE '{first_year}-01-01', DATE '{last_year + 1}-01-01', INTERVAL 1 MONTH) r(m)
        ON CONFLICT DO NOTHING""")


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
        add_bench_catalogue(con, LARGE["indicators"], LARGE["units"])
        add_monthly_values(con, last_year - LARGE["years"] + 1, last_year)
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
