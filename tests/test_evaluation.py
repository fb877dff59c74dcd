"""Evaluation of whole plans on the seeded store, checked against what the reports published."""

import pytest

from asn_dash import annotations
from asn_dash.auth import User
from asn_dash.rules import evaluation
from asn_dash.rules.periods import parse_key
from asn_dash.store import queries
from .ingest_helpers import delete_values


def results_for(s, year, key):
    period = parse_key(key)
    return {r.indicator_id: r for r in evaluation.evaluate(s, evaluation.load_plan(s, year, period), period)}


def test_t2_2025_figures_are_assessed_as_the_report_reads(s):
    r = results_for(s, 2025, "2025-T2")
    assert (r["hushall_ekb"].assessment.colour, r["hushall_ekb"].value_label) == ("Röd", "389")
    assert r["hushall_ekb"].assessment.reason == \
        "389 jan–aug 2025 mot 374 samma period 2024, +4\u00a0%; målet är minskning → Röd"
    assert r["hushall_ekb_10man"].assessment.colour == "Grön"
    assert r["barnfamiljer_ekb"].assessment.colour == "Grön"
    assert r["sjukfranvaro"].assessment.colour == "Grön"  # 5,69 % mot 7,35 %
    assert r["personalomsattning"].assessment.colour == "Röd"  # 9,85 % mot 8,26 %
    assert r["hushall_ekb"].trend.arrow == "↑" and r["hushall_ekb"].trend.good is False


def test_month_grid_2021_reproduces_the_published_grid(s):
    data = evaluation.load_plan(s, 2021, *evaluation.month_periods(2021, 12))
    grid = evaluation.month_grid(s, data, 12)
    published = s.query("SELECT goal_area_id, period, colour FROM published_assessments"
                        " WHERE plan_year = 2021 AND unit_id = 'aos' AND length(period) = 7 AND period NOT LIKE '%T%'")
    names = dict(s.query("SELECT id, name FROM goal_areas WHERE plan_year = 2021").itertuples(index=False))
    for row in published.itertuples(index=False):
        month = grid.columns[int(row.period[5:]) - 1]
        assert grid.loc[names[row.goal_area_id], month] == row.colour, (row.goal_area_id, row.period)


def test_year_summaries_2021_match_the_reports_verdicts(s):
    period = parse_key("2021")
    results = evaluation.evaluate(s, evaluation.load_plan(s, 2021, period), period)
    published = queries.published_area_colours(s, 2021, "2021", "aos")
    for area in evaluation.summarise(results, published):
        assert area.colour == area.published_colour == published[area.goal_area_id]


def test_override_and_manual_status_flow_into_the_evaluation(s):
    anna, bo = User("anna", "Anna", "analytiker"), User("bo", "Bo", "analytiker")
    annotations.add_override(s, anna, 2025, "hushall_ekb", "2025-T2", "Gul", "Engångseffekt av nyanlända i juni.")
    annotations.set_manual_status(s, bo, "vald_fragor", "2025-T2", "Grön", "Frågor ställs i alla nya ärenden.")
    r = results_for(s, 2025, "2025-T2")
    assert (r["hushall_ekb"].assessment.colour, r["hushall_ekb"].assessment.computed_colour) == ("Gul", "Röd")
    assert r["hushall_ekb"].assessment.overridden
    assert r["vald_fragor"].assessment.colour == "Grön"
    assert results_for(s, 2025, "2025-08")["hushall_ekb"].assessment.overridden is False  # other period
    log = annotations.audit_log(s)
    assert list(log["action"]) == ["bedömning", "ändrad bedömning"]


def test_unit_values_roll_up_when_the_administration_has_none(s):
    delete_values(s.con, "v.indicator_id = 'sjukfranvaro' AND v.unit_id = 'aos'")
    series = queries.admin_series(s, ["sjukfranvaro"], "aos", [(None, parse_key("2025-08").end)])["sjukfranvaro"]
    units = s.query("SELECT avg(value) FROM observations WHERE indicator_id = 'sjukfranvaro' AND period = '2025-03'")
    assert series["2025-03"].value == pytest.approx(units.iloc[0, 0])


def test_plan_series_are_read_once_for_all_indicators(s):
    # not a timing test: just that a whole plan evaluates from one read of its series (per frequency group)
    data = evaluation.load_plan(s, 2025, parse_key("2025"))
    assert set(data.series) == set(data.structure["indicator_id"])


def test_rolling_twelve_months_period(s):
    r = results_for(s, 2025, "2025-08-R12")["hushall_ekb"]
    assert r.assessment.colour in ("Grön", "Gul", "Röd")
    assert r.assessment.reason.startswith(f"{r.value_label} sep 2024–aug 2025 mot ")
    assert r.current.months_reported == 12


def test_plan_2020_assesses_003s_outcomes_against_its_targets(s):
    # 003: 46 indicators; utfall 2019 against mål 2020, e.g. U37518 (Ja=2, Delvis=1, Nej=0) 0 mot 2,
    # U37538 1 mot 1, the routine for ekonomiskt bistånd–arbetsmarknad 1 mot 1
    r = results_for(s, 2020, "2020")
    assert len(r) == 46
    assert (r["U37518"].assessment.colour, r["U37518"].assessment.reason) == (
        "Röd", "Nej (0 av 2) 2019; målet är 2 (Ja) → Röd")
    assert r["U37520"].target_text == "ja = 2 (nej, men genomfört uppföljning = 1, nej = 0)"
    assert r["U37538"].assessment.colour == "Grön" and r["rutin_ekb_arbetsmarknad"].assessment.colour == "Grön"
    assert r["U37485"].assessment.colour == "Röd"  # 0 mot 1
    assert r["anhorigstod_plan"].assessment.colour == "—"  # "Tidigare utfall för indikatorn saknas"
