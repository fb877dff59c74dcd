"""The assessment palette keeps AA text contrast and stays apart for colour-blind readers."""

from itertools import combinations

import pytest

from asn_dash.colours import STYLES, contrast, distance, label, simulate


@pytest.mark.parametrize("colour", list(STYLES))
def test_text_contrast_meets_wcag_aa(colour):
    style = STYLES[colour]
    assert contrast(style.background, style.text) >= 4.5


@pytest.mark.parametrize("kind", ["protanopia", "deuteranopia"])
def test_colours_stay_distinct_for_dichromats(kind):
    for a, b in combinations(["Grön", "Gul", "Röd"], 2):
        assert distance(simulate(STYLES[a].background, kind), simulate(STYLES[b].background, kind)) >= 0.15, (a, b)


def test_a_naive_red_green_pair_would_fail_the_same_check():
    # The check is not vacuous: classic traffic-light red and green collapse for deuteranopes.
    assert distance(simulate("#00A000", "deuteranopia"), simulate("#E00000", "deuteranopia")) < 0.15


def test_every_colour_has_a_symbol_and_a_word():
    assert [label(c) for c in ("Grön", "Gul", "Röd", "—")] == ["✔ Grön", "▲ Gul", "✖ Röd", "– Ej bedömd"]
    assert len({s.symbol for s in STYLES.values()}) == len(STYLES)
