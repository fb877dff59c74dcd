"""The backtest's mechanics on series whose errors are known from the maths, and its run on a
seeded store."""

import json
import math

import numpy as np
import pytest

from asn_dash.rules import backtest as bt
from asn_dash.rules import forecast as fc
from asn_dash.rules.periods import Period, months_between
from asn_dash.services import backtest as store_backtest


def series(first: str, last: str, value) -> dict[str, float]:
    ms = months_between(Period(int(first[:4]), month=int(first[5:])), Period(int(last[:4]), month=int(last[5:])))
    return {p.key: float(value(n, p)) for n, p in enumerate(ms)}


LINE = series("2019-01", "2024-12", lambda n, p: 100 + 2 * n)  # +2 a month
SEASON = series("2019-01", "2024-12", lambda n, p: 50 + 10 * math.sin(2 * math.pi * p.month / 12))


def test_years_need_twelve_months_and_a_year_before():
    assert bt.backtest_years(LINE) == [2020, 2021, 2022, 2023, 2024]
    assert bt.backtest_years(LINE, before=2023) == [2020, 2021, 2022]
    assert bt.backtest_years(series("2019-03", "2024-06", lambda n, p: 1)) == [2021, 2022, 2023]
    assert bt.backtest_years({}) == []


def test_drift_on_a_line_has_no_error_and_its_zero_band_holds_the_outcome():
    cases = bt.series_cases(LINE, "mean", fc.DRIFT)
    assert [(c.year, c.origin) for c in cases] == [(y, o) for y in range(2020, 2025) for o in (4, 8)]
    assert all(c.ape == pytest.approx(0.0, abs=1e-9) for c in cases)
    s = bt.score(cases)
    assert s.mape == pytest.approx(0.0, abs=1e-9) and s.coverage == 1.0


def test_last_value_on_a_line_misses_by_the_months_still_to_come():
    # From April of year Y (month index n0 = 12*(Y-2019)+3), May–Dec are carried at the April
    # value instead of rising 2, 4, …, 16: the mean is low by (2+4+…+16)/12 = 72/12 = 6.
    cases = {(c.year, c.origin): c for c in bt.series_cases(LINE, "mean", fc.LAST_VALUE)}
    for year in range(2020, 2025):
        actual = np.mean([100 + 2 * (12 * (year - 2019) + m) for m in range(12)])
        assert cases[(year, 4)].actual == pytest.approx(actual)
        assert cases[(year, 4)].point == pytest.approx(actual - 6)
        assert cases[(year, 8)].point == pytest.approx(actual - (2 + 4 + 6 + 8) / 12)
        assert cases[(year, 4)].ape == pytest.approx(6 / actual * 100)
    # For the December value ("last") the miss is the whole rise to December: 16 from April.
    last = {(c.year, c.origin): c for c in bt.series_cases(LINE, "last", fc.LAST_VALUE)}
    assert last[(2022, 4)].actual - last[(2022, 4)].point == pytest.approx(16)


def test_same_month_last_year_reproduces_a_pure_seasonal_series():
    s = bt.score(bt.series_cases(SEASON, "sum", fc.SAME_MONTH))
    assert s.cases == 10 and s.mape == pytest.approx(0.0, abs=1e-9) and s.inside == 10


def test_chosen_method_on_a_short_series_uses_what_it_can():
    short = series("2019-01", "2020-12", lambda n, p: 10 + n)
    cases = bt.series_cases(short, "mean", bt.CHOSEN)
    assert [c.year for c in cases] == [2020, 2020]
    assert all(c.model in ("ETS ANN", "ETS AAdN") for c in cases)  # < 2 full years: no seasonal form


def test_values_that_can_be_negative_have_no_percentage_error():
    deviation = series("2019-01", "2022-12", lambda n, p: (-1) ** n * 0.5)
    cases = bt.series_cases(deviation, "last", fc.LAST_VALUE, lower=None)
    assert cases and all(c.ape is None for c in cases)
    s = bt.score(cases)
    assert s.mape is None and s.mae == pytest.approx(np.mean([abs(c.point - c.actual) for c in cases]))


def case(year, ratio):
    return bt.Case(year, 4, 10.0, 10.0, 9.0, 11.0, ratio, "x")


def test_calibration_factor_and_its_cross_validation():
    ratios = [0.1 * n for n in range(1, 11)]  # 0.1 … 1.0
    cases = [case(2020 + n % 5, r) for n, r in enumerate(ratios)]
    assert bt.suggested_scale(cases) == pytest.approx(np.quantile(ratios, 0.8))
    assert bt.suggested_scale([]) is None
    # Two years, ratios 1 and 3: each year's factor comes from the other, so only the year with
    # ratio 1 (factor 3) is covered.
    assert bt.cross_validated_coverage([case(2020, 1.0), case(2021, 3.0)]) == 0.5


