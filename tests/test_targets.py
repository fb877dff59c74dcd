import pytest

from asn_dash.rules.targets import BASELINE, FIXED, MANUAL, NONE, QUARTILE, TOLERANCE, YES_NO, parse_target


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
