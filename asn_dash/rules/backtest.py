"""The forecast's track record: a rolling-origin backtest on the stored history.

For every past year with all twelve months recorded (and a year of history before it), the
year's outcome is forecast from the end of April and from the end of August with only the
months up to then (the series cut at the origin before its gaps are filled), as the engine would
have done that day, and compared with what the year turned out to be. Per method: MAPE (mean
absolute percentage error of the year's outcome) and interval coverage (share of outcomes inside
the 80 % band); ETS and drift against the baselines (``BASELINES``), and the nested choice
(``PRODUCT``: per year the method and band factor found on the earlier years only,
``asn_dash.rules.calibration``).

Exempeldata counts as missing, as input and as outcome, unless it is asked for; then each case
says whether it used any (a case is real only if all its input months and its outcome year are).

Indicators whose values can be zero or negative (a budget deviation) have no meaningful
percentage error: they are scored by their mean absolute error and left out of the overall MAPE.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass

import numpy as np

from asn_dash.rules import calibration as cal
from asn_dash.rules import forecast as fc
from asn_dash.rules.forecast import (
    DRIFT,
    ETS,
    LAST_VALUE,
    LEVEL,
    RUN_RATE,
    SAME_MONTH,
    SCALED_SAME_MONTH,
    monthly_series,
)

ORIGINS = (4, 8)  # forecasts made at the end of April (T1) and of August (T2)
MIN_MONTHS = 36  # indicators with at least three years of monthly history take part
CHOSEN = ETS
BASELINES = (RUN_RATE, SCALED_SAME_MONTH, SAME_MONTH, LAST_VALUE)
METHODS = (CHOSEN, DRIFT, *BASELINES)
PRODUCT = "product"  # the nested choice: per year the method with the best earlier record
METHOD_NAMES = {ETS: "ETS", DRIFT: "drift", SAME_MONTH: "samma månad förra året",
                LAST_VALUE: "senaste värdet", RUN_RATE: "årets takt hittills",
                SCALED_SAME_MONTH: "samma månad × årets utveckling", PRODUCT: "vald metod (nästlad)"}
TOO_SHORT = "för kort historik för att mäta träffsäkerheten"


@dataclass(frozen=True)
class Case:
    """One past forecast of one year's outcome."""

    year: int
    origin: int  # the last month known when the forecast was made
    actual: float
    point: float
    low: float  # the 80 % band with the shipped prior factor (INTERVAL_SCALE) and the floor
    high: float
    ratio: float  # |actual − point| in half-widths of the unscaled band, on the actual's side
    model: str
    percent: bool = True  # False for values that can be zero or negative: no percentage error
    half: float = 0.0  # the unscaled band's half-width on the actual's side
    floor: float = 0.0  # the outcome's measurement floor (``Forecast.floor_of``)
    demo: bool = False  # an input month or an outcome month is exempeldata
    series: str = ""  # which series (indicator) the case is of

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
    real: int = 0
    demo: int = 0

    @property
    def coverage(self) -> float | None:
        return None if not self.cases else self.inside / self.cases

    def to_dict(self) -> dict:
        return {"cases": self.cases, "real": self.real, "exempeldata": self.demo, "mape": _round(self.mape),
                "mae": _round(self.mae), "inside": int(self.inside), "coverage": _round(self.coverage, 3)}


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def score(cases: list[Case], inside: int | None = None) -> Score:
    """Errors and coverage of ``cases``; ``inside`` (the nested count, ``calibration.Nested``)
    replaces the count inside the shipped band."""
    apes = [c.ape for c in cases if c.ape is not None]
    demo = sum(c.demo for c in cases)
    return Score(len(cases), float(np.mean(apes)) if apes else None,
                 float(np.mean([abs(c.point - c.actual) for c in cases])) if cases else None,
                 sum(c.inside for c in cases) if inside is None else inside, len(cases) - demo, demo)


def backtest_years(months: dict[str, float], before: int | None = None) -> list[int]:
    """The years with all twelve months stored (recorded, not interpolated) and at least twelve
    months stored before them."""
    keys = sorted(k for k in months if months[k] is not None and not _missing(months[k]))
    if not keys:
        return []
    first = keys[0]
    counts: dict[int, int] = {}
    for k in keys:
        counts[int(k[:4])] = counts.get(int(k[:4]), 0) + 1
    return [y for y in sorted(counts) if counts[y] == 12 and first <= f"{y - 1}-01" and (before is None or y < before)]


