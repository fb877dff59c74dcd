"""Out-of-sample calibration and the choice of method: each year's band factor and method come from
earlier years only, and a factor found with later years is caught."""

import numpy as np
import pandas as pd
import pytest

from asn_dash.rules import backtest as bt
from asn_dash.rules import calibration as cal
from asn_dash.rules import forecast as fc


def case(year, ratio=1.0, point=10.0, actual=10.0, half=1.0, series="s", origin=4):
    return bt.Case(year, origin, actual, point, 0.0, 0.0, ratio, "x", half=half, series=series)


def test_conformal_factor_holds_a_new_case_at_least_eighty_percent():
    assert cal.conformal_scale([0.1 * n for n in range(1, 10)]) == pytest.approx(0.8)  # 8th of 9: ⌈10·0.8⌉
    assert cal.conformal_scale([1.0, 2.0, 3.0, 4.0]) == 4.0  # ⌈5·0.8⌉ = 4th of 4
    assert cal.conformal_scale([1.0, 2.0, 3.0]) is None  # too few: the prior
    prior = cal.calibrate([case(2020), case(2021)], 2022, 1.0)
    assert prior.prior and prior.factor == 1.0 and prior.from_years == (2020, 2021)


def test_a_band_scaled_by_the_outcome_and_its_floor():
    c = case(2020, point=10.0, actual=12.0, half=1.0)
    assert not cal.covered(c, 1.5) and cal.covered(c, 2.0)
    assert cal.covered(bt.Case(2020, 4, 10.5, 10.0, 0, 0, float("inf"), "x", half=0.0, floor=0.5), 1.0)


def test_the_choice_uses_earlier_years_and_prefers_the_simpler_of_equals():
    def cases(errors):  # year → absolute error, on an outcome of 100
        return [bt.Case(y, o, 100.0, 100.0 + e, 0, 0, 1.0, "x") for y, e in errors.items() for o in (4, 8)]

    by_method = {fc.ETS: cases({2020: 3.0, 2021: 3.0, 2022: 9.0}),
                 fc.RUN_RATE: cases({2020: 3.1, 2021: 3.1, 2022: 1.0}),
                 fc.LAST_VALUE: cases({2020: 5.0, 2021: 5.0, 2022: 5.0})}
    first = cal.choose(by_method, 2020)
    assert first.method == fc.ETS and "ingen tidigare prognos" in first.reason  # no record: the default
    # 2021 and 2022: the run rate is within 5 % of ETS on the years before, and simpler: it wins.
    assert cal.choose(by_method, 2022).method == fc.RUN_RATE
    assert cal.choose(by_method, 2022).reason == "lika träffsäker som den bästa på tidigare år och enklare"
    # 2022's outcome is not known when 2022 is forecast: it cannot sway that year's choice …
    assert cal.choose({m: [c for c in cs if c.year < 2022] for m, cs in by_method.items()}, 2022) == \
        cal.choose(by_method, 2022)
    # … but decides the next year's.
    assert cal.choose(by_method, 2023).errors[fc.ETS] == pytest.approx(5.0)


def growing_volatility_cases(seed: int) -> list:
    """Last-value forecasts of random walks whose monthly steps grow year by year: the raw band,
    fitted on the whole history, is ever too narrow, so later cases miss by more."""
    rng = np.random.default_rng(seed)
    idx = pd.period_range("2012-01", "2024-12", freq="M")
    out = []
    for n in range(6):
        steps = rng.normal(0, 1, len(idx)) * (1 + 0.4 * (idx.year - 2012))
        months = {str(p): float(v) for p, v in zip(idx, 1000 + np.cumsum(steps))}
        out += bt.series_cases(months, "mean", fc.LAST_VALUE, lower=None, series=f"s{n}")
    return out


def test_a_band_calibrated_with_later_years_fails_the_nested_check():
    cases = growing_volatility_cases(5)
    years = sorted({c.year for c in cases})
    nested = [cal.calibrate(cases, y, 1.0) for y in years]
    leaked = [cal.calibrate(cases, y, 1.0, using=cases) for y in years]  # every year's cases, later ones too
    assert cal.leaks(nested) == []
    assert cal.leaks(leaked) == years  # every year's factor used its own outcome and later ones

    def coverage(calibrations):
        by_year = {c.year: c.factor for c in calibrations}
        return np.mean([cal.covered(c, by_year[c.year]) for c in cases])

    # In sample the band looks right by construction; lived year by year it holds far less: the
    # leak hides exactly the miss that matters.
    assert coverage(leaked) >= 0.8
    assert coverage(nested) < 0.75
    # The record the product reports is the nested one.
    record = cal.nested({fc.LAST_VALUE: cases})
    assert cal.leaks(record.calibrations[fc.LAST_VALUE].values()) == []
    assert cal.leaks(record.product_calibrations.values()) == []
    assert record.product_inside() == pytest.approx(coverage(nested) * len(cases), abs=len(cases) * 0.05)
