"""Forecast of a plan year's outcome from an indicator's monthly history ("Prognos helår").

Pure functions on plain data (a pandas Series of monthly values), no store, no Streamlit, so
the pages can cache them and the backtest (``asn_dash.rules.backtest``) can run them on any
past origin.

How a forecast is made:

* The months of the plan year that are recorded are kept as they are; the months after the
  last recorded one are forecast. The year's outcome is then what the rule will judge: the
  indicator's ``period_aggregation`` applied to all twelve months (mean, sum, the December
  value, or the December R12, which is the mean of January–December).
* ``ets``: statsmodels exponential smoothing. The candidates are level only (ANN) and damped
  trend (AAdN), and with at least two full years of months also the same with additive
  seasonality (ANA, AAdA); the one with the lowest AICc is used. Fewer than ``ETS_MONTHS``
  months: the last value carried forward. The backtest chose both: ETS beat the baselines and
  ``drift`` (the average monthly change carried on), and with only the year's own months the
  last value beat drift by far (drift overshoots on four or eight points).
* The baselines of the backtest are ``same_month`` (the same month last year) and
  ``last_value`` (the last value carried forward).
* Intervals come from simulated paths of the model (normal errors with the fitted variance),
  widened or narrowed by a factor that the indicator's own real record found, out of sample, to
  put 80 % of past outcomes inside the 80 % band (``asn_dash.rules.calibration``; 1 without a
  record), and never narrower than the measurement allows (``band_floor``). The same paths give
  the probability that a target is met.
"""

from __future__ import annotations

import calendar
import math
import os
import warnings

# The model fits are tiny; OpenBLAS threads only add overhead (measured 5–8× slower fits on the
# 2-core machine under load). SciPy loads its own OpenBLAS on first import (by statsmodels,
# below, lazily), which reads this then; an explicit setting in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from asn_dash.rules.targets import BASELINE, FIXED, HIGHER, TOLERANCE, TargetRule

LEVEL = 0.8  # the central interval shown: 80 %
SIMULATIONS = 1000
MIN_MONTHS = 3  # fewer months of history: no forecast
ETS_MONTHS = 10  # at least this many months: exponential smoothing, else the last value
SEASONAL_MONTHS = 24  # at least two full years: seasonal candidates too
MAX_GAP_MONTHS = 12  # the history may end at most this long before the plan year starts

ETS, DRIFT, SAME_MONTH, LAST_VALUE, TERTIAL, KNOWN = "ets", "drift", "same_month", "last_value", "tertial", "utfall"
RUN_RATE, SCALED_SAME_MONTH = "run_rate", "scaled_same_month"
METHOD_LABELS = {
    ETS: "exponentiell utjämning (ETS)",
    DRIFT: "trend (drift)",
    SAME_MONTH: "samma månad förra året",
    LAST_VALUE: "senaste värdet",
    RUN_RATE: "årets takt hittills",
    SCALED_SAME_MONTH: "samma månad förra året, justerad med årets utveckling hittills",
    TERTIAL: "tertialvärde och tidigare års förändring till helår",
    KNOWN: "utfall",
}

# Factor applied to the simulated spread around the point forecast, per method, before a real
# record exists: 1, the model's own band. (Factors were once fitted on the backtest of the seeded
# store; those cases are exempeldata and scored in sample, so they are not used for real figures.)
# Once an indicator has a record on its own real figures, ``asn_dash.rules.calibration`` replaces
# the factor, out of sample; tertial indicators keep their t-interval. See docs/rules.md "Prognoser".
INTERVAL_SCALE = {ETS: 1.0, DRIFT: 1.0, SAME_MONTH: 1.0, LAST_VALUE: 1.0, RUN_RATE: 1.0, SCALED_SAME_MONTH: 1.0,
                  TERTIAL: 1.0}

# The band's floor per month, in the unit as it is recorded (see ``band_floor``): a count is known
# to whole units (±0.5), money to the whole tkr/kr it is recorded in; a percentage without a known
# population to 0.1 percentage point; days and index values to a twentieth.
MEASUREMENT_FLOOR = {"antal": 0.5, "tkr": 0.5, "kr": 0.5, "procent": 0.1, "dagar": 0.05, "index": 0.05}

