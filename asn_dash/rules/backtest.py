"""The forecast's track record: a rolling-origin backtest on the stored history.

For every past year with all twelve months stored (and a year of history before it), the
year's outcome is forecast from the end of April and from the end of August with only the
months up to then, as the engine would have done that day, and compared with what the year
turned out to be. Per method: MAPE (mean absolute percentage error of the year's outcome) and
interval coverage (share of outcomes inside the 80 % band); the chosen method against two
baselines, the same month last year and the last value carried forward.

Indicators whose values can be zero or negative (a budget deviation) have no meaningful
percentage error: they are scored by their mean absolute error and left out of the overall MAPE.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from asn_dash.rules import forecast as fc
from asn_dash.rules.forecast import DRIFT, ETS, LAST_VALUE, LEVEL, SAME_MONTH, monthly_series
from asn_dash.rules.forecast_inputs import History

ORIGINS = (4, 8)  # forecasts made at the end of April (T1) and of August (T2)
MIN_MONTHS = 36  # indicators with at least three years of monthly history take part
CHOSEN = ETS
BASELINES = (SAME_MONTH, LAST_VALUE)
METHODS = (CHOSEN, DRIFT, *BASELINES)
METHOD_NAMES = {ETS: "vald metod (ETS)", DRIFT: "drift", SAME_MONTH: "samma månad förra året",
                LAST_VALUE: "senaste värdet"}


@dataclass(frozen=True)
class Case:
    """One past forecast of one year's outcome."""

    year: int
    origin: int  # the last month known when the forecast was made
    actual: float
    point: float
    low: float  # the 80 % band as the engine shows it (INTERVAL_SCALE applied)
    high: float
    ratio: float  # |actual − point| in half-widths of the unscaled band, on the actual's side
    model: str
    percent: bool = True  # False for values that can be zero or negative: no percentage error

    @property
    def ape(self) -> float | None:
        """Absolute percentage error; None when the outcome is 0 or can be."""
        if not self.percent or self.actual == 0:
            return None
        return abs(self.point - self.actual) / abs(self.actual) * 100

    @property
    def inside(self) -> bool:
        return bool(self.low <= self.actual <= self.high)


@dataclass(frozen=True)
class Score:
    cases: int
    mape: float | None
    mae: float | None
    inside: int

    @property
    def coverage(self) -> float | None:
        return None if not self.cases else self.inside / self.cases

    def to_dict(self) -> dict:
        return {"cases": self.cases, "mape": _round(self.mape), "mae": _round(self.mae), "inside": int(self.inside),
                "coverage": _round(self.coverage, 3)}


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def score(cases: list[Case]) -> Score:
    apes = [c.ape for c in cases if c.ape is not None]
    return Score(len(cases), float(np.mean(apes)) if apes else None,
                 float(np.mean([abs(c.point - c.actual) for c in cases])) if cases else None,
                 sum(c.inside for c in cases))


def backtest_years(months: dict[str, float], before: int | None = None) -> list[int]:
    """The years with all twelve months stored and at least twelve months stored before them."""
    series = monthly_series(months)
    if series.empty:
        return []
    first = series.index[0]
    years = sorted({p.year for p in series.index})
    out = []
    for year in years:
        if before is not None and year >= before:
            continue
        if sum(1 for p in series.index if p.year == year) == 12 and (first.year, first.month) <= (year - 1, 1):
            out.append(year)
    return out


def _case(series, year: int, origin: int, aggregation: str, method: str, lower: float | None,
          upper: float | None, start: str | None = None) -> Case | None:
    """Forecast ``year`` from the months up to ``origin`` (and from ``start`` on, if given)."""
    actual = float(fc.aggregate(series[str(year)].to_numpy()[None, :], aggregation)[0])
    known = series[series.index <= f"{year}-{origin:02d}"]
    if start is not None:
        known = known[known.index >= start]
    result = fc.forecast_year(known, year, method=None if method == CHOSEN else method,
                              lower=lower, upper=upper, scale=1.0)
    if result is None:
        return None
    raw = result.outcome(aggregation)
    shown = result.rescaled(fc.INTERVAL_SCALE.get(result.method, 1.0)).outcome(aggregation)
    side = raw.high if actual >= raw.value else raw.low
    half = abs(side - raw.value)
    miss = abs(actual - raw.value)
    ratio = miss / half if half > 0 else (0.0 if miss == 0 else math.inf)
    return Case(year, origin, actual, raw.value, shown.low, shown.high, ratio, result.model,
                percent=lower is not None)


