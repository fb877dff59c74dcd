"""Export stored values in the upload's long format, so an export re-ingested changes nothing:
numbers in the exact text the number grammar reads back (``parsing.number_text``), text cells
guarded against spreadsheet formulas in a way ingest undoes exactly, every value kind (the
``typ`` column, written when the export holds a prognos or budget) and the newest comment of
each indicator, unit and period (once, on its utfall row when there is one)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pandas as pd

from asn_dash.rules.periods import parse_key
from asn_dash.store.store import UTFALL, Store
from asn_dash.texts import for_export
from asn_dash.uploads.parsing import guard, number_text

HEADER = ["indikator", "enhet", "period", "värde", "kommentar"]
KIND_HEADER = "typ"


def safe_text(text: str) -> str:
    """Stored text as every export writes it: without the control characters XML and spreadsheets
    refuse (``texts.for_export``; texts stored before input was checked may hold them) and guarded
    so a spreadsheet will not run it as a formula (OWASP CSV injection)."""
    return guard(for_export(text))


def _value(r, as_text: bool):
    if isinstance(r.text_value, str):
        return safe_text(r.text_value)
    if pd.isna(r.value):
        return ""
    return number_text(float(r.value)) if as_text else float(r.value)


def _comment(r) -> str:
    return safe_text(r.comment) if isinstance(r.comment, str) else ""


def rows(store: Store, indicators: list[str] | None = None, units: list[str] | None = None,
         first: str | None = None, last: str | None = None) -> pd.DataFrame:
    """Stored values of every kind as rows of the long upload format (unit written by its current
    name)."""
    start = parse_key(first).start if first else date(1900, 1, 1)
    end = parse_key(last).end if last else date(2999, 12, 31)
    frame = store.query(
        """
        SELECT o.indicator_id, o.period, o.value_kind, o.value, o.text_value,
               (SELECT h.name FROM unit_history h WHERE h.unit_id = o.unit_id ORDER BY h.valid_from DESC LIMIT 1) AS unit,
               CASE WHEN row_number() OVER (PARTITION BY o.indicator_id, o.unit_id, o.period ORDER BY o.kind) = 1 THEN
               (SELECT c.text FROM comments c WHERE c.indicator_id = o.indicator_id AND c.unit_id = o.unit_id
                  AND c.period = o.period ORDER BY c.created_at DESC, c.id DESC LIMIT 1) END AS comment
        FROM observations_all o
        WHERE o.period_end BETWEEN ? AND ?
          AND (? IS NULL OR list_contains(?, o.indicator_id))
          AND (? IS NULL OR list_contains(?, o.unit_id))
        ORDER BY o.indicator_id, o.unit_id, o.period_end, o.period_kind, o.kind
        """,
        [start, end, indicators, indicators, units, units])
    return frame


def _layout(frame: pd.DataFrame) -> tuple[list[str], Callable]:
    """The header and a row builder: with ``typ`` after ``period`` when the values include a
    prognos or budget (an export of utfall only keeps the plain layout)."""
    kinds = "value_kind" in frame and frame["value_kind"].ne(UTFALL).any()
    if not kinds:
        return HEADER, lambda r, value, comment: [r.indicator_id, r.unit, r.period, value, comment]
    header = HEADER[:3] + [KIND_HEADER] + HEADER[3:]
    return header, lambda r, value, comment: [r.indicator_id, r.unit, r.period, r.value_kind, value, comment]


def to_csv(frame: pd.DataFrame) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    header, row = _layout(frame)
    writer.writerow(header)
    for r in frame.itertuples(index=False):
        writer.writerow(row(r, _value(r, as_text=True), _comment(r)))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def to_xlsx(frame: pd.DataFrame) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Värden")
    header, row = _layout(frame)
    sheet.append(header)
    for r in frame.itertuples(index=False):
        sheet.append(row(r, _value(r, as_text=False), _comment(r) or None))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
