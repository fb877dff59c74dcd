"""Every rule kind, with the reports' own figures and the edge cases."""

from datetime import date

import pytest

from asn_dash.rules.aggregation import PeriodValue
from asn_dash.rules.assessment import GRON, GUL, NA, ROD, ManualStatus, Rank, apply_override, assess, rank_among, trend
from asn_dash.rules.periods import parse_key
from asn_dash.rules.targets import parse_target
from asn_dash.rules.verdicts import area_colour

T2_25, T2_24 = parse_key("2025-T2"), parse_key("2025-T2").shifted(-1)


def pv(value, period="2025-T2", reported=None, expected=None, as_of=None, sources=("uppladdning",)):
    p = parse_key(period)
    n = len(p.months())
    return PeriodValue(value, None, p, parse_key(as_of) if as_of else p, reported or n, expected or n,
                       frozenset(sources))


@pytest.mark.parametrize("value, colour", [(40, GUL), (80, GRON), (60, GRON), (30, ROD)])
def test_fixed_target_with_yellow_band(value, colour):
    # 001: andel uppnådda enhetsmål 40 % mot målnivå 60 % → Gul; 80 % → Grön
    rule = parse_target("minst 60 % (gul från 40 %)")
    result = assess(rule, "procent", pv(value, "2021"), parse_key("2021"))
    assert result.colour == colour
    assert f"mot målnivån minst 60\u00a0% (gul från 40\u00a0%) → {colour}" in result.reason


def test_fixed_target_lower_is_better_without_band():
    rule = parse_target("högst 4 %")
    assert assess(rule, "procent", pv(4.27, "2019-T1"), parse_key("2019-T1")).colour == ROD
    assert assess(rule, "procent", pv(3.9, "2019-T1"), parse_key("2019-T1")).colour == GRON


def test_baseline_households_worse_than_2024_is_red():
    # 004: 389 hushåll jan–aug 2025 mot 374 samma period 2024
    result = assess(parse_target("minska jämfört med 2024"), "antal", pv(389), T2_25, baseline=pv(374, "2024-T2"))
    assert result.colour == ROD
    assert result.reason == "389 jan–aug 2025 mot 374 samma period 2024, +4\u00a0%; målet är minskning → Röd"
    assert result.change_pct == pytest.approx(4.01, abs=0.01)


def test_baseline_long_term_households_better_than_2024_is_green():
    # 004: hushåll > 10 månader 159 mot 185 i 2024
    result = assess(parse_target("minska jämfört med 2024"), "antal", pv(159), T2_25, baseline=pv(185, "2024-T2"))
    assert result.colour == GRON
    assert "159 jan–aug 2025 mot 185 samma period 2024, −14\u00a0%" in result.reason


def test_baseline_increase_and_keep_or_increase():
    up = parse_target("öka jämfört med föregående år")
    keep = parse_target("behålla eller öka jämfört med 2023")
    assert assess(up, "procent", pv(62), T2_25, baseline=pv(60, "2024-T2")).colour == GRON
    assert assess(up, "procent", pv(60), T2_25, baseline=pv(60, "2024-T2")).colour == GUL
    assert assess(keep, "index", pv(60), T2_25, baseline=pv(60, "2023-T2")).colour == GRON
    assert "oförändrat" in assess(keep, "index", pv(60), T2_25, baseline=pv(60, "2023-T2")).reason


def test_missing_baseline_is_not_assessable():
    result = assess(parse_target("minska jämfört med 2024"), "antal", pv(389), T2_25, baseline=None)
    assert result.colour == NA
    assert "jämförelsevärde" in result.reason and "kan inte bedömas ännu" in result.reason


def test_zero_baseline_compares_absolute_change():
    result = assess(parse_target("minska jämfört med 2024"), "antal", pv(3), T2_25, baseline=pv(0, "2024-T2"))
    assert result.colour == ROD and result.change_pct is None
    assert "mot 0 samma period 2024, +3;" in result.reason


def test_partial_period_is_assessed_and_says_so():
    result = assess(parse_target("minska jämfört med 2024"), "antal", pv(380, reported=5), T2_25,
                    baseline=pv(374, "2024-T2"))
    assert result.colour == ROD
    assert "(5 av 8 månader rapporterade)" in result.reason


def test_not_yet_reported_is_not_a_colour():
    result = assess(parse_target("minst 60 %"), "procent", None, T2_25)
    assert (result.colour, result.reason) == (NA, "Inget utfall för jan–aug 2025 ännu.")


@pytest.mark.parametrize("deviation, colour", [(0.3, GRON), (0.0, GRON), (-1.5, GUL), (-1.99, GUL), (-2.0, ROD), (-18, ROD)])
def test_budget_tolerance_band(deviation, colour):
    # 001: −1,5 % → Gul
    result = assess(parse_target("inom budget (gul under 2 %)"), "procent", pv(deviation, "2021"), parse_key("2021"))
    assert result.colour == colour


def test_budget_reason_names_the_band():
    result = assess(parse_target("inom budget (gul under 2 %)"), "procent", pv(-1.5, "2021"), parse_key("2021"))
    assert result.reason == "Avvikelse −1,5\u00a0% av budget 2021: underskott under 2\u00a0% → Gul"


