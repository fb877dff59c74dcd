from datetime import date

import pytest

from asn_dash.formatting import NBSP, format_number, format_value
from asn_dash.rules.periods import Period, months_between, parse_key, periods_for_year


@pytest.mark.parametrize(
    "key, kind, start, end, label",
    [
        ("2025-03", "månad", date(2025, 3, 1), date(2025, 3, 31), "mar 2025"),
        ("2024-02", "månad", date(2024, 2, 1), date(2024, 2, 29), "feb 2024"),
        ("2025-T1", "tertial", date(2025, 1, 1), date(2025, 4, 30), "T1 2025"),
        ("2025-T2", "tertial", date(2025, 1, 1), date(2025, 8, 31), "T2 2025"),
        ("2025", "år", date(2025, 1, 1), date(2025, 12, 31), "helår 2025"),
        ("2025-08-R12", "r12", date(2024, 9, 1), date(2025, 8, 31), "R12 t.o.m. aug 2025"),
        ("2025-12-R12", "r12", date(2025, 1, 1), date(2025, 12, 31), "R12 t.o.m. dec 2025"),
    ],
)
def test_period_keys(key, kind, start, end, label):
    p = parse_key(key)
    assert (p.kind, p.start, p.end, p.label(), p.key) == (kind, start, end, label, key)


@pytest.mark.parametrize("bad", ["2025-13", "2025-T3", "25-03", "mars 2025", "", "2025-00", "2025-R12", "2025-T2-R12"])
def test_bad_period_keys_are_rejected_in_swedish(bad):
    with pytest.raises(ValueError, match="Ogiltig period"):
        parse_key(bad)


def test_span_label_and_month_ranges():
    assert parse_key("2025-T2").span_label() == "jan–aug 2025"
    assert parse_key("2025-03-R12").span_label() == "apr 2024–mar 2025"
    assert parse_key("2025-03-R12").shifted(-1).key == "2024-03-R12"
    months = months_between(parse_key("2024-11"), parse_key("2025-T1"))
    assert [m.key for m in months] == ["2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04"]


def test_periods_offered_for_a_year_follow_the_latest_month():
    assert [p.key for p in periods_for_year(2025, 8)][:4] == ["2025-T2", "2025-T1", "2025-08-R12", "2025-08"]
    assert periods_for_year(2025, 12)[0] == Period(2025)
    assert [p.key for p in periods_for_year(2025, 3)] == ["2025-03-R12", "2025-03", "2025-02", "2025-01"]


@pytest.mark.parametrize(
    "value, unit, expected",
    [
        (5.69, "procent", f"5,69{NBSP}%"),
        (60, "procent", f"60{NBSP}%"),
        (1234, "antal", f"1{NBSP}234"),
        (-266815, "tkr", f"−266{NBSP}815{NBSP}tkr"),
        (4458, "kr", f"4{NBSP}458{NBSP}kr"),
        (1, "ja/nej", "Ja"),
        (0, "ja/nej", "Nej"),
        (None, "antal", "—"),
        (float("nan"), "procent", "—"),
        (13.5, "dagar", f"13,5{NBSP}dagar"),
    ],
)
def test_swedish_number_formats(value, unit, expected):
    assert format_value(value, unit) == expected


def test_negative_zero_has_no_minus_sign():
    assert format_number(-0.001, 1) == "0,0"


def test_markdown_is_escaped():
    from asn_dash.formatting import escape_markdown

    assert escape_markdown("[klicka](http://x) **fet** <b>") == "\\[klicka\\]\\(http\\://x\\) \\*\\*fet\\*\\* \\<b\\>"