def _missing(v) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _case(months: dict[str, float], year: int, origin: int, aggregation: str, method: str, lower: float | None,
          upper: float | None, start: str | None = None, *, floor: float = 0.0, demo=frozenset(),
          series: str = "") -> Case | None:
    """Forecast ``year`` from the months up to ``origin`` (and from ``start`` on, if given): the
    series is cut at the origin before its gaps are filled, so nothing later leaks in."""
    outcome_keys = [f"{year}-{m:02d}" for m in range(1, 13)]
    actual = float(fc.aggregate(np.array([[months[k] for k in outcome_keys]], dtype=float), aggregation)[0])
    cut = f"{year}-{origin:02d}"
    inputs = {k: v for k, v in months.items() if k <= cut and (start is None or k >= start)}
    result = fc.forecast_year(monthly_series(inputs, up_to=cut), year, method=None if method == CHOSEN else method,
                              lower=lower, upper=upper, scale=1.0, floor=floor)
    if result is None:
        return None
    raw = dataclasses.replace(result, floor=0.0).outcome(aggregation)
    shown = result.rescaled(fc.INTERVAL_SCALE.get(result.method, 1.0)).outcome(aggregation)
    side = raw.high if actual >= raw.value else raw.low
    half = abs(side - raw.value)
    miss = abs(actual - raw.value)
    ratio = miss / half if half > 0 else (0.0 if miss == 0 else math.inf)
    uses_demo = any(k in demo for k in inputs) or any(k in demo for k in outcome_keys)
    return Case(year, origin, actual, raw.value, shown.low, shown.high, ratio, result.model,
                percent=lower is not None, half=half, floor=result.floor_of(aggregation), demo=uses_demo,
                series=series)


def real_months(months: dict[str, float], demo) -> dict[str, float]:
    """The months that are not exempeldata: exempeldata counts as missing, for input and outcome."""
    return {k: v for k, v in months.items() if k not in demo}


def series_cases(months: dict[str, float], aggregation: str, method: str, *, lower: float | None = 0.0,
                 upper: float | None = None, before: int | None = None, demo=frozenset(),
                 include_demo: bool = False, floor: float = 0.0, series: str = "") -> list[Case]:
    """Every backtest case of one monthly series for one method (the engine's own choice for
    ``CHOSEN``), for the years before ``before`` (all years if None). A series without a lower
    bound (it can be negative) is scored without percentage errors. The months in ``demo`` are
    exempeldata: left out (as missing) unless ``include_demo``, when the cases that use them are
    marked ``demo``."""
    if not include_demo:
        months = real_months(months, demo)
    cases = (_case(months, year, origin, aggregation, method, lower, upper, floor=floor, demo=demo, series=series)
             for year in backtest_years(months, before) for origin in ORIGINS)
    return [c for c in cases if c is not None]


def demo_slots(months: dict[str, float], demo) -> int:
    """How many forecast slots (year × origin) exist only with exempeldata: left out of the record."""
    return len(ORIGINS) * (len(backtest_years(months)) - len(backtest_years(real_months(months, demo))))


SHORT_STARTS = {"bara årets månader": 0, "från januari året före": 1}  # years of history before the year


def short_history_cases(months: dict[str, float], aggregation: str, method: str, years_before: int, *,
                        lower: float | None = 0.0, upper: float | None = None, demo=frozenset()) -> list[Case]:
    """Like ``series_cases`` with the history cut to start in January ``years_before`` years
    before the forecast year: how the methods do for an indicator that is new."""
    cases = (_case(months, year, origin, aggregation, method, lower, upper, start=f"{year - years_before}-01",
                   demo=demo) for year in backtest_years(months) for origin in ORIGINS)
    return [c for c in cases if c is not None]


def suggested_scale(cases: list[Case]) -> float | None:
    """The factor on the raw band that would have put ``LEVEL`` of the outcomes inside it."""
    ratios = [c.ratio for c in cases]
    return None if not ratios else float(np.quantile(ratios, LEVEL))


