from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from asn_dash.parsing import parse_numbers, parse_period

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("raw, key", [
    ("2025-03", "2025-03"), ("2025-3", "2025-03"), ("2025/03", "2025-03"), ("mars 2025", "2025-03"),
    ("Mar 2025", "2025-03"), ("mar. 2025", "2025-03"), ("March 2025", "2025-03"), ("2025-03-31", "2025-03"),
    ("2025-03-31 00:00:00", "2025-03"), (datetime(2025, 3, 31), "2025-03"), (date(2025, 3, 1), "2025-03"),
    (np.datetime64("2025-03-31"), "2025-03"), ("T1 2025", "2025-T1"), ("2025-T2", "2025-T2"),
    ("tertial 2 2025", "2025-T2"), ("helår 2025", "2025"), ("2025", "2025"), ("  Maj   2024 ", "2024-05"),
    ("2026-11", "2026-11"),
])
def test_period_spellings(raw, key):
    assert parse_period(raw, today=TODAY).key == key


@pytest.mark.parametrize("raw, reason", [
    ("2026-12", "ligger i framtiden"), ("2025-02-30", "ogiltigt datum"), ("2025-08-R12", "R12-perioder"),
    ("", "perioden saknas"), ("Q1 2025", "okänd period"),
])
def test_bad_periods(raw, reason):
    with pytest.raises(ValueError, match=reason):
        parse_period(raw, today=TODAY)


def test_swedish_numbers():
    cells = pd.Series(["1 234,5", "5,69 %", "", "---", "—", "12.5", "1.234,5", "abc", "−3", "\u00a012\u202f000",
                       3.0, "nan", "0"], dtype=object)
    got = parse_numbers(cells)
    assert got["value"].tolist()[:2] == [1234.5, 5.69]
    assert got["missing"].tolist()[2:5] == [True, True, True]
    assert got["value"].tolist()[5:7] == [12.5, 1234.5]
    assert got["bad"].tolist()[7] and got["bad"].tolist()[11]
    assert got["value"].tolist()[8:11] == [-3.0, 12000.0, 3.0]
    assert got["value"].tolist()[12] == 0.0 and not got["missing"].tolist()[12]  # zero is a value
    assert got["percent"].tolist()[:2] == [False, True]