_ETS_SPECS = {
    "ANN": {"trend": None, "seasonal": None},
    "AAdN": {"trend": "add", "damped_trend": True, "seasonal": None},
    "ANA": {"trend": None, "seasonal": "add", "seasonal_periods": 12},
    "AAdA": {"trend": "add", "damped_trend": True, "seasonal": "add", "seasonal_periods": 12},
}


# --- the outcome distribution ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Outcome:
    """The forecast of one number (the year's outcome): point, 80 % interval and samples."""

    value: float
    low: float
    high: float
    samples: np.ndarray = field(repr=False)  # simulated outcomes, for probabilities

    @property
    def width(self) -> float:
        return self.high - self.low

    def probability(self, rule: TargetRule, reference: float | None = None) -> float | None:
        """Share of simulated outcomes for which the rule gives Grön (see ``target_met``)."""
        met = target_met(self.samples, rule, reference)
        return None if met is None else float(np.mean(met))

    def contains(self, actual: float) -> bool:
        return self.low <= actual <= self.high


def target_met(values, rule: TargetRule, reference: float | None = None):
    """Per value: does the rule give Grön for this year's outcome? ``reference`` is the baseline
    year's outcome for BASELINE rules. None for rules a number cannot meet (manual, quartile …)
    or when the reference is missing."""
    v = np.asarray(values, dtype=float)
    if rule.kind == FIXED:
        return v >= rule.value if rule.direction == HIGHER else v <= rule.value
    if rule.kind == BASELINE:
        if reference is None:
            return None
        if rule.direction == HIGHER:
            return v >= reference if rule.allow_equal else v > reference
        return v < reference
    if rule.kind == TOLERANCE:
        return v >= 0
    return None


def aggregate(matrix: np.ndarray, aggregation: str, weights: np.ndarray | None = None) -> np.ndarray:
    """The year's value per row of a (paths × 12 months) matrix, as ``aggregation`` says. With
    ``weights`` (e.g. price × days per month) the weighted sum, for costs."""
    if weights is not None:
        return matrix @ weights
    if aggregation == "sum":
        return matrix.sum(axis=1)
    if aggregation == "last":
        return matrix[:, -1]
    if aggregation in ("mean", "r12"):  # the December R12 is the mean of January–December
        return matrix.mean(axis=1)
    raise ValueError(f"unknown aggregation {aggregation}")


# --- the year forecast -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Forecast:
    """The twelve months of ``year``: recorded ones as they are, the rest as simulated paths."""

    year: int
    method: str  # ETS, DRIFT, … (``model`` says which ETS form)
    model: str
    recorded: tuple[bool, ...]  # per month: a recorded value
    point: np.ndarray  # (12,) recorded values and the point forecast
    raw: np.ndarray  # (paths, 12) recorded values and the model's simulated paths
    scale: float  # INTERVAL_SCALE applied to the raw spread
    lower: float | None
    upper: float | None
    history_months: int
    floor: float = 0.0  # the band's least half-width per forecast month (``band_floor``)

    @property
    def recorded_months(self) -> int:
        return sum(self.recorded)

    @property
    def complete(self) -> bool:
        return all(self.recorded)

    @property
    def paths(self) -> np.ndarray:
        paths = self.point + self.scale * (self.raw - self.point)
        if self.lower is not None or self.upper is not None:
            paths = np.clip(paths, self.lower, self.upper)
        return paths

    def rescaled(self, scale: float) -> "Forecast":
        return Forecast(self.year, self.method, self.model, self.recorded, self.point, self.raw, scale,
                        self.lower, self.upper, self.history_months, self.floor)

    def floor_of(self, aggregation: str, weights: np.ndarray | None = None) -> float:
        """The outcome's least half-width: the monthly floor of the forecast months, aggregated as
        the outcome is (a mean of 12 months carries 1/12 of each month's, a sum all of it)."""
        per_month = np.where(np.array(self.recorded), 0.0, self.floor)
        return float(aggregate(per_month[None, :], aggregation, weights)[0])

    def outcome(self, aggregation: str, weights: np.ndarray | None = None) -> Outcome:
        """The year's outcome under ``aggregation`` (or the weighted sum) with its 80 % band."""
        value = float(aggregate(self.point[None, :], aggregation, weights)[0])
        samples = np.sort(aggregate(self.paths, aggregation, weights))
        low, high = _floored(*_band(samples, value), value, self.floor_of(aggregation, weights),
                             self.lower, self.upper)
        return Outcome(value, low, high, samples)

    def months(self) -> list[tuple[int, float, float, float]]:
        """(month, point, low, high) for each forecast month."""
        paths = self.paths
        out = []
        for m in range(12):
            if not self.recorded[m]:
                point = float(self.point[m])
                low, high = _floored(*_band(paths[:, m], point), point, self.floor, self.lower, self.upper)
                out.append((m + 1, float(self.point[m]), low, high))
        return out


