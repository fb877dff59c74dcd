"""Read queries the pages need. Each returns a small, fully fetched DataFrame."""

from __future__ import annotations

import os
from datetime import date
from typing import TYPE_CHECKING

from asn_dash.rules.periods import Period, parse_key
from asn_dash.sources import DEMO
from asn_dash.store.store import Store

if TYPE_CHECKING:  # the DataFrames come from DuckDB; the command line's ingest imports no pandas
    import pandas as pd


# The domains of stored data a cached read can depend on (the audit log is in none of them, so a
# sign-in or any other audit row keeps every cache warm).
VALUES, CATALOGUE, ANNOTATIONS, KOLADA = DOMAINS = ("values", "catalogue", "annotations", "kolada")

# Small tables of the annotations domain, fingerprinted whole (any insert, update or delete shows);
# tables whose name contains "verdict" count as annotations too, whenever a migration adds them.
# (manual_statuses and assessment_overrides went into verdicts in migration 0008.)
ANNOTATION_TABLES = ("comments",)


def data_version(store: Store) -> dict[str, str]:
    """A version per domain (:data:`DOMAINS`) that changes whenever that domain's data changes: the
    cache keys of the pages. Read once per script run, so it must stay cheap as history grows:

    * values: every change to stored values is an upload or its undo (app and CLI alike), both of
      which write ``uploads``; a store built anew is a new file. So the small ``uploads`` table
      stands for ``observation_values`` and no query scans the values themselves;
    * catalogue: the catalogue files' digest, which the catalogue sync stores;
    * annotations: comments and verdicts (whole-table hashes; they are small) and people's display
      names (not when they were last seen: a sign-in changes nothing);
    * kolada: the fetch bookkeeping in ``meta`` that every Kolada pull or failed pull rewrites.

    Each version starts with the store file's identity (inode) and schema version, so a rebuilt
    or migrated store never reuses another's cached results."""
    cur = store.con.cursor()  # plain rows: this runs on every script run, a DataFrame costs more than the query
    try:
        tables = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'")
                  .fetchall()}
        marked = sorted(t for t in tables if t in ANNOTATION_TABLES or "verdict" in t.lower())
        parts = ["SELECT 'schema', '', max(version)::VARCHAR FROM schema_version",
                 f"SELECT '{VALUES}', 'uploads', count(*) || ':' || coalesce(sum(hash(id, status, undone_at)), 0)"
                 " FROM uploads",
                 f"SELECT '{CATALOGUE}', 'digest', max(value) FROM meta WHERE key = 'catalogue_digest'",
                 f"SELECT '{KOLADA}', 'meta', coalesce(sum(hash(key, value)), 0)::VARCHAR FROM meta"
                 " WHERE key LIKE 'kolada%'"]
        parts += [f"SELECT '{ANNOTATIONS}', '{t}', count(*) || ':' || coalesce(sum(hash(t)), 0) FROM \"{t}\" t"
                  for t in marked]
        if "people" in tables:
            parts.append(f"SELECT '{ANNOTATIONS}', 'people', coalesce(sum(hash(user_name, display_name)), 0)::VARCHAR"
                         " FROM people")
        rows = cur.execute(" UNION ALL ".join(parts)).fetchall()
    finally:
        cur.close()
    found: dict[str, list[str]] = {}
    for domain, table, version in sorted(rows):
        found.setdefault(domain, []).append(f"{table}={version}")
    try:
        identity = f"{os.stat(store.path).st_ino}/{found['schema'][0]}"
    except OSError:  # the file is gone: the next connection will say so
        identity = f"?/{found['schema'][0]}"
    return {d: f"{identity}/{';'.join(found.get(d, []))}" for d in DOMAINS}


def plan_years(store: Store) -> list[int]:
    return store.query("SELECT year FROM plan_years ORDER BY year DESC")["year"].tolist()


def plan(store: Store, year: int) -> pd.Series:
    return store.query("SELECT * FROM plan_years WHERE year = ?", [year]).iloc[0]


def whole_administration(store: Store) -> str:
    return store.scalar("SELECT id FROM units WHERE whole_administration")


