from datetime import date, datetime

import numpy as np
import pytest

from asn_dash.uploads.parsing import parse_period

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
