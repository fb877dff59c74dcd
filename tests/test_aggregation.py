"""Period aggregation: sums, means, last values, R12 across a year boundary, partial periods."""

import pytest

from asn_dash.rules.aggregation import Obs, period_value
from asn_dash.rules.periods import parse_key


def monthly(values: dict[str, float], source="uppladdning"):
    return {k: Obs(v, None, source) for k, v in values.items()}


def months(year, values, first=1):
    return {f"{year}-{m:02d}": v for m, v in enumerate(values, start=first)}


def test_mean_sum_last_over_a_tertial():
    obs = monthly(months(2025, [10, 20, 30, 40]))
    t1 = parse_key("2025-T1")
    assert period_value(obs, t1, "mean").value == 25
    assert period_value(obs, t1, "sum").value == 100
    assert period_value(obs, t1, "last").value == 40


def test_stored_period_value_wins_over_months():
    obs = monthly({**months(2025, [380] * 8), "2025-T2": 389})
    pv = period_value(obs, parse_key("2025-T2"), "mean")
    assert pv.value == 389 and not pv.partial and not pv.is_fallback


def test_r12_across_a_year_boundary():
    obs = monthly({**months(2024, [1.0] * 12), **months(2025, [2.0] * 12)})
    pv = period_value(obs, parse_key("2025-03"), "r12")
    # Apr–Dec 2024 (9 × 1.0) and Jan–Mar 2025 (3 × 2.0)
    assert pv.value == pytest.approx((9 * 1.0 + 3 * 2.0) / 12)
    assert pv.months_expected == 12 and pv.months_reported == 12
    assert period_value(obs, parse_key("2025-T2"), "r12").value == pytest.approx((4 + 16) / 12)


def test_r12_ignores_a_months_own_value_but_keeps_a_reported_r12():
    obs = monthly({**months(2024, [6.0] * 12), **months(2025, [4.0] * 8), "2025-T2": 5.69})
    assert period_value(obs, parse_key("2025-08"), "r12").value == pytest.approx((4 * 6 + 8 * 4) / 12)
    assert period_value(obs, parse_key("2025-T2"), "r12").value == 5.69


def test_partial_period_is_flagged():
    obs = monthly(months(2025, [100, 110, 120]))
    pv = period_value(obs, parse_key("2025-T2"), "mean")
    assert pv.value == 110 and pv.partial and (pv.months_reported, pv.months_expected) == (3, 8)


def test_not_yet_reported_period_has_no_value():
    obs = monthly(months(2025, [100, 110, 120]))
    assert period_value(obs, parse_key("2025-09"), "mean") is None
    assert period_value(obs, parse_key("2026-T1"), "mean") is None


def test_tertial_indicator_falls_back_to_the_latest_tertial_of_the_year():
    obs = monthly({"2025-T1": 10.57, "2025-T2": 9.85, "2024": 8.9})
    pv = period_value(obs, parse_key("2025-06"), "last", frequency="tertial")
    assert pv.value == 10.57 and pv.as_of.key == "2025-T1" and pv.is_fallback
    assert period_value(obs, parse_key("2025-03"), "last", frequency="tertial") is None


def test_yearly_indicator_falls_back_to_an_earlier_year():
    obs = monthly({"2019": 14, "2021": 7})
    pv = period_value(obs, parse_key("2022-T2"), "last", frequency="år")
    assert pv.value == 7 and pv.as_of.key == "2021"


def test_demo_source_is_visible():
    obs = monthly(months(2025, [1, 2]), source="exempeldata")
    assert period_value(obs, parse_key("2025-T1"), "mean").is_demo


def test_rolling_12_month_period_for_any_aggregation():
    obs = monthly({**months(2024, [10] * 12), **months(2025, [20] * 12)})
    r12 = parse_key("2025-03-R12")
    assert period_value(obs, r12, "sum").value == 9 * 10 + 3 * 20
    assert period_value(obs, r12, "mean").value == pytest.approx(150 / 12)
    assert period_value(obs, r12, "last").value == 20
    assert period_value(obs, r12, "r12").value == pytest.approx(150 / 12)
