"""Reading the cells analysts write: periods in many spellings. (Numbers are parsed in SQL,
see ``ingest._check``, so a million-row file stays fast.)"""

from __future__ import annotations

import re
from datetime import date, datetime

import numpy as np
import pandas as pd

from asn_dash.rules.periods import MONTHS_SV, MONTHS_SV_LONG, Period

_EN = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
       "november", "december"]
MONTH_WORDS: dict[str, int] = {}
for _n in range(12):
    for _w in (MONTHS_SV[_n], MONTHS_SV_LONG[_n], _EN[_n], _EN[_n][:3]):
        MONTH_WORDS[_w] = _n + 1
MONTH_WORDS.update({"sept": 9, "okt.": 10})

_YYYY_MM = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t].*)?$")
_WORD_YEAR = re.compile(r"^([a-zåäö]+)\.?\s+(\d{4})$")
_TERTIAL = re.compile(r"^(?:(\d{4})[- ]t([12])|t([12]) (\d{4})|tertial ([12]) (\d{4}))$")
_YEAR = re.compile(r"^(?:helår |år )?(\d{4})$")


def parse_period(raw: object, today: date | None = None) -> Period:
    """``2025-03``, ``mars 2025``, ``mar 2025``, ``2025-03-31``, an Excel date, ``T1 2025``,
    ``2025-T2``, ``helår 2025``, ``2025``. Raises ``ValueError`` with the reason in Swedish."""
    today = today or date.today()
    if isinstance(raw, np.datetime64):
        raw = pd.Timestamp(raw)
    if isinstance(raw, (datetime, date)):
        period = Period(raw.year, month=raw.month)
    else:
        text = " ".join(str(raw).strip().lower().split())
        if not text:
            raise ValueError("perioden saknas")
        period = _parse_text(text)
    if period.start > today:
        raise ValueError(f"perioden {period.label()} ligger i framtiden")
    return period


def _parse_text(text: str) -> Period:
    if text.endswith("-r12"):
        raise ValueError("R12-perioder räknas fram av panelen och laddas inte upp; ladda upp månadsvärden")
    if m := _YYYY_MM.match(text):
        month = int(m[2])
        if 1 <= month <= 12:
            return Period(int(m[1]), month=month)
    elif m := _DATE.match(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
        try:
            date(year, month, day)
        except ValueError:
            raise ValueError("ogiltigt datum") from None
        return Period(year, month=month)
    elif (m := _WORD_YEAR.match(text)) and m[1] in MONTH_WORDS:
        return Period(int(m[2]), month=MONTH_WORDS[m[1]])
    elif m := _TERTIAL.match(text):
        year = m[1] or m[4] or m[6]
        tertial = m[2] or m[3] or m[5]
        return Period(int(year), tertial=int(tertial))
    elif m := _YEAR.match(text):
        return Period(int(m[1]))
    raise ValueError("okänd period; skriv t.ex. 2025-03, mars 2025, 2025-03-31, T1 2025 eller 2025")


def to_text(col: pd.Series) -> pd.Series:
    """Cells as stripped strings (XLSX numbers become their repr, which parses back exactly)."""
    if col.dtype == object and not col.map(lambda v: isinstance(v, str)).all():
        col = col.map(lambda v: v if isinstance(v, str) else ("" if v is None else repr(v) if isinstance(v, float)
                                                              else str(v)))
    return col.astype(str).str.strip()