def latest_month(store: Store, year: int) -> int:
    """The last month of ``year`` that has any value (12 for a year with a yearly value)."""
    end = store.scalar(  # a range on period_end, not year(period_end): older years are skipped unread
        "SELECT max(period_end) FROM observations WHERE period_end BETWEEN ? AND ?", [date(year, 1, 1), date(year, 12, 31)]
    )
    return end.month if end else 12


def plan_structure(store: Store, year: int) -> pd.DataFrame:
    """One row per (målområde, nämndmål, indicator) of a plan year, in the plan's order."""
    return store.query(
        """
        SELECT a.id AS goal_area_id, a.name AS goal_area, a.municipal_goal, a.sort AS area_sort,
               g.id AS goal_id, g.name AS goal, g.sort AS goal_sort,
               pi.indicator_id, pi.target_text, pi.note, pi.sort,
               i.name AS indicator, i.unit, i.frequency, i.direction, i.source AS indicator_source,
               i.kolada_retired
        FROM goal_areas a
        JOIN goals g ON g.plan_year = a.plan_year AND g.goal_area_id = a.id
        LEFT JOIN plan_indicators pi ON pi.plan_year = g.plan_year AND pi.goal_id = g.id
        LEFT JOIN indicators i ON i.id = pi.indicator_id
        WHERE a.plan_year = ?
        ORDER BY a.sort, g.sort, pi.sort
        """,
        [year],
    )


def counts_by_source(store: Store) -> pd.DataFrame:
    """Stored outcomes per source with their first and last period end. A scan of every value:
    pages cache it per values version (``ui.cached``), so it runs once per upload, not per view."""
    return store.query(  # the table, not the view: no text keys are needed to count
        "SELECT source, count(*) AS antal, min(period_end) AS forsta, max(period_end) AS sista"
        " FROM observation_values WHERE kind = 0 GROUP BY source ORDER BY source"
    )


def schema_info(store: Store) -> dict:
    return {
        "path": str(store.path),
        "schema_version": store.scalar("SELECT max(version) FROM schema_version"),
        "today": date.today(),
    }


Window = tuple[date | None, date]  # (first, last) period end; first None: from the oldest value


def admin_series(store: Store, indicator_ids: list[str], admin_unit: str, windows: list[Window]) -> dict:
    """Per indicator, period key → Obs for the whole administration, for the periods that end
    within one of ``windows`` (so a view reads what it shows, however much history is stored).

    Where the administration has no row of its own, unit rows of additive indicators
    (unit_aggregation ``sum``) are summed; others are never rolled up (``asn_dash.rules.rollup``).
    """
    import pandas as pd

    from asn_dash.rules.aggregation import Obs

    if not indicator_ids or not windows:
        return {i: {} for i in indicator_ids}
    within = " OR ".join("period_end BETWEEN ? AND ?" if first is not None else "period_end <= ?"
                         for first, _ in windows)
    bounds = [d for first, last in windows for d in ((first, last) if first is not None else (last,))]
    frame = store.query(
        f"""
        WITH base AS (
            SELECT indicator_id, unit_id, period, value, text_value, source FROM observations
            WHERE list_contains(?, indicator_id) AND ({within})
        ),
        admin AS (SELECT * FROM base WHERE unit_id = ?),
        rolled AS (
            SELECT b.indicator_id, b.period,
                   sum(b.value) AS value,
                   NULL AS text_value, min(b.source) AS source
            FROM base b JOIN indicators i ON i.id = b.indicator_id
            WHERE b.unit_id <> ? AND i.unit_aggregation = 'sum'
              AND NOT EXISTS (SELECT 1 FROM admin a WHERE a.indicator_id = b.indicator_id AND a.period = b.period)
            GROUP BY b.indicator_id, b.period
        )
        SELECT indicator_id, period, value, text_value, source FROM admin
        UNION ALL SELECT indicator_id, period, value, text_value, source FROM rolled
        """,
        [indicator_ids, *bounds, admin_unit, admin_unit],
    )
    out: dict[str, dict] = {i: {} for i in indicator_ids}
    for r in frame.itertuples(index=False):
        value = None if pd.isna(r.value) else float(r.value)
        text = r.text_value if isinstance(r.text_value, str) else None
        out[r.indicator_id][r.period] = Obs(value, text, r.source)
    return out


