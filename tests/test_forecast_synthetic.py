"""The band's coverage out of sample on synthetic processes of several kinds, most unlike the demo
generator's smooth level + season + noise: random walk, AR(1), a level shift, a seasonal random
walk, and that smooth seasonal series. Each series is scored as the product scores an indicator
(``backtest.track_record``: per year the method and band factor from the earlier years only) and
the 80 % band must hold 70–90 % of the outcomes for each kind. The fast methods only (no ETS) and
fixed seeds, to keep the run short."""

import numpy as np
import pandas as pd
import pytest

from asn_dash.rules import backtest as bt
from asn_dash.rules import forecast as fc

FAST = (fc.RUN_RATE, fc.SCALED_SAME_MONTH, fc.SAME_MONTH, fc.LAST_VALUE)
SERIES = 8
IDX = pd.period_range("2015-01", "2024-12", freq="M")  # ten years: nine scored, each from April and August


def random_walk(rng, n):
    return 100 + np.cumsum(rng.normal(0, 3, n))


def ar1(rng, n):
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = 0.7 * x[t - 1] + rng.normal(0, 5)
    return 100 + x


def level_shift(rng, n):
    shift = rng.integers(n // 3, n - 12)
    return 100 + rng.normal(0, 3, n) + np.where(np.arange(n) >= shift, rng.choice([-20, 20]), 0)


def seasonal_random_walk(rng, n):
    y = list(100 + 15 * rng.normal(0, 1, 12))
    for t in range(12, n):
        y.append(y[t - 12] + rng.normal(0, 2))
    return np.array(y)


def smooth_seasonal(rng, n):  # the demo generator's form
    t = np.arange(n)
    return 100 + 0.2 * t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 3, n)


KINDS = {"random walk": random_walk, "AR(1)": ar1, "level shift": level_shift,
         "seasonal random walk": seasonal_random_walk, "smooth seasonal + noise": smooth_seasonal}


def nested_coverage(kind, seed: int) -> tuple[int, int]:
    rng = np.random.default_rng(seed)
    inside = cases = 0
    for _ in range(SERIES):
        values = KINDS[kind](rng, len(IDX))
        record = bt.track_record({str(p): float(v) for p, v in zip(IDX, values)}, "mean", 2025, lower=None,
                                 methods=FAST)
        inside, cases = inside + record.inside, cases + record.cases
    return inside, cases


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_band_holds_70_to_90_percent_out_of_sample(kind):
    inside, cases = nested_coverage(kind, seed=list(KINDS).index(kind) + 1)
    assert cases == SERIES * 9 * 2
    assert 0.70 <= inside / cases <= 0.90, (kind, inside, cases)