def _band(samples: np.ndarray, point: float) -> tuple[float, float]:
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(samples, [tail, 1 - tail])
    return float(min(low, point)), float(max(high, point))


def _floored(low: float, high: float, point: float, floor: float, lower: float | None,
             upper: float | None) -> tuple[float, float]:
    """The band widened to at least ``floor`` on each side of the point, within the bounds."""
    low, high = min(low, point - floor), max(high, point + floor)
    if lower is not None:
        low = max(low, lower)
    if upper is not None:
        high = min(high, upper)
    return low, high


def band_floor(unit: str | None, population: int | None = None, share: float | None = None) -> float:
    """The least half-width of a forecast month's 80 % band, following how the figure is measured:
    ``MEASUREMENT_FLOOR`` by unit (0 for an unknown unit); for a percentage of a known
    ``population`` the sampling noise of a share ``share`` % of it (binomial, at the 80 % level) if
    that is larger. No store holds populations yet: the binomial floor waits for one."""
    floor = MEASUREMENT_FLOOR.get(unit or "", 0.0)
    if unit == "procent" and population and share is not None:
        from scipy import stats

        p = min(max(share / 100, 0.0), 1.0)
        z = stats.norm.ppf(1 - (1 - LEVEL) / 2)
        floor = max(floor, 100 * z * math.sqrt(max(p * (1 - p), 1 / population) / population))
    return floor


def monthly_series(values: dict[str, float] | pd.Series, up_to: str | pd.Period | None = None) -> pd.Series:
    """A monthly Series (PeriodIndex, freq M) from month keys → values, sorted, without gaps:
    a missing month inside the history is interpolated linearly. With ``up_to`` (a month) the
    values after it are dropped *before* the gaps are filled, so a gap at a forecast origin is
    never filled from a later value (the series then ends at the last month recorded by then)."""
    series = pd.Series(values, dtype=float).dropna()
    if series.empty:
        return pd.Series(dtype=float, index=pd.PeriodIndex([], freq="M"))
    if not isinstance(series.index, pd.PeriodIndex):
        series.index = pd.PeriodIndex([str(k) for k in series.index], freq="M")
    series = series.sort_index()
    if up_to is not None:
        series = series[series.index <= pd.Period(up_to, freq="M")]
        if series.empty:
            return pd.Series(dtype=float, index=pd.PeriodIndex([], freq="M"))
    series = series[~series.index.duplicated(keep="last")]
    full = pd.period_range(series.index[0], series.index[-1], freq="M")
    return series.reindex(full).interpolate()


