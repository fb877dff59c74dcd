"""Evaluation of whole plans on the seeded store, checked against what the reports published."""

import pytest

from asn_dash import annotations
from asn_dash.auth import User
from asn_dash.rules.periods import parse_key
from asn_dash.services import evaluation
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


def test_month_grid_2021_shows_the_published_grid_and_the_rule_reproduces_it(s):
    data = evaluation.load_plan(s, 2021, *evaluation.month_periods(2021, 12))
    grid = evaluation.month_grid(s, data, 12)
    published = s.query("SELECT target_id, period, colour FROM verdicts WHERE plan_year = 2021 AND unit_id IS NULL"
                        " AND level = 'målområde' AND length(period) = 7 AND period NOT LIKE '%T%'")
    names = dict(s.query("SELECT id, name FROM goal_areas WHERE plan_year = 2021").itertuples(index=False))
    assert len(published) == 48
    for row in published.itertuples(index=False):
        month = grid.colours.columns[int(row.period[5:]) - 1]
        cell = (names[row.target_id], month)
        assert grid.colours.loc[cell] == grid.computed.loc[cell] == row.colour, (row.target_id, row.period)
        assert grid.official.loc[cell]


def test_month_grid_without_published_months_is_computed(s):
    grid = evaluation.month_grid(s, evaluation.load_plan(s, 2025, *evaluation.month_periods(2025, 8)), 8)
    assert not grid.official.to_numpy().any()
    assert grid.colours.equals(grid.computed)


def test_year_summaries_2021_match_the_reports_verdicts(s):
    _, areas = evaluation.plan_results(s, 2021, parse_key("2021"))
    assert [a.published_colour for a in areas] == ["Gul", "Grön", "Gul", "Gul"]  # 001, sammanfattande VB
    for area in areas:
        assert area.colour == area.verdict == area.published_colour  # the rule agrees with the report
        assert area.explanation is None


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
    """Additive indicators only: a count is the sum of its units; a percentage is never averaged
    into an administration figure (an unweighted mean of units' shares is not the whole's)."""
    delete_values(s.con, "v.indicator_id IN ('sjukfranvaro', 'hushall_ekb') AND v.unit_id = 'aos'")
    series = queries.admin_series(s, ["sjukfranvaro", "hushall_ekb"], "aos", [(None, parse_key("2025-08").end)])
    units = s.query("SELECT sum(value) FROM observations WHERE indicator_id = 'hushall_ekb' AND period = '2025-03'")
    assert series["hushall_ekb"]["2025-03"].value == pytest.approx(units.iloc[0, 0])
    assert series["sjukfranvaro"] == {}


def test_plan_series_are_read_once_for_all_indicators(s, monkeypatch):
    # not a timing test: a whole plan's values come from a fixed number of reads of the value
    # table (per frequency group), not one read per indicator
    value_reads = []
    for method in ("query", "scalar"):
        original = getattr(type(s), method)

        def counted(self, sql, params=None, _original=original):
            if "observation" in sql:
                value_reads.append(sql)
            return _original(self, sql, params)

        monkeypatch.setattr(type(s), method, counted)
    data = evaluation.load_plan(s, 2025, parse_key("2025"))
    assert len(data.structure) >= 30
    assert set(data.series) == set(data.structure["indicator_id"])
    assert 1 <= len(value_reads) <= 4, value_reads


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
