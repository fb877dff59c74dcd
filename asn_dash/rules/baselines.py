"""The baselines an analyst uses first, as forecast methods (``forecast._METHODS`` signature:
values up to the origin, steps to December of the forecast year, rng, simulations → model name,
point path, simulated paths). The number of the year's months already recorded is
``12 - steps`` (the series is gap-free up to the origin; more than 12 steps means none).

* ``run_rate``: the year-to-date run rate. Every month still to come is the mean of the year's
  months so far, so the year's mean is the mean so far and its sum the sum so far carried to
  twelve months (for the December value too: the mean so far). With no month of the year yet,
  the mean of the last twelve months.
* ``scaled_same_month``: each month to come as the same month last year, scaled by how the year
  so far compares with the same months last year (sum so far / sum of those months); additive
  (the difference of the means) when a value can be zero or negative.

The simulated paths are random walks around the point path with the spread of the month-to-month
changes (of the year-on-year differences for the seasonal one); the track record calibrates their
width (``asn_dash.rules.calibration``).
"""

from __future__ import annotations

import numpy as np

RUN_RATE_NAME = "årets takt hittills"
SCALED_NAME = "samma månad förra året × årets utveckling"


def _sigma(diffs: np.ndarray) -> float:
    return float(np.std(diffs, ddof=1)) if len(diffs) > 1 else 0.0


def _walk(path: np.ndarray, sigma: float, rng, simulations: int) -> np.ndarray:
    return path + np.cumsum(rng.normal(0.0, sigma, size=(simulations, len(path))), axis=1)


def year_to_date(values: np.ndarray, steps: int) -> np.ndarray:
    """The forecast year's months recorded so far (the last ``12 - steps`` values)."""
    k = max(0, 12 - steps)
    return values[len(values) - k:] if k else values[:0]


def run_rate(values: np.ndarray, steps: int, rng, simulations: int):
    ytd = year_to_date(values, steps)
    level = float(ytd.mean()) if len(ytd) else float(values[-12:].mean())
    path = np.full(steps, level)
    return RUN_RATE_NAME, path, _walk(path, _sigma(np.diff(values)), rng, simulations)


def scaled_same_month(values: np.ndarray, steps: int, rng, simulations: int):
    if len(values) < 12:
        return SCALED_NAME, None, None
    ext = list(values)
    for _ in range(steps):
        ext.append(ext[-12])
    path = np.array(ext[len(values):], dtype=float)
    ytd = year_to_date(values, steps)
    k = len(ytd)
    if k and len(values) >= 12 + k:
        before = values[len(values) - 12 - k:len(values) - 12]
        if (values >= 0).all() and before.sum() > 0:
            path = path * (ytd.sum() / before.sum())
        else:
            path = path + (ytd.mean() - before.mean())
    yoy = values[12:] - values[:-12]
    sigma = _sigma(np.diff(yoy)) if len(yoy) > 2 else _sigma(np.diff(values))
    return SCALED_NAME, path, _walk(path, sigma, rng, simulations)
