"""Out-of-sample calibration of the forecast band and the choice of method, from a track record.

A forecast of year Y made in April or August of Y is scored when Y is over. So for the forecasts
of year Y, the band's factor and the method may be chosen only from cases of the years before Y:
their outcomes were known by then (nested, rolling origin). Pure functions on backtest cases.

* The factor is the split-conformal quantile of the earlier cases' ratios (the miss in half-widths
  of the raw band): the ⌈(n + 1)·0.8⌉-th smallest of n, which holds at least 80 % of a new case
  when cases are exchangeable. The product's band is calibrated on the product's own earlier
  cases (whichever method was chosen then; each of those was out of sample), so that a method
  chosen for a lucky record does not also get a band narrowed by the same luck; with fewer than
  ``MIN_CASES`` of them, on the chosen method's earlier cases; with fewer still, the model's own
  band (factor 1, ``PRIOR``), marked as such.
* The method is the one with the lowest error on the earlier cases they all have (MAPE, or the
  mean absolute error when no case has a percentage error); a method within ``AS_ACCURATE`` of
  the best counts as as accurate, and of those the simplest wins (``SIMPLICITY``). Without
  earlier cases: the engine's default, ETS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from asn_dash.rules.forecast import (
    DRIFT,
    ETS,
    LAST_VALUE,
    LEVEL,
    RUN_RATE,
    SAME_MONTH,
    SCALED_SAME_MONTH,
)

MIN_CASES = 4
AS_ACCURATE = 0.05  # relative: an error at most 5 % above the best is as accurate
SIMPLICITY = (LAST_VALUE, RUN_RATE, SAME_MONTH, SCALED_SAME_MONTH, DRIFT, ETS)  # simplest first
DEFAULT = ETS
# Without enough earlier real cases the band is the model's own simulated one (factor 1): the
# factors once fitted on exempeldata are not used for real figures.
PRIOR: dict[str, float] = {}


@dataclass(frozen=True)
class Calibration:
    """The band factor for the forecasts of ``year`` and the case years it was found on."""

    year: int
    factor: float
    from_years: tuple[int, ...]
    prior: bool  # too few earlier cases: the shipped prior


@dataclass(frozen=True)
class Choice:
    year: int
    method: str
    reason: str  # Swedish, for the page and the CLI
    errors: dict  # method → its error on the earlier cases (None without a record)


def conformal_scale(ratios, level: float = LEVEL) -> float | None:
    """The factor that holds ``level`` of a new case (split conformal); None when too few."""
    ratios = sorted(float(r) for r in ratios)
    rank = math.ceil((len(ratios) + 1) * level)
    if len(ratios) < MIN_CASES or rank > len(ratios):
        return None
    return ratios[rank - 1]


def calibrate(cases: list, year: int, prior: float, *, using: list | None = None) -> Calibration:
    """The factor for ``year``'s forecasts from the cases of earlier years (``using`` overrides
    which cases are used: only the leakage test passes it)."""
    used = [c for c in cases if c.year < year] if using is None else using
    k = conformal_scale([c.ratio for c in used])
    years = tuple(sorted({c.year for c in used}))
    return Calibration(year, prior, years, True) if k is None else Calibration(year, k, years, False)


def leaks(calibrations) -> list[int]:
    """The years whose factor was found on cases of that year or later: not out of sample."""
    return sorted({c.year for c in calibrations if any(y >= c.year for y in c.from_years)})


def covered(case, factor: float) -> bool:
    """Is the outcome inside the band scaled by ``factor`` (and at least the measurement floor)?"""
    return bool(abs(case.actual - case.point) <= max(factor * case.half, case.floor) + 1e-12)


def error(cases: list) -> float | None:
    """MAPE of the cases with a percentage error, else their mean absolute error."""
    apes = [c.ape for c in cases if c.ape is not None]
    if apes:
        return float(np.mean(apes))
    return float(np.mean([abs(c.point - c.actual) for c in cases])) if cases else None


def _key(c) -> tuple:
    return (c.series, c.year, c.origin)


def choose(by_method: dict[str, list], year: int) -> Choice:
    """The method for ``year``'s forecasts from the earlier years' cases (see the module doc)."""
    earlier = {m: {_key(c): c for c in cases if c.year < year} for m, cases in by_method.items()}
    base = earlier.get(DEFAULT) or max(earlier.values(), key=len, default={})
    if not base:
        default = DEFAULT if DEFAULT in by_method or not by_method else next(iter(by_method))
        return Choice(year, default, "ingen tidigare prognos att mäta mot; standardmetoden används", {})
    keys = set(base)
    errors = {m: (error([cs[k] for k in keys]) if keys <= set(cs) else None) for m, cs in earlier.items()}
    ranked = {m: e for m, e in errors.items() if e is not None}
    best = min(ranked.values())
    tied = [m for m in SIMPLICITY if m in ranked and ranked[m] <= best * (1 + AS_ACCURATE) + 1e-12]
    method = tied[0] if tied else min(ranked, key=ranked.get)
    if ranked[method] == best and len(tied) == 1:
        reason = "lägst fel på tidigare år"
    elif ranked[method] == best:
        reason = "lägst fel på tidigare år, och enklast av de lika träffsäkra"
    else:
        reason = "lika träffsäker som den bästa på tidigare år och enklare"
    return Choice(year, method, reason, errors)


@dataclass(frozen=True)
class Nested:
    """The record as it would have been lived: per year the method and factors known then."""

    choices: dict[int, Choice]
    calibrations: dict[str, dict[int, Calibration]]  # method → year → factor on that method's earlier cases
    product: list  # the chosen method's case per (series, year, origin)
    product_calibrations: dict[int, Calibration]  # year → the factor the product's band had then

    def inside(self, method: str, cases: list) -> int:
        return sum(covered(c, self.calibrations[method][c.year].factor) for c in cases)

    def product_inside(self) -> int:
        return sum(covered(c, self.product_calibrations[c.year].factor) for c in self.product)


def _product_calibration(product: list, year: int, method_cases: list, prior: float) -> Calibration:
    """The band factor of the product (the chosen methods' forecasts) for ``year``: from the
    product's own earlier cases, whose ratios were all out of sample, so a method that merely got
    lucky in the years that chose it does not also narrow its band on that luck; with too few of
    them, from the chosen method's earlier cases; else the prior."""
    own = calibrate(product, year, prior)
    if not own.prior:
        return own
    return calibrate(method_cases, year, prior)


def nested(by_method: dict[str, list], prior: dict[str, float] | None = None) -> Nested:
    """Choose and calibrate every year of the record from its earlier years only."""
    prior = PRIOR if prior is None else prior
    years = sorted({c.year for cases in by_method.values() for c in cases})
    choices = {y: choose(by_method, y) for y in years}
    calibrations = {m: {y: calibrate(cases, y, prior.get(m, 1.0)) for y in years} for m, cases in by_method.items()}
    product = [c for y in years for c in by_method.get(choices[y].method, []) if c.year == y]
    product_calibrations = {
        y: _product_calibration(product, y, by_method.get(choices[y].method, []), prior.get(choices[y].method, 1.0))
        for y in years}
    return Nested(choices, calibrations, product, product_calibrations)


def plan_factor(record: Nested, by_method: dict[str, list], method: str, year: int,
                prior: dict[str, float] | None = None) -> Calibration:
    """The factor for the forecasts of ``year`` (after every year of the record) by ``method``."""
    prior = PRIOR if prior is None else prior
    return _product_calibration(record.product, year, by_method.get(method, []), prior.get(method, 1.0))