def test_yes_no():
    rule = parse_target("ja")
    assert assess(rule, "ja/nej", pv(1, "2019"), parse_key("2019")).colour == GRON
    no = assess(rule, "ja/nej", pv(0, "2019"), parse_key("2019"))
    assert (no.colour, no.reason) == (ROD, "Nej 2019; målet är Ja → Röd")


@pytest.mark.parametrize("value, colour, reason", [
    (2, GRON, "Ja (2 av 2) 2019 → Grön"),
    (1, GUL, "Delvis (1 av 2) 2019; målet är 2 (Ja) → Gul"),
    (0, ROD, "Nej (0 av 2) 2019; målet är 2 (Ja) → Röd"),  # 003: U37518 utfall 2019 0, mål 2020 2
])
def test_scale_0_1_2(value, colour, reason):
    result = assess(parse_target("ja = 2 (delvis = 1, nej = 0)"), "index", pv(value, "2019"), parse_key("2019"))
    assert (result.colour, result.reason, result.reference) == (colour, reason, 2.0)


def test_scale_names_the_reports_middle_step_and_refuses_other_values():
    rule = parse_target("ja = 2 (nej, men genomfört uppföljning = 1, nej = 0)")
    middle = assess(rule, "index", pv(1, "2020"), parse_key("2020"))
    assert middle.reason.startswith("Nej, men genomfört uppföljning (1 av 2) 2020")
    for odd in (1.5, 3):
        result = assess(rule, "index", pv(odd, "2020"), parse_key("2020"))
        assert result.colour == NA and "inte på skalan 0, 1 eller 2" in result.reason
    assert assess(rule, "index", None, parse_key("2020")).colour == NA


@pytest.mark.parametrize("place, of, colour", [(1, 290, GRON), (73, 290, GRON), (74, 290, GUL), (217, 290, GUL),
                                               (218, 290, ROD), (290, 290, ROD)])
def test_quartile_among_municipalities(place, of, colour):
    result = assess(parse_target("kvartil"), "dagar", pv(7, "2021"), parse_key("2021"), rank=Rank(place, of, 2021))
    assert result.colour == colour
    assert f"plats {place} av {of} kommuner" in result.reason


def test_quartile_rank_respects_direction():
    waits = {"0138": 7.0, "0114": 10.0, "0115": 20.0, "0117": 5.0}
    assert rank_among(waits, "0138", "lägre", 2021) == Rank(2, 4, 2021)  # shorter wait is better
    assert rank_among(waits, "0138", "högre", 2021) == Rank(3, 4, 2021)
    assert rank_among({"0114": 1.0}, "0138", "lägre", 2021) is None


def test_quartile_without_data_is_not_assessable():
    assert assess(parse_target("kvartil"), "procent", None, parse_key("2025")).colour == NA


def test_manual_status():
    rule = parse_target("manuell")
    assert assess(rule, "text", None, T2_25).colour == NA
    status = ManualStatus(GUL, "Aktiviteter pågår men är försenade.", "Anna Analytiker", date(2025, 9, 2))
    result = assess(rule, "text", None, T2_25, manual=status)
    assert result.colour == GUL
    assert result.reason == "Bedömd av Anna Analytiker 2025-09-02: Aktiviteter pågår men är försenade. → Gul"


def test_no_target_is_never_coloured():
    assert assess(parse_target("ingen"), "antal", pv(11), T2_25).colour == NA


def test_fallback_value_names_its_period():
    result = assess(parse_target("minst 83"), "index", pv(82, "2020", as_of="2018"), parse_key("2020"))
    assert "(senaste utfall avser helår 2018)" in result.reason


def test_override_keeps_the_computed_result():
    computed = assess(parse_target("minska jämfört med 2024"), "antal", pv(389), T2_25, baseline=pv(374, "2024-T2"))
    result = apply_override(computed, GUL, "Ökningen beror på en engångshändelse.", "Bo Chef", date(2025, 9, 5))
    assert (result.colour, result.overridden, result.computed_colour) == (GUL, True, ROD)
    assert result.reason.startswith("Ändrad till Gul av Bo Chef 2025-09-05: Ökningen beror på en engångshändelse.")
    with pytest.raises(ValueError, match="Ogiltig färg"):
        apply_override(computed, "Blå", "x", "y", date(2025, 1, 1))


def test_trend_arrow_and_whether_it_is_good():
    t = trend(pv(389), pv(374, "2024-T2"), "lägre")
    assert (t.arrow, t.good) == ("↑", False)
    t = trend(pv(159), pv(185, "2024-T2"), "lägre")
    assert (t.arrow, t.good) == ("↓", True)
    assert trend(pv(100), pv(100.5, "2024-T2"), "lägre").arrow == "→"
    assert trend(pv(100), None, "lägre") is None


@pytest.mark.parametrize("colours, expected", [
    ([GRON, GRON, GRON], GRON), ([GRON, GRON, GUL], GRON), ([GRON, GUL, GUL], GUL), ([GRON, ROD], GUL),
    ([ROD, ROD, GRON], ROD), ([NA, NA], NA), ([GRON, NA], GRON), ([GUL], GUL),
])
def test_area_colour(colours, expected):
    assert area_colour(colours) == expected
