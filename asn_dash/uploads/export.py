"""Export stored values in the upload's long format, so an export re-ingested changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd

from asn_dash.rules.periods import parse_key
from asn_dash.store.store import Store

HEADER = ["indikator", "enhet", "period", "värde"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a leading apostrophe), see OWASP CSV injection."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _number(value: float) -> str:
    text = format(value, ".15g")
    return text.replace(".", ",")


def rows(store: Store, indicators: list[str] | None = None, units: list[str] | None = None,
         first: str | None = None, last: str | None = None) -> pd.DataFrame:
    """Stored values as rows of the long upload format (unit written by its current name)."""
    start = parse_key(first).start if first else date(1900, 1, 1)
    end = parse_key(last).end if last else date(2999, 12, 31)
    frame = store.query(
        """
        SELECT o.indicator_id, o.period, o.value, o.text_value,
               (SELECT h.name FROM unit_history h WHERE h.unit_id = o.unit_id ORDER BY h.valid_from DESC LIMIT 1) AS unit
        FROM observations o
        WHERE o.period_end BETWEEN ? AND ?
          AND (? IS NULL OR list_contains(?, o.indicator_id))
          AND (? IS NULL OR list_contains(?, o.unit_id))
        ORDER BY o.indicator_id, o.unit_id, o.period_end, o.period_kind
        """,
        [start, end, indicators, indicators, units, units])
    return frame


def to_csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for r in frame.itertuples(index=False):
        value = safe_text(r.text_value) if isinstance(r.text_value, str) else _number(r.value)
        writer.writerow([r.indicator_id, r.unit, r.period, value])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def to_xlsx(frame: pd.DataFrame) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Värden")
    sheet.append(HEADER)
    for r in frame.itertuples(index=False):
        value = safe_text(r.text_value) if isinstance(r.text_value, str) else float(r.value)
        sheet.append([r.indicator_id, r.unit, r.period, value])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
