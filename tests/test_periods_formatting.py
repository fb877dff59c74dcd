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

    assert escape_markdown("[klicka](http://x) **fet** <b>") == r"\[klicka\]\(http\:\/\/x\) \*\*fet\*\* \<b\>"


# --- rounding half up, as the reports do ------------------------------------------------------

@pytest.mark.parametrize("value, decimals, expected", [
    (2.5, 0, "3"), (3.5, 0, "4"), (0.5, 0, "1"), (-2.5, 0, "−3"),
    (0.125, 2, "0,13"), (0.375, 2, "0,38"),
    # floats whose binary value lies just under the half: a person reads 2.675, not 2.67499…
    (2.675, 2, "2,68"), (1.005, 2, "1,01"), (1.115, 2, "1,12"), (8.345, 2, "8,35"), (0.285, 2, "0,29"),
    (5.695, 2, "5,70"), (1234.5, 0, f"1{NBSP}235"), (-0.001, 1, "0,0"), (-0.05, 1, "−0,1"),
    (1e20, 0, f"100{NBSP}000{NBSP}000{NBSP}000{NBSP}000{NBSP}000{NBSP}000"),
])
def test_displayed_numbers_round_half_up(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_round_half_up_differs_from_pythons_round_where_the_reports_would():
    from asn_dash.formatting import round_half_up

    assert (round(2.5), round(0.125, 2), round(2.675, 2)) == (2, 0.12, 2.67)
    assert [str(round_half_up(v, d)) for v, d in ((2.5, 0), (0.125, 2), (2.675, 2))] == ["3", "0.13", "2.68"]


def test_numpy_and_pandas_numbers_round_the_same():
    import numpy as np
    import pandas as pd

    assert format_number(np.float64(2.675), 2) == format_number(pd.Series([2.675])[0], 2) == "2,68"
    assert format_number(np.int64(1234)) == f"1{NBSP}234"
    assert format_number(np.float64("nan")) == format_number(float("inf")) == "—"


@pytest.mark.parametrize("value, unit, expected", [
    (5.695, "procent", f"5,7{NBSP}%"),   # 5,70 → as few decimals as the value needs
    (12.25, "dagar", f"12,3{NBSP}dagar"),
    (62.5, "antal", "63"),
    (0.005, "procent", f"0,01{NBSP}%"),
])
def test_values_round_half_up_in_their_units(value, unit, expected):
    assert format_value(value, unit) == expected


def test_plain_numbers_keep_what_was_entered():
    from asn_dash.formatting import format_plain

    assert [format_plain(v) for v in (1401, 5.69, 0.125, 2.675, 123456.789, -3.0, None)] == [
        f"1{NBSP}401", "5,69", "0,125", "2,675", f"123{NBSP}456,789", "−3", "—"]


def test_swedish_symbols_match_cldr():
    """babel carries CLDR's sv-SE number symbols: the same grouping and decimal comma (babel
    writes a hyphen-minus where we write U+2212, and rounds half to even, so halves are avoided)."""
    from decimal import Decimal

    from babel.numbers import format_decimal

    for value in (0.0, 7.25, 1234.56, 98765.43, 1234567.8, -4321.09):
        ours = format_number(value, 2).replace("−", "-")
        assert ours == format_decimal(Decimal(repr(value)), format="#,##0.00", locale="sv_SE")


# --- sizes and times ---------------------------------------------------------------------------

@pytest.mark.parametrize("size, expected", [
    (0, f"0{NBSP}byte"), (812, f"812{NBSP}byte"), (1023, f"1{NBSP}023{NBSP}byte"),
    (1024, f"1,0{NBSP}kB"), (5939, f"5,8{NBSP}kB"), (int(20.3 * 1024 * 1024), f"20,3{NBSP}MB"),
    (1024 * 1024 - 52, f"1{NBSP}023,9{NBSP}kB"),
    (1024 * 1024 - 1, f"1,0{NBSP}MB"),       # 1 023,999 kB rounds to 1 024,0 kB: shown as 1,0 MB
    (3 * 1024 ** 3 // 2, f"1,5{NBSP}GB"),
    (None, "—"),
])
def test_file_sizes(size, expected):
    from asn_dash.formatting import format_bytes

    assert format_bytes(size) == expected


def test_timestamps_and_dates_have_no_midnight_seconds():
    from datetime import date, datetime

    import pandas as pd

    from asn_dash.formatting import format_date, format_timestamp

    assert format_timestamp(datetime(2025, 9, 2, 14, 5, 59)) == "2025-09-02 14:05"
    assert format_timestamp(pd.Timestamp("2025-09-02")) == "2025-09-02 00:00"
    assert format_timestamp("2025-09-02T14:05:00") == "2025-09-02 14:05"
    assert format_date(pd.Timestamp("2025-09-02 00:00:00")) == format_date(date(2025, 9, 2)) == "2025-09-02"
    assert format_timestamp(pd.NaT) == format_date(None) == format_date(float("nan")) == ""


def test_display_frame_formats_only_the_named_columns():
    import pandas as pd

    from asn_dash.formatting import display_frame

    frame = pd.DataFrame({"Tid": pd.to_datetime(["2025-09-02 14:05:07", None]),
                          "Första": pd.to_datetime(["2019-01-31", "2020-12-31"]),
                          "Antal": [1234, 5], "Storlek": [5939, None], "Fil": ["a.csv", "b.csv"]})
    shown = display_frame(frame, timestamps=["Tid"], dates=["Första"], counts=["Antal"], sizes=["Storlek"])
    assert shown.to_dict("list") == {"Tid": ["2025-09-02 14:05", ""], "Första": ["2019-01-31", "2020-12-31"],
                                     "Antal": [f"1{NBSP}234", "5"], "Storlek": [f"5,8{NBSP}kB", "—"],
                                     "Fil": ["a.csv", "b.csv"]}
    assert frame["Antal"].tolist() == [1234, 5]  # the original is untouched