def series_cases(months: dict[str, float], aggregation: str, method: str, *, lower: float | None = 0.0,
                 upper: float | None = None, before: int | None = None) -> list[Case]:
    """Every backtest case of one monthly series for one method (the engine's own choice for
    ``CHOSEN``), for the years before ``before`` (all years if None). A series without a lower
    bound (it can be negative) is scored without percentage errors."""
    series = monthly_series(months)
    cases = (_case(series, year, origin, aggregation, method, lower, upper)
             for year in backtest_years(months, before) for origin in ORIGINS)
    return [c for c in cases if c is not None]


SHORT_STARTS = {"bara årets månader": 0, "från januari året före": 1}  # years of history before the year


def short_history_cases(months: dict[str, float], aggregation: str, method: str, years_before: int, *,
                        lower: float | None = 0.0, upper: float | None = None) -> list[Case]:
    """Like ``series_cases`` with the history cut to start in January ``years_before`` years
    before the forecast year: how the methods do for an indicator that is new."""
    series = monthly_series(months)
    cases = (_case(series, year, origin, aggregation, method, lower, upper, start=f"{year - years_before}-01")
             for year in backtest_years(months) for origin in ORIGINS)
    return [c for c in cases if c is not None]


def suggested_scale(cases: list[Case]) -> float | None:
    """The factor on the raw band that would have put ``LEVEL`` of the outcomes inside it."""
    ratios = [c.ratio for c in cases]
    return None if not ratios else float(np.quantile(ratios, LEVEL))


def cross_validated_coverage(cases: list[Case]) -> float | None:
    """Coverage when each year's band is scaled by the factor found on the other years only:
    a check that the shipped factor is not just fitted to the cases it is scored on."""
    years = sorted({c.year for c in cases})
    inside = total = 0
    for year in years:
        rest = [c for c in cases if c.year != year]
        if not rest:
            continue
        k = suggested_scale(rest)
        for c in cases:
            if c.year == year:
                total += 1
                inside += c.ratio <= k
    return None if not total else inside / total


@dataclass(frozen=True)
class TrackRecord:
    """An indicator's own record, for its page: "fel i snitt 3 %, 8 av 10 inom intervallet"."""

    cases: int
    mape: float | None
    mae: float | None
    inside: int
    first_year: int | None
    last_year: int | None
    tertial: bool = False  # forecasts from T1 and T2 rather than from April and August


def tertial_cases(values: dict[str, float], *, lower: float | None = 0.0, upper: float | None = None,
                  before: int | None = None) -> list[Case]:
    """The backtest of an indicator reported per tertial: each past year's value forecast from its
    T1 and from its T2 with the earlier years only (``forecast.tertial_outcome``)."""
    years = sorted({int(k[:4]) for k in values if k.isdigit() and (before is None or int(k) < before)})
    cases = []
    for year in years:
        for tertial in (1, 2):
            if f"{year}-T{tertial}" not in values:
                continue
            known = {k: v for k, v in values.items() if int(k[:4]) < year or k == f"{year}-T{tertial}"}
            raw = fc.tertial_outcome(known, year, lower=lower, upper=upper, scale=1.0)
            if raw is None:
                continue
            shown = fc.tertial_outcome(known, year, lower=lower, upper=upper)
            actual = float(values[str(year)])
            side = raw.high if actual >= raw.value else raw.low
            half, miss = abs(side - raw.value), abs(actual - raw.value)
            ratio = miss / half if half > 0 else (0.0 if miss == 0 else math.inf)
            cases.append(Case(year, 4 * tertial, actual, raw.value, shown.low, shown.high, ratio, fc.TERTIAL,
                              percent=lower is not None))
    return cases


