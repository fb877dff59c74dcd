"""The forecast engine on series whose year outcome is known from the maths."""

import math

import numpy as np
import pandas as pd
import pytest

from asn_dash.rules import forecast as fc
from asn_dash.rules.targets import parse_target


def months(first: str, last: str) -> pd.PeriodIndex:
    return pd.period_range(first, last, freq="M")


def linear(first="2021-01", last="2025-04", start=100.0, step=2.0) -> pd.Series:
    idx = months(first, last)
    return pd.Series(start + step * np.arange(len(idx)), index=idx)


def seasonal(first="2021-01", last="2025-04") -> pd.Series:
    idx = months(first, last)
    return pd.Series([50 + 10 * math.sin(2 * math.pi * p.month / 12) for p in idx], index=idx)


def test_drift_continues_a_line_exactly_with_no_spread():
    # 2021-01 = 100, +2 a month: 2025-m is 100 + 2 * (47 + m); the 2025 mean is 207, December 218.
    f = fc.forecast_year(linear(), 2025, method=fc.DRIFT)
    assert f.recorded_months == 4 and f.method == fc.DRIFT
    mean = f.outcome("mean")
    assert mean.value == pytest.approx(207.0) and mean.low == pytest.approx(207.0) and mean.high == pytest.approx(207.0)
    assert f.outcome("last").value == pytest.approx(218.0)
    assert f.outcome("sum").value == pytest.approx(12 * 207.0)
    assert [m for m, *_ in f.months()] == list(range(5, 13))


def test_recorded_months_are_kept_and_only_the_rest_forecast():
    history = linear()
    f = fc.forecast_year(history, 2025)
    assert list(f.point[:4]) == list(history["2025-01":"2025-04"])
    assert (f.paths[:, :4] == f.point[:4]).all()  # no spread on what is known
    assert (f.paths[:, 4:].std(axis=0) >= 0).all()


def test_ets_follows_a_line_closely():
    f = fc.forecast_year(linear(), 2025)
    assert f.method == fc.ETS and f.model.startswith("ETS")
    assert f.outcome("mean").value == pytest.approx(207.0, rel=1e-3)


def test_pure_seasonal_series_is_reproduced_by_ets_and_by_the_same_month_baseline():
    truth = np.array([50 + 10 * math.sin(2 * math.pi * m / 12) for m in range(1, 13)])
    for method in (None, fc.SAME_MONTH):
        f = fc.forecast_year(seasonal(), 2025, method=method)
        assert f.point == pytest.approx(truth, abs=1e-6)
        out = f.outcome("mean")
        assert out.value == pytest.approx(50.0, abs=1e-6)
        assert out.high - out.low == pytest.approx(0.0, abs=1e-6)
    assert fc.forecast_year(seasonal(), 2025).model in ("ETS ANA", "ETS AAdA")  # two full years: seasonal


def test_short_series_fall_back():
    assert fc.forecast_year(linear("2025-01", "2025-02"), 2025) is None  # too short to model
    six = fc.forecast_year(linear("2024-11", "2025-04"), 2025)  # 100 … 110: the last value, 110, carried on
    assert six.method == fc.LAST_VALUE and six.outcome("last").value == pytest.approx(110)
    assert six.outcome("mean").value == pytest.approx((104 + 106 + 108 + 110 * 9) / 12)
    eighteen = fc.forecast_year(linear("2024-01", "2025-06"), 2025)
    assert eighteen.method == fc.ETS and eighteen.model in ("ETS ANN", "ETS AAdN")  # no seasonal form yet
    assert fc.forecast_year(linear("2025-03", "2025-08"), 2025) is None  # the year's first months unknown
    assert fc.forecast_year(linear("2020-01", "2023-06"), 2025) is None  # history ends too long before


def test_a_complete_year_is_its_outcome():
    history = linear("2023-01", "2025-12")
    f = fc.forecast_year(history, 2025)
    assert f.method == fc.KNOWN and f.complete
    out = f.outcome("mean")
    assert out.value == out.low == out.high == pytest.approx(history["2025-01":"2025-12"].mean())


def test_gaps_inside_the_history_are_interpolated():
    history = linear().drop([pd.Period("2024-06", freq="M"), pd.Period("2025-02", freq="M")])
    f = fc.forecast_year(history, 2025, method=fc.DRIFT)
    assert f.recorded_months == 4 and f.point[1] == pytest.approx(100 + 2 * 49)
    assert f.outcome("mean").value == pytest.approx(207.0)