@dataclass(frozen=True)
class TrackRecord:
    """An indicator's own record on its real figures, for its page: "fel i snitt 3 %, 8 av 10
    inom intervallet", scored as it would have been lived (nested: each year's method and band
    from the years before it), and the method chosen for the plan year and why."""

    cases: int
    mape: float | None
    mae: float | None
    inside: int
    first_year: int | None
    last_year: int | None
    tertial: bool = False  # forecasts from T1 and T2 rather than from April and August
    method: str = CHOSEN  # the method the record chooses for the plan year
    reason: str = ""
    demo_excluded: int = 0  # forecast slots left out because they need exempeldata
    scale: float | None = None  # the band factor for the plan year from the earlier real cases (None: prior)

    @property
    def validated(self) -> bool:
        """Enough real cases to speak of a record (two years of two forecasts)."""
        return self.cases >= cal.MIN_CASES


def tertial_cases(values: dict[str, float], *, lower: float | None = 0.0, upper: float | None = None,
                  before: int | None = None, demo=frozenset(), include_demo: bool = False) -> list[Case]:
    """The backtest of an indicator reported per tertial: each past year's value forecast from its
    T1 and from its T2 with the earlier years only (``forecast.tertial_outcome``). Exempeldata
    values (``demo``) count as missing unless ``include_demo`` (then the cases using them say so)."""
    if not include_demo:
        values = real_months(values, demo)
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
            used = [*known, str(year)]
            cases.append(Case(year, 4 * tertial, actual, raw.value, shown.low, shown.high, ratio, fc.TERTIAL,
                              percent=lower is not None, half=half, demo=any(k in demo for k in used)))
    return cases


def track_record(months: dict[str, float], aggregation: str, year: int, *, lower: float | None = 0.0,
                 upper: float | None = None, tertials: dict[str, float] | None = None, demo=frozenset(),
                 unit: str | None = None, methods: tuple[str, ...] = METHODS) -> TrackRecord:
    """The record on the real years before ``year`` (exempeldata, ``demo``, counts as missing):
    per year the method with the best earlier record and the band calibrated on earlier years
    (``calibration.nested``), and the method that record chooses for ``year``. For an indicator
    reported per tertial, pass its values as ``tertials`` (the tertial method only)."""
    if tertials is not None:
        by_method = {fc.TERTIAL: tertial_cases(tertials, lower=lower, upper=upper, before=year, demo=demo)}
        excluded = 0
    else:
        floor = fc.band_floor(unit)
        by_method = {m: series_cases(months, aggregation, m, lower=lower, upper=upper, before=year, demo=demo,
                                     floor=floor) for m in methods}
        excluded = demo_slots({k: v for k, v in months.items() if k < f"{year}-01"}, demo)
    record = cal.nested(by_method)
    cases = record.product
    choice = (cal.Choice(year, fc.TERTIAL, "tertialmetoden", {}) if tertials is not None
              else cal.choose(by_method, year))
    now = cal.plan_factor(record, by_method, choice.method, year)
    common = {"tertial": tertials is not None, "method": choice.method, "reason": choice.reason,
              "demo_excluded": excluded, "scale": None if now.prior else now.factor}
    if not cases:
        return TrackRecord(0, None, None, 0, None, None, **common)
    s = score(cases, record.product_inside())
    return TrackRecord(s.cases, s.mape, s.mae, s.inside, min(c.year for c in cases), max(c.year for c in cases),
                       **common)


# --- every indicator ---------------------------------------------------------------------------


def _indicator(h, methods: tuple[str, ...], include_demo: bool, seconds: dict) -> dict | None:
    """One monthly history's record (None when it has fewer than ``MIN_MONTHS`` months)."""
    months = h.months()
    used = months if include_demo else real_months(months, h.demo)
    if len(months) < MIN_MONTHS:
        return None
    floor = fc.band_floor(h.unit)
    by_method = {}
    for m in methods:
        started = time.perf_counter()
        cases = series_cases(months, h.aggregation, m, lower=h.lower, upper=h.upper, demo=h.demo,
                             include_demo=include_demo, floor=floor, series=h.indicator_id)
        if cases:
            seconds[m].append((time.perf_counter() - started) / len(cases))
        by_method[m] = cases
    record = cal.nested(by_method)
    years = sorted({c.year for cs in by_method.values() for c in cs})
    now = cal.choose(by_method, (years[-1] if years else max(int(k[:4]) for k in months)) + 1)
    product = score(record.product, record.product_inside())
    return {
        "indicator": h.indicator_id, "name": h.name, "aggregation": h.aggregation, "unit": h.unit,
        "months": len(months), "real_months": len(real_months(months, h.demo)),
        "exempeldata": h.uses_demo(used), "exempeldata_excluded": 0 if include_demo else demo_slots(months, h.demo),
        "scored_by": "mape" if h.lower is not None else "mae", "years": years,
        "record": None if product.cases >= cal.MIN_CASES else TOO_SHORT,
        "models": _models(by_method.get(CHOSEN, [])),
        "methods": {m: score(cs, record.inside(m, cs)).to_dict() for m, cs in by_method.items()},
        PRODUCT: product.to_dict(),
        "choices": {str(y): c.method for y, c in record.choices.items()},
        "chosen_now": {"method": now.method, "reason": now.reason},
        "_cases": by_method, "_record": record,
    }