def track_record(months: dict[str, float], aggregation: str, year: int, *, lower: float | None = 0.0,
                 upper: float | None = None, tertials: dict[str, float] | None = None) -> TrackRecord | None:
    """The chosen method's record on the years before ``year`` (None without any such year); for an
    indicator reported per tertial, pass its values as ``tertials``."""
    if tertials is not None:
        cases = tertial_cases(tertials, lower=lower, upper=upper, before=year)
    else:
        cases = series_cases(months, aggregation, CHOSEN, lower=lower, upper=upper, before=year)
    if not cases:
        return None
    s = score(cases)
    return TrackRecord(s.cases, s.mape, s.mae, s.inside, min(c.year for c in cases), max(c.year for c in cases),
                       tertial=tertials is not None)


# --- every indicator ---------------------------------------------------------------------------


def report(monthly: list[History], tertial: list[History], methods: tuple[str, ...] = METHODS) -> dict:
    """The backtest of the ``monthly`` histories with ``MIN_MONTHS`` months of history and of the
    ``tertial`` ones, as the JSON the CLI prints: per indicator and overall, per method."""
    indicators, pooled = [], {m: [] for m in methods}
    seconds = {m: [] for m in methods}
    short = {name: {m: [] for m in methods} for name in SHORT_STARTS}
    for h in monthly:
        indicator_id = h.indicator_id
        months = h.months()
        if len(months) < MIN_MONTHS:
            continue
        by_method = {}
        for m in methods:
            started = time.perf_counter()
            cases = series_cases(months, h.aggregation, m, lower=h.lower, upper=h.upper)
            if cases:
                seconds[m].append((time.perf_counter() - started) / len(cases))
            by_method[m] = cases
        for m in methods:
            pooled[m].extend(by_method[m])
            for name, years_before in SHORT_STARTS.items():
                short[name][m].extend(short_history_cases(months, h.aggregation, m, years_before, lower=h.lower,
                                                          upper=h.upper))
        indicators.append({
            "indicator": indicator_id, "name": h.name, "aggregation": h.aggregation, "unit": h.unit,
            "months": len(months), "exempeldata": h.uses_demo(months), "scored_by": "mape" if h.lower is not None else "mae",
            "years": sorted({c.year for c in by_method[methods[0]]}),
            "models": _models(by_method.get(CHOSEN, [])),
            "methods": {m: score(by_method[m]).to_dict() for m in methods},
        })
    tertials = []
    for h in tertial:
        indicator_id = h.indicator_id
        cases = tertial_cases(h.values, lower=h.lower, upper=h.upper)
        if cases:
            tertials.append({"indicator": indicator_id, "name": h.name, **score(cases).to_dict(),
                             "suggested_scale": _round(suggested_scale(cases), 3)})
    overall = {m: score(pooled[m]).to_dict() for m in methods}
    best_baseline = min((b for b in BASELINES if b in overall and overall[b]["mape"] is not None),
                        key=lambda b: overall[b]["mape"], default=None)
    chosen = overall.get(CHOSEN, {})
    return {
        "level": LEVEL,
        "origins": list(ORIGINS),
        "min_months": MIN_MONTHS,
        "chosen": CHOSEN,
        "baselines": list(BASELINES),
        "overall": overall,
        "best_baseline": best_baseline,
        "targets": {
            "mape_at_or_below_best_baseline": (None if best_baseline is None or chosen.get("mape") is None
                                               else chosen["mape"] <= overall[best_baseline]["mape"]),
            "coverage_between_70_and_90": (None if chosen.get("coverage") is None
                                           else 0.70 <= chosen["coverage"] <= 0.90),
        },
        "calibration": {m: {"shipped": fc.INTERVAL_SCALE.get(m, 1.0), "suggested": _round(suggested_scale(pooled[m]), 3),
                            "coverage_cross_validated": _round(cross_validated_coverage(pooled[m]), 3)}
                        for m in methods},
        "seconds_per_forecast": {m: _round(float(np.median(v)), 4) if v else None for m, v in seconds.items()},
        "short_history": {name: {m: score(cases).to_dict() for m, cases in by.items()} for name, by in short.items()},
        "tertial": tertials,
        "indicators": indicators,
    }


def _models(cases: list[Case]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in cases:
        out[c.model] = out.get(c.model, 0) + 1
    return out