def forecast_year(history: pd.Series, year: int, *, method: str | None = None, lower: float | None = 0.0,
                  upper: float | None = None, simulations: int = SIMULATIONS, seed: int = 0,
                  scale: float | None = None, floor: float = 0.0) -> Forecast | None:
    """Forecast the twelve months of ``year`` from ``history`` (monthly values up to the forecast
    origin, e.g. from ``monthly_series``). None when the history is too short (fewer than
    ``MIN_MONTHS`` months) or ends more than ``MAX_GAP_MONTHS`` before the year.

    ``method`` None is the engine's own choice (ETS, the last value when short); ``lower``/``upper``
    bound the simulated values (counts and shares are never negative); ``seed`` makes the
    simulation repeatable; ``scale`` overrides ``INTERVAL_SCALE`` (the backtest uses 1); ``floor``
    is the band's least half-width per month (``band_floor`` of the indicator's unit)."""
    y = monthly_series(history, up_to=f"{year}-12")
    first = pd.Period(f"{year}-01", freq="M")
    in_year = {p.month: float(v) for p, v in y[y.index >= first].items()}
    recorded = tuple(m in in_year for m in range(1, 13))
    if all(recorded):
        point = np.array([in_year[m] for m in range(1, 13)])
        return Forecast(year, KNOWN, KNOWN, recorded, point, point[None, :], 1.0, lower, upper, len(y), 0.0)
    if len(y) < MIN_MONTHS:
        return None
    last = y.index[-1]
    steps = (pd.Period(f"{year}-12", freq="M") - last).n
    if steps - 12 > MAX_GAP_MONTHS:
        return None
    if method is None or (method == ETS and len(y) < ETS_MONTHS):
        method = ETS if len(y) >= ETS_MONTHS else LAST_VALUE
    rng = np.random.default_rng(seed)
    values = y.to_numpy(dtype=float)
    if y.index[0] > first:
        return None  # the history starts inside the year: its first months are unknown
    model, path, sims = _METHODS[method](values, steps, rng, simulations)
    if path is None:
        return None
    # Step s is the month s after the last recorded one; the year's unrecorded months are the
    # last 12 - (months recorded) steps (earlier steps bridge a gap before January).
    point = np.empty(12)
    raw = np.empty((sims.shape[0], 12))
    for m in range(1, 13):
        if recorded[m - 1]:
            point[m - 1] = raw[:, m - 1] = in_year[m]
        else:
            s = (pd.Period(f"{year}-{m:02d}", freq="M") - last).n
            point[m - 1], raw[:, m - 1] = path[s - 1], sims[:, s - 1]
    if lower is not None or upper is not None:
        point = np.clip(point, lower, upper)
    return Forecast(year, method, model, recorded, point, raw,
                    INTERVAL_SCALE.get(method, 1.0) if scale is None else scale, lower, upper, len(values), floor)


# --- methods: (values, steps, rng, simulations) → (model name, point path, simulated paths) --------


