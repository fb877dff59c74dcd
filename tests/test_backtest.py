"""The backtest's mechanics on series whose errors are known from the maths, and its run on a
seeded store."""

import json
import math
import re

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


def test_in_sample_calibration_factor():
    ratios = [0.1 * n for n in range(1, 11)]  # 0.1 … 1.0
    cases = [case(2020 + n % 5, r) for n, r in enumerate(ratios)]
    assert bt.suggested_scale(cases) == pytest.approx(np.quantile(ratios, 0.8))
    assert bt.suggested_scale([]) is None


def test_track_record_counts_only_years_before_the_plan_year():
    record = bt.track_record(LINE, "mean", 2023)
    assert (record.cases, record.first_year, record.last_year) == (6, 2020, 2022)
    assert record.mape is not None and 0 <= record.inside <= 6 and record.validated
    empty = bt.track_record(LINE, "mean", 2020)
    assert empty.cases == 0 and not empty.validated and empty.method == fc.ETS  # no record: the default


def test_track_record_leaves_out_exempeldata():
    # 2019–2021 exempeldata, 2022–2024 real: only 2023 and 2024 (each with a real year before) count.
    demo = frozenset(k for k in LINE if k < "2022-01")
    record = bt.track_record(LINE, "mean", 2025, demo=demo)
    assert (record.cases, record.first_year, record.last_year) == (4, 2023, 2024)
    assert record.demo_excluded == 6  # 2020–2022 from April and August needed exempeldata
    # All exempeldata: no record at all, however long the history.
    assert bt.track_record(LINE, "mean", 2025, demo=frozenset(LINE)).cases == 0


def test_a_case_is_real_only_if_its_inputs_and_outcome_are():
    demo = frozenset({"2021-06"})  # one exempeldata month, inside the 2021 outcome and the 2022 inputs
    real = bt.series_cases(LINE, "mean", fc.LAST_VALUE, demo=demo)
    # Left out as missing: 2021 lacks a month (not scored); 2022's inputs have a gap that is filled
    # from the real months around it, so 2022 is scored, and every case is real.
    assert sorted({c.year for c in real}) == [2020, 2022, 2023, 2024] and not any(c.demo for c in real)
    both = bt.series_cases(LINE, "mean", fc.LAST_VALUE, demo=demo, include_demo=True)
    flagged = {(c.year, c.origin) for c in both if c.demo}
    assert flagged == {(y, o) for y in (2021, 2022, 2023, 2024) for o in (4, 8)}  # its input or outcome
    assert bt.score(both).to_dict()["real"] == 2 and bt.score(both).to_dict()["exempeldata"] == 8


def test_a_gap_at_the_origin_is_never_filled_from_a_later_value():
    months = {k: v for k, v in LINE.items() if k not in ("2023-04", "2023-05")}  # a gap over the April origin
    months["2023-06"] = 1000.0  # a jump after the origin, unknown in April
    cut = fc.monthly_series(months, up_to="2023-04")
    assert str(cut.index[-1]) == "2023-03" and cut.iloc[-1] == LINE["2023-03"]  # ends at the last value known
    leaked = fc.monthly_series(months)[:"2023-04"]  # fill first, cut after: April from June's jump
    assert leaked.iloc[-1] == pytest.approx(LINE["2023-03"] + (1000.0 - LINE["2023-03"]) / 3)
    f = fc.forecast_year(cut, 2023, method=fc.LAST_VALUE)
    assert f.recorded_months == 3 and f.point[3] == LINE["2023-03"]
    # A year with an unrecorded month has no known outcome: it is not scored (it was, interpolated).
    assert 2023 not in bt.backtest_years(months)


def test_run_on_the_seeded_store(s):
    result = store_backtest.run(s, indicator_ids=["hushall_ekb", "budgetavvikelse_pct", "egen_forsorjning", "personalomsattning"])
    json.dumps(result)  # plain JSON
    ids = [i["indicator"] for i in result["indicators"]]
    assert ids == ["hushall_ekb", "budgetavvikelse_pct"]  # egen_forsorjning has no monthly history
    by_id = {i["indicator"]: i for i in result["indicators"]}
    assert by_id["budgetavvikelse_pct"]["scored_by"] == "mae"
    # The seeded months are exempeldata but for a few published ones: no real year to score.
    assert by_id["hushall_ekb"]["exempeldata_excluded"] == 12 and by_id["hushall_ekb"]["years"] == []
    assert result["record"] == bt.TOO_SHORT and result["overall"][bt.PRODUCT]["cases"] == 0
    text = store_backtest.table(result)
    assert "för kort historik för att mäta träffsäkerheten" in text
    assert "— · —" not in text and "hushall_ekb" not in text  # no table of dashes where nothing was scored
    assert result["tertial"] == []  # personalomsattning's tertials are exempeldata too