def test_bounds_keep_simulated_values_in_range():
    idx = months("2022-01", "2025-04")
    rng = np.random.default_rng(1)
    history = pd.Series(np.clip(1 + rng.normal(0, 1.5, len(idx)), 0, None), index=idx)
    f = fc.forecast_year(history, 2025, lower=0.0)
    assert f.paths.min() >= 0.0
    share = pd.Series(np.clip(98 + rng.normal(0, 3, len(idx)), 0, 100), index=idx)
    assert fc.forecast_year(share, 2025, lower=0.0, upper=100.0).paths.max() <= 100.0


def test_the_band_narrows_as_the_year_is_recorded_and_the_scale_widens_it():
    idx = months("2020-01", "2025-12")
    rng = np.random.default_rng(7)
    history = pd.Series(200 + np.cumsum(rng.normal(0, 3, len(idx))), index=idx)
    april = fc.forecast_year(history[:"2025-04"], 2025, method=fc.LAST_VALUE).outcome("mean")
    august = fc.forecast_year(history[:"2025-08"], 2025, method=fc.LAST_VALUE).outcome("mean")
    assert august.width < april.width
    f = fc.forecast_year(history[:"2025-04"], 2025, method=fc.LAST_VALUE, scale=1.0)
    wide = f.rescaled(2.0).outcome("mean")
    narrow = f.outcome("mean")
    assert wide.value == narrow.value
    assert wide.width == pytest.approx(2 * narrow.width, rel=1e-9)


def test_same_seed_same_forecast():
    a = fc.forecast_year(seasonal() + linear() / 10, 2025).outcome("mean")
    b = fc.forecast_year(seasonal() + linear() / 10, 2025).outcome("mean")
    assert (a.value, a.low, a.high) == (b.value, b.low, b.high)


def outcome(samples):
    samples = np.sort(np.asarray(samples, dtype=float))
    return fc.Outcome(float(np.median(samples)), float(samples[0]), float(samples[-1]), samples)


def test_probability_per_rule_kind():
    out = outcome(np.arange(1, 101))  # 1 … 100, each once
    assert out.probability(parse_target("högst 25")) == pytest.approx(0.25)
    assert out.probability(parse_target("minst 91")) == pytest.approx(0.10)
    assert out.probability(parse_target("minska jämfört med 2024"), 40) == pytest.approx(0.39)  # < 40
    assert out.probability(parse_target("öka jämfört med 2024"), 40) == pytest.approx(0.60)  # > 40
    assert out.probability(parse_target("behålla eller öka jämfört med 2024"), 40) == pytest.approx(0.61)
    assert out.probability(parse_target("minska jämfört med 2024"), None) is None
    assert outcome([-3, -1, 0, 2]).probability(parse_target("inom budget (gul under 2 %)")) == pytest.approx(0.5)
    assert out.probability(parse_target("manuell")) is None
    assert out.probability(parse_target("kvartil")) is None


def test_weighted_outcome_is_a_cost():
    f = fc.forecast_year(linear("2023-01", "2025-12", start=5, step=0), 2025)
    days = fc.days_in_months(2025)
    assert days.sum() == 365
    cost = f.outcome("sum", weights=days * 1000.0)  # 5 a day all year at 1 000 kr
    assert cost.value == pytest.approx(5 * 365 * 1000)


def test_tertial_indicator_from_its_latest_tertial():
    # Earlier years: the full year was 1.0 and 2.0 above T2 → +1.5 on average.
    values = {"2023-T2": 10.0, "2023": 11.0, "2024-T2": 9.0, "2024": 11.0, "2025-T1": 8.0, "2025-T2": 7.0}
    out = fc.tertial_outcome(values, 2025)
    assert out.value == pytest.approx(8.5)
    assert out.low < 8.5 < out.high
    assert fc.tertial_outcome({"2025-T2": 7.0, "2024-T2": 9.0, "2024": 11.0}, 2025) is None  # one earlier year
    assert fc.tertial_outcome({**values, "2025": 9.9}, 2025).value == 9.9  # the year is reported


def test_monthly_series_from_keys():
    s = fc.monthly_series({"2025-03": 3.0, "2025-01": 1.0})
    assert list(s.index.astype(str)) == ["2025-01", "2025-02", "2025-03"]
    assert s.iloc[1] == pytest.approx(2.0)
