"""The Indikator view model: chart lines, reference lines, unit breakdown and the data table, and
the multi-year history (every stored year)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from asn_dash.formatting import format_value, round_half_up
from asn_dash.rules.aggregation import Obs, period_value
from asn_dash.rules.evaluation import IndicatorResult
from asn_dash.rules.periods import KIND_MONTH, Period, parse_key
from asn_dash.rules.targets import BASELINE, FIXED
from asn_dash.services.chart_data import DatedLine, DatedPoint, Line, Point, Reference
from asn_dash.sources import SOURCE_LABELS
from asn_dash.store import queries
from asn_dash.store.store import Store

DEMO = "exempeldata"


@dataclass
class IndicatorView:
    lines: list[Line]
    references: list[Reference]
    units: dict[str, list[Point]]
    table: pd.DataFrame
    has_demo: bool
    budget_note: str | None


def _points(series: dict[str, Obs], year: int, last_month: int) -> list[Point]:
    pts = []
    for m in range(1, last_month + 1):
        o = series.get(f"{year}-{m:02d}")
        if o is not None and o.value is not None:
            pts.append(Point(m, o.value, o.source == DEMO))
    return pts


def build(store: Store, result: IndicatorResult, year: int, period: Period) -> IndicatorView:
    info = queries.indicator_info(store, result.indicator_id)
    admin = queries.whole_administration(store)
    last_month = period.last_month
    # this year's and last year's months (the lines, and R12 from February last year)
    series = queries.admin_series(store, [result.indicator_id], admin,
                                  [(date(year - 1, 1, 1), period.end)])[result.indicator_id]

    lines = [Line(f"Utfall {year}", _points(series, year, last_month), colour="#0072B2"),
             Line(f"Samma månader {year - 1}", _points(series, year - 1, 12), dash="dot", colour="#6E6E6E")]
    if info.period_aggregation == "r12":
        r12 = []
        for m in range(1, last_month + 1):
            pv = period_value(series, Period(year, month=m), "r12")
            if pv is not None and pv.months_reported >= 12:
                r12.append(Point(m, float(round_half_up(pv.value, 2)), pv.is_demo))
        lines.append(Line("Rullande 12 månader (R12)", r12, colour="#009E73"))
    lines = [line for line in lines if line.points]

    refs: list[Reference] = []
    rule = result.rule
    if rule.kind == FIXED:
        word = "minst" if rule.direction == "högre" else "högst"
        refs.append(Reference(rule.value, f"Målnivå: {word} {format_value(rule.value, info.unit)}"))
    elif rule.kind == BASELINE and result.assessment.reference is not None:
        base = result.assessment.reference
        refs.append(Reference(base, f"Jämförelse: {format_value(base, info.unit)} ({_baseline_label(rule, period)})"))
    budget = queries.budget(store, result.indicator_id, year)
    budget_note = None
    if budget is not None and pd.notna(budget.volume_per_month):
        refs.append(Reference(float(budget.volume_per_month), f"Budgeterad volym {year}: "
                                                              f"{format_value(budget.volume_per_month, 'antal')}/månad"))
        if pd.notna(budget.price_per_day):
            budget_note = (f"Budgetantagande {year}: {format_value(budget.volume_per_month, 'antal')} placeringar "
                           f"per månad à {format_value(budget.price_per_day, 'kr')}/dygn.")

    rows = queries.indicator_rows(store, result.indicator_id, date(year - 1, 1, 1), period.end)
    units: dict[str, list[Point]] = {}
    for r in rows[(rows["unit_id"] != admin) & (rows["period_kind"] == "månad")].itertuples(index=False):
        p = parse_key(r.period)
        if p.year == year and pd.notna(r.value):
            units.setdefault(r.unit_name, []).append(Point(p.month, float(r.value), r.source == DEMO))

    table_rows = rows[rows["unit_id"] == admin].copy()
    table = pd.DataFrame({
        "Period": [parse_key(k).label() for k in table_rows["period"]],
        "Värde": [t if isinstance(t, str) and t else format_value(v, info.unit)
                  for v, t in zip(table_rows["value"], table_rows["text_value"])],
        "Källa": [SOURCE_LABELS.get(s, s) for s in table_rows["source"]],
        "Källhänvisning": [s if isinstance(s, str) else "" for s in table_rows["source_ref"]],
    }).iloc[::-1].reset_index(drop=True)
    has_demo = bool((rows["source"] == DEMO).any())
    return IndicatorView(lines, refs, units, table, has_demo, budget_note)


def _baseline_label(rule, period: Period) -> str:
    year = rule.baseline_year if rule.baseline_year and rule.baseline_year < period.year else period.year - 1
    return f"{period.shifted(year - period.year).span_label()}"


@dataclass
class HistoryView:
    """Every stored year of an indicator up to the chosen period, for the multi-year chart."""

    lines: list[DatedLine]
    first_year: int
    last_year: int
    last_month: int
    years: pd.DataFrame  # per year, the value of the same span as the chosen period
    has_demo: bool


def history(store: Store, indicator_id: str, period: Period) -> HistoryView | None:
    """Monthly values from the first stored year to ``period`` (read with that explicit range), the
    R12 where the indicator is followed as R12, the published tertial and year values where they
    are points of the same line, and a per-year table. None when nothing is stored by then."""
    first = queries.first_year(store, indicator_id)
    if first is None or first > period.year:
        return None
    info = queries.indicator_info(store, indicator_id)
    admin = queries.whole_administration(store)
    series = queries.admin_series(store, [indicator_id], admin, [(date(first, 1, 1), period.end)])[indicator_id]
    stored = [(parse_key(k), o) for k, o in series.items() if o.value is not None]
    monthly = [DatedPoint(p.year, p.month, o.value, o.source == DEMO) for p, o in stored if p.kind == KIND_MONTH]
    lines = []
    if monthly:
        lines.append(DatedLine("Månadsvärde", monthly, "#0072B2"))
    if monthly and info.period_aggregation == "r12":
        r12 = []
        for p in sorted({Period(d.year, month=d.month) for d in monthly}):
            pv = period_value(series, Period(p.year, month=p.month, rolling=True), "r12")
            if pv is not None and pv.months_reported >= 12:
                r12.append(DatedPoint(p.year, p.month, round(pv.value, 2), pv.is_demo))
        lines.append(DatedLine("Rullande 12 månader (R12)", r12, "#009E73"))
    if not monthly or info.period_aggregation in ("r12", "last"):
        published = [DatedPoint(p.year, p.last_month, o.value, o.source == DEMO)
                     for p, o in stored if p.kind != KIND_MONTH and not p.rolling]
        lines.append(DatedLine("Per tertial och år (publicerat)", published, "#000000", markers_only=True))
    lines = [line for line in lines if line.points]
    if not lines:
        return None
    rows = []
    for y in range(first, period.year + 1):
        pv = period_value(series, period.shifted(y - period.year), info.period_aggregation, info.frequency)
        if pv is None or pv.value is None:
            continue
        note = [f"{pv.months_reported} av {pv.months_expected} månader"] if pv.partial else []
        note += ["exempeldata"] if pv.is_demo else []
        rows.append({"År": str(y), "Period": pv.as_of.label(), "Värde": format_value(pv.value, info.unit),
                     "Anmärkning": ", ".join(note)})
    years = pd.DataFrame(rows, columns=["År", "Period", "Värde", "Anmärkning"])
    has_demo = any(p.is_demo for line in lines for p in line.points)
    return HistoryView(lines, first, period.year, period.last_month, years, has_demo)