def _ets(values: np.ndarray, steps: int, rng: np.random.Generator, simulations: int):
    """The ETS form with the lowest AICc among the candidates the history allows."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    best = None
    for name, spec in _ETS_SPECS.items():
        if spec["seasonal"] and len(values) < SEASONAL_MONTHS:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = ExponentialSmoothing(values, initialization_method="heuristic", **spec).fit(use_brute=False)
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.isfinite(fit.aicc) and (best is None or fit.aicc < best[1].aicc):
            best = (name, fit)
    if best is None:
        return _last_value(values, steps, rng, simulations)
    name, fit = best
    path = np.asarray(fit.forecast(steps), dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sims = np.asarray(fit.simulate(steps, anchor="end", repetitions=simulations, error="add", rng=rng),
                          dtype=float).reshape(steps, simulations).T
    return f"ETS {name}", path, sims


def _random_walk(start: float, steps: int, sigma: float, drift: np.ndarray | float, rng, simulations: int):
    shocks = rng.normal(0.0, sigma, size=(simulations, steps))
    drift = np.asarray(drift, dtype=float).reshape(-1, 1) if np.ndim(drift) else drift
    return start + np.cumsum(shocks + drift, axis=1)


def _sigma(diffs: np.ndarray) -> float:
    return float(np.std(diffs, ddof=1)) if len(diffs) > 1 else 0.0


def _drift(values: np.ndarray, steps: int, rng, simulations: int):
    """The average monthly change so far carried on; the simulation also varies the drift by its
    standard error."""
    diffs = np.diff(values)
    drift = float(diffs.mean()) if len(diffs) else 0.0
    sigma = _sigma(diffs)
    path = values[-1] + drift * np.arange(1, steps + 1)
    drifts = drift + rng.normal(0.0, sigma / np.sqrt(max(len(diffs), 1)), size=simulations)
    return "drift", path, _random_walk(values[-1], steps, sigma, drifts, rng, simulations)


def _last_value(values: np.ndarray, steps: int, rng, simulations: int):
    """Baseline: the last value carried forward (a random walk for the interval)."""
    path = np.full(steps, values[-1])
    return "senaste värdet", path, _random_walk(values[-1], steps, _sigma(np.diff(values)), 0.0, rng, simulations)


def _same_month(values: np.ndarray, steps: int, rng, simulations: int):
    """Baseline: each month as the same month a year earlier (seasonal naive); the spread is that
    of past year-on-year changes. Needs 12 months of history."""
    if len(values) < 12:
        return "samma månad förra året", None, None
    ext = list(values)
    for _ in range(steps):
        ext.append(ext[-12])
    path = np.array(ext[len(values):])
    yoy = values[12:] - values[:-12]
    sigma = _sigma(yoy) if len(yoy) > 1 else _sigma(np.diff(values)) * np.sqrt(12)
    years_ahead = (np.arange(steps) // 12 + 1).astype(float)
    sims = path + rng.normal(0.0, sigma, size=(simulations, steps)) * np.sqrt(years_ahead)
    return "samma månad förra året", path, sims


def _run_rate(values: np.ndarray, steps: int, rng, simulations: int):
    from asn_dash.rules import baselines

    return baselines.run_rate(values, steps, rng, simulations)


def _scaled_same_month(values: np.ndarray, steps: int, rng, simulations: int):
    from asn_dash.rules import baselines

    return baselines.scaled_same_month(values, steps, rng, simulations)


_METHODS = {ETS: _ets, DRIFT: _drift, SAME_MONTH: _same_month, LAST_VALUE: _last_value, RUN_RATE: _run_rate,
            SCALED_SAME_MONTH: _scaled_same_month}


# --- tertial indicators ---------------------------------------------------------------------------


def tertial_outcome(values: dict[str, float], year: int, *, lower: float | None = 0.0, upper: float | None = None,
                    simulations: int = SIMULATIONS, seed: int = 0, scale: float | None = None) -> Outcome | None:
    """The year's value of an indicator reported per tertial (``2025-T1``, ``2025-T2``, ``2025``)
    from the year's latest tertial: that value plus the average change from the same tertial to
    the full year in earlier years, with a t-based 80 % prediction interval. Needs that tertial
    and the year value for at least two earlier years."""
    from scipy import stats

    if str(year) in values:
        v = float(values[str(year)])
        return Outcome(v, v, v, np.array([v]))
    latest = next((t for t in (2, 1) if f"{year}-T{t}" in values), None)
    if latest is None:
        return None
    changes = np.array([values[str(y)] - values[f"{y}-T{latest}"] for y in range(year - 10, year)
                        if str(y) in values and f"{y}-T{latest}" in values], dtype=float)
    if len(changes) < 2:
        return None
    n = len(changes)
    k = INTERVAL_SCALE.get(TERTIAL, 1.0) if scale is None else scale
    value = float(values[f"{year}-T{latest}"] + changes.mean())
    spread = changes.std(ddof=1) * np.sqrt(1 + 1 / n) * k
    rng = np.random.default_rng(seed)
    samples = np.sort(value + spread * rng.standard_t(n - 1, size=simulations))
    if lower is not None or upper is not None:
        samples = np.clip(samples, lower, upper)
    half = stats.t.ppf(1 - (1 - LEVEL) / 2, n - 1) * spread
    low, high = value - half, value + half
    if lower is not None:
        low = max(low, lower)
    if upper is not None:
        high = min(high, upper)
    return Outcome(value, float(low), float(high), samples)


def days_in_months(year: int) -> np.ndarray:
    return np.array([calendar.monthrange(year, m)[1] for m in range(1, 13)], dtype=float)
