import pytest

from asn_dash.rules.targets import BASELINE, FIXED, MANUAL, NONE, QUARTILE, SCALE_012, TOLERANCE, YES_NO, parse_target


@pytest.mark.parametrize(
    "text, kind, direction, value, yellow, year, allow_equal",
    [
        ("minst 60 % (gul från 40 %)", FIXED, "högre", 60, 40, None, False),
        ("Minst 45 %", FIXED, "högre", 45, None, None, False),
        ("högst 4 %", FIXED, "lägre", 4, None, None, False),
        ("högst 2 555", FIXED, "lägre", 2555, None, None, False),
        ("högst 7 (gul till 9)", FIXED, "lägre", 7, 9, None, False),
        ("minska jämfört med 2023", BASELINE, "lägre", None, None, 2023, False),
        ("öka jämfört med föregående år", BASELINE, "högre", None, None, None, False),
        ("behålla eller öka jämfört med 2023", BASELINE, "högre", None, None, 2023, True),
        ("inom budget (gul under 2 %)", TOLERANCE, "högre", 2, None, None, False),
        ("ja", YES_NO, "högre", 1, None, None, False),
        ("ja = 2 (delvis = 1, nej = 0)", SCALE_012, "högre", 2, None, None, False),
        ("Ja=2 (Delvis=1, Nej=0)", SCALE_012, "högre", 2, None, None, False),
        ("kvartil", QUARTILE, None, None, None, None, False),
        ("manuell", MANUAL, None, None, None, None, False),
        ("ingen", NONE, None, None, None, None, False),
        (None, NONE, None, None, None, None, False),
    ],
)
def test_target_rules_parse(text, kind, direction, value, yellow, year, allow_equal):
    rule = parse_target(text)
    assert (rule.kind, rule.direction, rule.value, rule.yellow_limit, rule.baseline_year, rule.allow_equal) == (
        kind, direction, value, yellow, year, allow_equal)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("minst sextio", "går inte att tolka"),
        ("minska jämfört med förra året", "går inte att tolka"),
        ("minst 60 % (gul från 70 %)", "gul-gränsen måste vara lägre"),
        ("högst 4 (gul till 3)", "gul-gränsen måste vara högre"),
    ],
)
def test_bad_target_rules_explain_themselves(text, fragment):
    with pytest.raises(ValueError, match=fragment):
        parse_target(text)


def test_scale_rule_keeps_the_reports_middle_step():
    # 003, U37520: "(Ja=2, Nej, men genomfört uppföljning=1, Nej=0)"
    rule = parse_target("ja = 2 (nej, men genomfört uppföljning = 1, nej = 0)")
    assert (rule.kind, rule.value, rule.middle_label) == (SCALE_012, 2, "nej, men genomfört uppföljning")
    assert parse_target("ja = 2 (delvis = 1, nej = 0)").middle_label == "delvis"


@pytest.mark.parametrize("text", ["ja = 2", "ja = 3 (delvis = 1, nej = 0)", "ja = 2 (delvis = 2, nej = 0)"])
def test_incomplete_scale_rules_are_refused(text):
    with pytest.raises(ValueError, match="går inte att tolka"):
        parse_target(text)
