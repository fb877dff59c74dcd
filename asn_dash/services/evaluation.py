"""Evaluate a plan year from the store: read the plan, the values its periods need, the official
verdicts (``asn_dash.annotations``) and Kolada ranks (quartile rules), and assess them with
``asn_dash.rules.evaluation``."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from asn_dash import annotations
from asn_dash.kolada import comparison
from asn_dash.rules import evaluation as rules
from asn_dash.rules import verdicts
from asn_dash.rules.evaluation import (
    AreaSummary,
    IndicatorResult,
    MonthGrid,
    PlanData,
    RankLookup,
    as_measures,
    plan_areas,
    reading_windows,
)
from asn_dash.rules.periods import Period
from asn_dash.rules.targets import TargetRule
from asn_dash.store import queries
from asn_dash.store.store import Store


def _plan_data(store: Store, year: int, structure: pd.DataFrame, periods: tuple[Period, ...]) -> PlanData:
    """``structure`` (one row per indicator, with its rule) plus the catalogue facts and the
    whole administration's values the evaluation of ``periods`` needs (and only those)."""
    if not periods:
        raise ValueError("load_plan/load_measures need the periods to evaluate")
    admin = queries.whole_administration(store)
    ids = sorted(set(structure["indicator_id"]))
    meta = store.query(
        "SELECT id, unit, frequency, direction, period_aggregation, kolada_kpi FROM indicators"
        " WHERE list_contains(?, id)", [ids]).set_index("id").to_dict("index")
    yearly = [i for i in ids if meta[i]["frequency"] == "år"]
    windows = reading_windows(structure, periods)
    series = queries.admin_series(store, [i for i in ids if i not in yearly], admin, windows)
    series |= queries.admin_series(store, yearly, admin, [(None, windows[-1][1])])
    return PlanData(year, structure, series, meta, admin, periods=tuple(periods))


def load_plan(store: Store, year: int, *periods: Period) -> PlanData:
    """The plan of ``year`` with the values needed to evaluate it for ``periods``."""
    structure = queries.plan_structure(store, year)
    structure = structure[structure["indicator_id"].notna()].reset_index(drop=True)
    rules = store.query("SELECT goal_id, indicator_id, target_rule FROM plan_indicators WHERE plan_year = ?", [year])
    rule_map = {(r.goal_id, r.indicator_id): TargetRule(**json.loads(r.target_rule)) for r in rules.itertuples()}
    structure["rule"] = [rule_map[(g, i)] for g, i in zip(structure["goal_id"], structure["indicator_id"])]
    data = _plan_data(store, year, structure, periods)
    data.area_rule = store.scalar("SELECT area_rule FROM plan_years WHERE year = ?", [year]) or verdicts.STANDARD
    data.official = annotations.plan_verdicts(store, year)
    return data


def load_measures(store: Store, year: int, *periods: Period) -> PlanData:
    """The monthly indicators followed outside the plan (placements, volumes …) that have values
    in ``year``: shown as a "Verksamhetsmått" group without targets, read for ``periods``."""
    frame = store.query(
        """
        SELECT id AS indicator_id, name AS indicator FROM indicators
        WHERE frequency = 'månad'
          AND id NOT IN (SELECT indicator_id FROM plan_indicators WHERE plan_year = ?)
          AND id IN (SELECT indicator_id FROM observations WHERE period_end BETWEEN ? AND ?)
        ORDER BY rowid
        """, [year, date(year, 1, 1), date(year, 12, 31)])
    return _plan_data(store, year, as_measures(frame), periods)


def measure_results(store: Store, year: int, period: Period) -> list[IndicatorResult]:
    return evaluate(store, load_measures(store, year, period), period)


def measure_result(store: Store, year: int, period: Period, indicator_id: str) -> IndicatorResult | None:
    """Any catalogue indicator as a verksamhetsmått (no target) for ``period``: how the Indikator page
    shows an indicator outside the plan of ``year``. None for an id not in the catalogue."""
    frame = store.query("SELECT id AS indicator_id, name AS indicator FROM indicators WHERE id = ?", [indicator_id])
    if frame.empty:
        return None
    return evaluate(store, _plan_data(store, year, as_measures(frame), (period,)), period)[0]


def ranks(store: Store) -> RankLookup:
    """Tyresö's Kolada rank for a (kpi, year), read when a quartile rule asks: the KPIs' facts
    (``comparison.kpi_info``) are read once, on the first question."""
    info = None

    def rank(kpi: str, year: int):
        nonlocal info
        if info is None:
            info = comparison.kpi_info(store).set_index("kpi")
        return comparison.ranks(store, [kpi], [year], info).get((kpi, year))

    return rank


def evaluate(store: Store, data: PlanData, period: Period) -> list[IndicatorResult]:
    """Assess every indicator of the plan for ``period`` (one of the periods ``data`` was read for):
    the computed assessment, and the official verdict in force shown in its place where there is one."""
    return rules.evaluate(data, period, ranks(store))


def plan_results(store: Store, year: int, period: Period) -> tuple[list[IndicatorResult], list[AreaSummary]]:
    """Every indicator of the plan assessed for ``period`` and the målområde summaries, each with its
    nämndmål (``AreaSummary.goals``): computed by the plan's area rule, with the official verdicts
    (reports, analytiker) in force for the period."""
    data = load_plan(store, year, period)
    results = evaluate(store, data, period)
    return results, plan_areas(data, period, results)


def month_periods(year: int, last_month: int) -> tuple[Period, ...]:
    """The months of the month grid: the plan data for :func:`month_grid` is read for these."""
    return tuple(Period(year, month=m) for m in range(1, last_month + 1))


def month_grid(store: Store, data: PlanData, last_month: int) -> MonthGrid:
    """Per målområde and month the official verdict where a report (or an analytiker) gave one,
    else the computed one; ``data`` is read for :func:`month_periods`."""
    return rules.month_grid(data, last_month, ranks(store))
