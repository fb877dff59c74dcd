"""The large store every serving benchmark runs on (synthetic values, never committed)."""

from __future__ import annotations

from pathlib import Path

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
