"""Read queries the pages need. Each returns a small, fully fetched DataFrame."""

from __future__ import annotations

from datetime import date

import pandas as pd

from .periods import Period
from .seed import DEMO
from .store import Store


def data_version(store: Store) -> str:
    """Changes whenever any stored value or the catalogue changes; a cache key for the pages."""
    row = store.query(
        "SELECT (SELECT count(*) FROM observations) AS n,"
        " (SELECT max(updated_at) FROM observations) AS t,"
        " (SELECT value FROM meta WHERE key = 'catalogue_digest') AS c"
    ).iloc[0]
    return f"{row.n}|{row.t}|{row.c}"


def plan_years(store: Store) -> list[int]:
    return store.query("SELECT year FROM plan_years ORDER BY year DESC")["year"].tolist()


def plan(store: Store, year: int) -> pd.Series:
    return store.query("SELECT * FROM plan_years WHERE year = ?", [year]).iloc[0]


def whole_administration(store: Store) -> str:
    return store.scalar("SELECT id FROM units WHERE whole_administration")


def latest_month(store: Store, year: int) -> int:
    """The last month of ``year`` that has any value (12 for a year with a yearly value)."""
    end = store.scalar(
        "SELECT max(period_end) FROM observations WHERE year(period_end) = ?", [year]
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


def latest_values(store: Store, year: int, period: Period, unit_id: str) -> pd.DataFrame:
    """For each indicator of the plan: its newest value for ``unit_id`` up to the end of ``period``.

    At equal dates a value of the same period kind as ``period`` wins (the T2 figure over
    August's when T2 is chosen), and a published or uploaded value wins over exempeldata.
    """
    return store.query(
        """
        WITH wanted AS (SELECT DISTINCT indicator_id FROM plan_indicators WHERE plan_year = ?),
        ranked AS (
            SELECT o.indicator_id, o.period, o.period_kind, o.period_end, o.value, o.text_value,
                   o.source, o.source_ref,
                   row_number() OVER (
                       PARTITION BY o.indicator_id
                       ORDER BY o.period_end DESC, (o.period_kind = ?) DESC, (o.source = ?) ASC
                   ) AS rn
            FROM observations o JOIN wanted USING (indicator_id)
            WHERE o.unit_id = ? AND o.period_end <= ?
        )
        SELECT * EXCLUDE (rn) FROM ranked WHERE rn = 1
        """,
        [year, period.kind, DEMO, unit_id, period.end],
    )


def counts_by_source(store: Store) -> pd.DataFrame:
    return store.query(
        "SELECT source, count(*) AS antal, min(period_end) AS forsta, max(period_end) AS sista"
        " FROM observations GROUP BY source ORDER BY source"
    )


def schema_info(store: Store) -> dict:
    return {
        "path": str(store.path),
        "schema_version": store.scalar("SELECT max(version) FROM schema_version"),
        "today": date.today(),
    }