def test_track_record_counts_only_years_before_the_plan_year():
    record = bt.track_record(LINE, "mean", 2023)
    assert (record.cases, record.first_year, record.last_year) == (6, 2020, 2022)
    assert record.mape is not None and 0 <= record.inside <= 6
    assert bt.track_record(LINE, "mean", 2020) is None


def test_run_on_the_seeded_store(s):
    result = store_backtest.run(s, indicator_ids=["hushall_ekb", "budgetavvikelse_pct", "egen_forsorjning", "personalomsattning"])
    json.dumps(result)  # plain JSON
    ids = [i["indicator"] for i in result["indicators"]]
    assert ids == ["hushall_ekb", "budgetavvikelse_pct"]  # egen_forsorjning has no monthly history
    by_id = {i["indicator"]: i for i in result["indicators"]}
    assert by_id["budgetavvikelse_pct"]["scored_by"] == "mae"
    assert by_id["hushall_ekb"]["exempeldata"] is True
    assert by_id["hushall_ekb"]["years"] == [2020, 2021, 2022, 2023, 2024, 2025]
    for m in bt.METHODS:
        assert result["overall"][m]["cases"] == 24
        assert result["overall"][m]["mape"] == pytest.approx(by_id["hushall_ekb"]["methods"][m]["mape"], abs=0.01)
    assert set(result["targets"]) == {"mape_at_or_below_best_baseline", "coverage_between_70_and_90"}
    assert [t["indicator"] for t in result["tertial"]] == ["personalomsattning"]  # reported per tertial
    assert "totalt" in store_backtest.table(result)


def test_short_history_uses_only_the_months_from_its_start():
    # Only the year's own months: drift still continues a line exactly; the last value misses
    # by the same 6 (mean from April) as with the full history.
    drift = bt.short_history_cases(LINE, "mean", fc.DRIFT, 0)
    assert len(drift) == 10 and all(c.ape == pytest.approx(0.0, abs=1e-9) for c in drift)
    last = {(c.year, c.origin): c for c in bt.short_history_cases(LINE, "mean", fc.LAST_VALUE, 0)}
    assert last[(2021, 4)].actual - last[(2021, 4)].point == pytest.approx(6)
    # The engine's own choice with four or eight months is the last value (the short-history
    # backtest's winner), so it equals the baseline there.
    chosen = bt.short_history_cases(LINE, "mean", bt.CHOSEN, 0)
    assert [c.point for c in chosen] == pytest.approx([c.point for c in last.values()])
    # Same-month-last-year needs the year before: nothing without it.
    assert bt.short_history_cases(SEASON, "sum", fc.SAME_MONTH, 0) == []
    assert len(bt.short_history_cases(SEASON, "sum", fc.SAME_MONTH, 1)) == 10


def test_cli_forecast_backtest_json_and_period(seeded_db, capsys):
    from asn_dash.cli import main

    assert main(["forecast", "--backtest", "--json", "--indicator", "hushall_ekb", "--db", str(seeded_db)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [i["indicator"] for i in result["indicators"]] == ["hushall_ekb"]
    assert set(result["overall"]) == set(bt.METHODS) and result["chosen"] == bt.CHOSEN
    assert main(["forecast", "--backtest", "--indicator", "hushall_ekb", "--db", str(seeded_db)]) == 0
    assert "totalt (MAPE · inom intervallet)" in capsys.readouterr().out
    assert main(["forecast", "--period", "2025-T2", "--indicator", "hushall_ekb", "--db", str(seeded_db)]) == 0
    assert capsys.readouterr().out.startswith("hushall_ekb: Prognos helår 2025: ")
    assert main(["forecast", "--db", str(seeded_db)]) == 2
    assert "ange --backtest eller --period" in capsys.readouterr().err


def test_tertial_backtest_on_a_constant_change():
    # Every year ends exactly 1 above its T2: from T2 the forecast is exact, once two earlier
    # years show the change (so from 2022).
    values = {**{f"{y}-T2": 10.0 + y - 2020 for y in range(2020, 2025)},
              **{str(y): 11.0 + y - 2020 for y in range(2020, 2025)}}
    cases = bt.tertial_cases(values)
    assert [(c.year, c.origin) for c in cases] == [(2022, 8), (2023, 8), (2024, 8)]
    assert all(c.point == pytest.approx(c.actual) and c.inside for c in cases)
    record = bt.track_record({}, "last", 2024, tertials=values)
    assert (record.cases, record.first_year, record.last_year, record.tertial) == (2, 2022, 2023, True)
