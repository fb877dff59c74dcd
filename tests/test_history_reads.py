"""Views read only the periods they show: the evaluation of a period reads its own values, the same
period a year earlier, baseline years and R12 months, and gives exactly the results it gives when
every stored period is read; older history is not read at all."""

import json
from dataclasses import replace
from datetime import date

import pytest

from asn_dash.rules.evaluation import reading_windows
from asn_dash.rules.periods import parse_key
from asn_dash.rules.targets import parse_target
from asn_dash.services import evaluation, forecast_inputs, outlook, views
from asn_dash.store import queries

from .ingest_helpers import insert_value

EVERYTHING = [(None, date(2200, 12, 31))]


def read_everything(s, data):
    ids = sorted(set(data.structure["indicator_id"]))
    return replace(data, series=queries.admin_series(s, ids, data.admin_unit, EVERYTHING))


def add_1990(s):
    """Values for 1990 for every monthly indicator and unit: history no view of 2019–2025 shows."""
    s.con.execute(
        "INSERT INTO observation_values (indicator_key, unit_key, period_code, kind, period_end, value, source)"
        " SELECT ik.key, uk.key, 199000 + m, 0, last_day(make_date(1990, m, 1)), 9999, 'uppladdning'"
        " FROM indicators i JOIN indicator_keys ik ON ik.id = i.id, unit_keys uk, range(1, 13) r(m)"
        " WHERE i.frequency = 'månad' ON CONFLICT DO NOTHING")


@pytest.fixture
def old_history(s):
    add_1990(s)
    return s


@pytest.mark.parametrize("year, key", [(2025, "2025-T2"), (2025, "2025-03"), (2025, "2025-08-R12"), (2024, "2024"),
                                       (2021, "2021-T1"), (2021, "2021"), (2019, "2019-04")])
def test_windowed_reads_give_the_same_results_as_reading_everything(old_history, year, key):
    s, period = old_history, parse_key(key)
    for load in (evaluation.load_plan, evaluation.load_measures):
        data = load(s, year, period)
        assert evaluation.evaluate(s, data, period) == evaluation.evaluate(s, read_everything(s, data), period)


def test_a_baseline_two_years_back_is_read(old_history):
    s, period = old_history, parse_key("2025-T2")
    rule = parse_target("minska jämfört med 2023")
    s.con.execute("UPDATE plan_indicators SET target_rule = ? WHERE plan_year = 2025 AND indicator_id = 'hushall_ekb'",
                  [json.dumps(rule.to_dict())])
    data = evaluation.load_plan(s, 2025, period)
    assert reading_windows(data.structure, (period,)) == [(date(2022, 9, 1), date(2025, 8, 31))]
    results = evaluation.evaluate(s, data, period)
    assert results == evaluation.evaluate(s, read_everything(s, data), period)
    hushall = next(r for r in results if r.indicator_id == "hushall_ekb")
    assert hushall.rule.baseline_year == 2023 and hushall.assessment.reference is not None


def test_the_month_grid_gives_the_same_colours_as_reading_everything(old_history):
    s = old_history
    data = evaluation.load_plan(s, 2025, *evaluation.month_periods(2025, 8))
    grid, everything = evaluation.month_grid(s, data, 8), evaluation.month_grid(s, read_everything(s, data), 8)
    assert grid.colours.equals(everything.colours) and grid.computed.equals(everything.computed)


def test_older_history_is_not_read(old_history):
    s = old_history
    period = parse_key("2025-T2")
    for data in (evaluation.load_plan(s, 2025, period), evaluation.load_measures(s, 2025, period)):
        monthly = [i for i in data.series if data.meta[i]["frequency"] != "år"]
        assert monthly
        oldest = min(parse_key(k).end for i in monthly for k in data.series[i])
        assert oldest >= date(2022, 1, 1)
    result = evaluation.plan_results(s, 2025, period)[0][0]
    view = views.build(s, result, 2025, period)
    assert all(p.value != 9999 for line in view.lines for p in line.points)


def test_a_period_that_was_not_read_is_refused(s):
    data = evaluation.load_plan(s, 2025, parse_key("2025-T2"))
    with pytest.raises(ValueError, match="2025-T1"):
        evaluation.evaluate(s, data, parse_key("2025-T1"))


def test_forecasts_do_not_read_older_history(s):
    """Prognos helår (Översikt, Indikator) reads a bounded number of years: a stored 1990 changes no
    forecast and no track record (read whole, the gap to 2019 would be interpolated into the model)."""
    period = parse_key("2025-T2")

    def forecasts():
        found = outlook.plan_outlooks(s, 2025, period)
        return {i: (o.model, o.numbers(), o.record) for i, o in found.items()}

    before = forecasts()
    assert any(model for model, _, _ in before.values())
    add_1990(s)
    assert forecasts() == before
    assert any(h.months("1990-12") for h in forecast_inputs.load(s, list(before), period.end, years=None).values())


def test_the_default_period_reads_only_the_plan_years(s):
    """The sidebar's default (the latest reported period per year) runs on every cold view: values
    older than the first plan year are never read, so a store with decades of history costs the same."""
    with s.writing() as con:
        insert_value(con, "hushall_ekb", "aos", "2010-05", 300, source="publicerad")
    reported = queries.latest_reported(s)
    assert 2010 not in reported and reported[2025].key == "2025-T2"