def test_run_with_exempeldata_counts_each_case(s):
    result = store_backtest.run(s, methods=(fc.LAST_VALUE, fc.RUN_RATE), indicator_ids=["hushall_ekb", "personalomsattning"],
                    include_demo=True)
    ind = result["indicators"][0]
    assert ind["years"] == [2020, 2021, 2022, 2023, 2024, 2025] and ind["exempeldata_excluded"] == 0
    for m in (fc.LAST_VALUE, fc.RUN_RATE, bt.PRODUCT):
        o = result["overall"][m]
        assert o["cases"] == 12 and o["real"] + o["exempeldata"] == 12 and o["exempeldata"] > 0
    # Nested: 2020 has no earlier year, so the default (ETS, or the first method run without it).
    assert ind["choices"]["2020"] == fc.LAST_VALUE and set(ind["choices"].values()) <= {fc.LAST_VALUE, fc.RUN_RATE}
    assert [t["indicator"] for t in result["tertial"]] == ["personalomsattning"]
    text = store_backtest.table(result)
    assert "0 av 12 prognoser bygger bara på verkliga värden, 12 på exempeldata" in text
    assert re.search(r"^hushall_ekb\s+\d", text, re.MULTILINE)  # scored: its row is in the table


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


def test_cli_forecast_backtest_json_and_period(seeded_db):
    from .test_cli import run

    out = run("forecast", "--backtest", "--json", "--indicator", "hushall_ekb", "--db", str(seeded_db))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert [i["indicator"] for i in result["indicators"]] == ["hushall_ekb"]
    assert set(result["overall"]) == {*bt.METHODS, bt.PRODUCT} and result["chosen"] == bt.PRODUCT
    assert result["record"] == "för kort historik för att mäta träffsäkerheten" and not result["include_exempeldata"]
    assert result["exempeldata_excluded"] == 12
    assert all({"cases", "real", "exempeldata", "mape", "coverage"} <= set(o) for o in result["overall"].values())
    out = run("forecast", "--backtest", "--indicator", "hushall_ekb", "--db", str(seeded_db))
    assert "för kort historik för att mäta träffsäkerheten" in out.stdout and "exempeldata" in out.stdout
    out = run("forecast", "--backtest", "--json", "--include-exempeldata", "--indicator", "hushall_ekb",
              "--db", str(seeded_db))
    result = json.loads(out.stdout)
    product = result["overall"][bt.PRODUCT]
    assert result["include_exempeldata"] and result["record"] is None
    assert product["cases"] == 12 and product["exempeldata"] == 12 - product["real"] > 0
    assert set(result["nested"]["choices"]["hushall_ekb"]) == {"2020", "2021", "2022", "2023", "2024", "2025"}
    assert result["nested"]["chosen_now"]["hushall_ekb"]["method"] in bt.METHODS
    out = run("forecast", "--period", "2025-T2", "--indicator", "hushall_ekb", "--db", str(seeded_db))
    assert out.stdout.startswith("hushall_ekb: Prognos helår 2025: ")
    out = run("forecast", "--db", str(seeded_db))
    assert out.returncode == 2 and "ange --backtest eller --period" in out.stderr


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


def test_tertial_backtest_leaves_out_exempeldata():
    values = {**{f"{y}-T2": 10.0 + y - 2020 for y in range(2020, 2025)},
              **{str(y): 11.0 + y - 2020 for y in range(2020, 2025)}}
    real = bt.tertial_cases(values, demo={"2021"})  # 2021's year value is exempeldata: missing
    assert [(c.year, c.origin) for c in real] == [(2023, 8), (2024, 8)] and not any(c.demo for c in real)
    both = bt.tertial_cases(values, demo={"2021"}, include_demo=True)
    assert [(c.year, c.demo) for c in both] == [(2022, True), (2023, True), (2024, True)]