def indicator_rows(store: Store, indicator_id: str, first: date, last: date) -> pd.DataFrame:
    """All stored values of one indicator between two dates, every unit, with the unit's name
    as it was at the end of each period."""
    return store.query(
        """
        SELECT o.unit_id, o.period, o.period_kind, o.period_end, o.value, o.text_value, o.source, o.source_ref,
               coalesce((SELECT h.name FROM unit_history h WHERE h.unit_id = o.unit_id AND h.valid_from <= o.period_end
                         ORDER BY h.valid_from DESC LIMIT 1), o.unit_id) AS unit_name
        FROM observations o
        WHERE o.indicator_id = ? AND o.period_end BETWEEN ? AND ?
        ORDER BY o.period_end, o.period_kind, o.unit_id
        """,
        [indicator_id, first, last],
    )


def budget(store: Store, indicator_id: str, year: int) -> pd.Series | None:
    frame = store.query("SELECT volume_per_month, price_per_day FROM indicator_budgets"
                        " WHERE indicator_id = ? AND year = ?", [indicator_id, year])
    return None if frame.empty else frame.iloc[0]


def indicator_info(store: Store, indicator_id: str) -> pd.Series:
    return store.query("SELECT * FROM indicators WHERE id = ?", [indicator_id]).iloc[0]


def unit_total_checks(store: Store, indicator_ids: list[str], admin_unit: str, first: date, last: date) -> list:
    """For additive indicators (``asn_dash.rules.rollup``), every period between two dates that has
    both a stored administration total and unit values: the total, the units' sum and their count."""
    from asn_dash.rules.rollup import ADDITIVE, TotalCheck

    if not indicator_ids:
        return []
    rows = store.query(
        """
        SELECT u.indicator_id, u.period, any_value(a.value) AS stored, sum(u.value) AS units_sum,
               count(*) AS units
        FROM observations u
        JOIN indicators i ON i.id = u.indicator_id AND i.unit_aggregation = ?
        JOIN observations a ON a.indicator_id = u.indicator_id AND a.period = u.period AND a.unit_id = ?
        WHERE list_contains(?, u.indicator_id) AND u.unit_id <> ? AND u.period_end BETWEEN ? AND ?
          AND u.value IS NOT NULL AND a.value IS NOT NULL
        GROUP BY u.indicator_id, u.period
        """,
        [ADDITIVE, admin_unit, indicator_ids, admin_unit, first, last])
    return [TotalCheck(r.indicator_id, r.period, float(r.stored), float(r.units_sum), int(r.units))
            for r in rows.itertuples(index=False)]


def latest_reported(store: Store) -> dict[int, Period]:
    """Per year, the latest period the förvaltning has reported in it: the newest period end among
    published and uploaded outcomes of indicators followed monthly or per tertial, and the reports'
    official verdicts. Exempeldata and yearly indicators (a figure "for 2025" may be printed in T2)
    do not count. A tertial or year wins over a month ending the same day (T2 2025, not aug 2025).
    Only the plan years' values are read (a range on period_end), so older history costs nothing."""
    first = store.scalar("SELECT min(year) FROM plan_years")
    if first is None:
        return {}
    keys = store.query(
        """
        SELECT DISTINCT o.period FROM observations o JOIN indicators i ON i.id = o.indicator_id
        WHERE o.period_end >= ? AND o.source <> ? AND i.frequency <> 'år'
        UNION
        SELECT DISTINCT period FROM verdicts WHERE origin = 'rapport' AND unit_id IS NULL
        """, [date(first, 1, 1), DEMO])["period"]
    best: dict[int, Period] = {}
    for key in keys:
        p = parse_key(key)
        if p.rolling:
            continue
        old = best.get(p.year)
        if old is None or (p.end, p.kind != "månad") > (old.end, old.kind != "månad"):
            best[p.year] = p
    return best


def first_year(store: Store, indicator_id: str) -> int | None:
    """The first year with a stored outcome of the indicator (any unit)."""
    first = store.scalar("SELECT min(period_end) FROM observations WHERE indicator_id = ?", [indicator_id])
    return first.year if first else None


def indicator_names(store: Store) -> pd.DataFrame:
    """Every indicator of the catalogue (id, name), in catalogue order."""
    return store.query("SELECT id, name FROM indicators ORDER BY rowid")


def has_values(store: Store, indicator_id: str) -> bool:
    return bool(store.scalar("SELECT count(*) FROM observations WHERE indicator_id = ?", [indicator_id]))