def report(monthly: list, tertial: list, methods: tuple[str, ...] = METHODS, *, include_demo: bool = False) -> dict:
    """The backtest of the ``monthly`` histories (``forecast_inputs.History``) with ``MIN_MONTHS``
    months stored and of the ``tertial`` ones, as the JSON the CLI prints: per indicator and
    pooled, per method and for the nested choice (``PRODUCT``). Exempeldata counts as missing
    unless ``include_demo`` (then each case says whether it used exempeldata)."""
    indicators, pooled, seconds = [], {m: [] for m in methods}, {m: [] for m in methods}
    inside = {m: 0 for m in methods}
    product, product_inside, counts = [], 0, {}
    short = {name: {m: [] for m in methods} for name in SHORT_STARTS}
    for h in monthly:
        ind = _indicator(h, methods, include_demo, seconds)
        if ind is None:
            continue
        by_method, record = ind.pop("_cases"), ind.pop("_record")
        for m in methods:
            pooled[m].extend(by_method[m])
            inside[m] += record.inside(m, by_method[m])
            source = h.months() if include_demo else real_months(h.months(), h.demo)
            for name, years_before in SHORT_STARTS.items():
                short[name][m].extend(short_history_cases(source, h.aggregation, m, years_before, lower=h.lower,
                                                          upper=h.upper, demo=h.demo))
        product.extend(record.product)
        product_inside += record.product_inside()
        for c in record.product:
            method = record.choices[c.year].method
            counts[method] = counts.get(method, 0) + 1
        indicators.append(ind)
    tertials = []
    for h in tertial:
        cases = tertial_cases(h.values, lower=h.lower, upper=h.upper, demo=h.demo, include_demo=include_demo)
        if cases:
            tertials.append({"indicator": h.indicator_id, "name": h.name, **score(cases).to_dict(),
                             "suggested_scale": _round(suggested_scale(cases), 3)})
    overall = {m: score(pooled[m], inside[m]).to_dict() for m in methods}
    overall[PRODUCT] = score(product, product_inside).to_dict()
    best_baseline = min((b for b in BASELINES if b in overall and overall[b]["mape"] is not None),
                        key=lambda b: overall[b]["mape"], default=None)
    chosen = overall[PRODUCT]
    return {
        "level": LEVEL,
        "origins": list(ORIGINS),
        "min_months": MIN_MONTHS,
        "basis": "verkliga värden och exempeldata" if include_demo else "verkliga värden (exempeldata utesluten)",
        "include_exempeldata": include_demo,
        "exempeldata_excluded": sum(i["exempeldata_excluded"] for i in indicators),
        "record": None if chosen["cases"] >= cal.MIN_CASES else TOO_SHORT,
        "chosen": PRODUCT,
        "baselines": list(BASELINES),
        "overall": overall,
        "best_baseline": best_baseline,
        "targets": {
            "mape_at_or_below_best_baseline": (None if best_baseline is None or chosen.get("mape") is None
                                               else chosen["mape"] <= overall[best_baseline]["mape"]),
            "coverage_between_70_and_90": (None if chosen.get("coverage") is None
                                           else 0.70 <= chosen["coverage"] <= 0.90),
        },
        "nested": {"rule": "varje års metod och intervallfaktor bestäms av tidigare års fall för indikatorn",
                   "methods_used": counts,
                   "choices": {i["indicator"]: i["choices"] for i in indicators},
                   "chosen_now": {i["indicator"]: i["chosen_now"] for i in indicators}},
        "calibration": {m: {"prior": fc.INTERVAL_SCALE.get(m, 1.0),
                            "in_sample_not_for_use": _round(suggested_scale(pooled[m]), 3),
                            "nested_coverage": overall[m]["coverage"]} for m in methods},
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
