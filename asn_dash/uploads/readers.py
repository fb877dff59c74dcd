"""Read an uploaded file into a table of cells, whatever Excel or the case system wrote.

CSV: UTF-8 (with or without BOM) or cp1252, separator ``;``, ``,`` or tab detected from the
header line. XLSX: the first sheet or a named one. Every data row keeps the row number Excel
would show (header = 1), so every message can point at it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pandas as pd

from asn_dash.errors import AsnError

SEPARATORS = {";": "semikolon", ",": "komma", "\t": "tabb"}


class ReadError(AsnError):
    """The file cannot be read as a table."""


@dataclass
class RawTable:
    name: str
    columns: list[str]  # header cells as written
    cells: pd.DataFrame  # object dtype; '' for empty cells; numbers/dates kept from XLSX
    rows: list[int]  # Excel row number of each data row
    encoding: str = ""
    separator: str = ""


def _fail(name: str, reason: str, row: int | None = None) -> ReadError:
    where = f", rad {row}" if row else ""
    return ReadError(f"{name}{where}: {reason}.", f"{name}{where}: the file cannot be read as a table.")


def decode(name: str, data: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 (BOM or not) first, then cp1252."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise _fail(name, f"okänd teckenkodning (byte {exc.start}); spara filen som CSV UTF-8 från Excel") from None


def detect_separator(name: str, header_line: str) -> str:
    counts = {sep: 0 for sep in SEPARATORS}
    quoted = False
    for ch in header_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    sep, n = max(counts.items(), key=lambda kv: kv[1])
    if n == 0:
        raise _fail(name, "rubrikraden har bara en kolumn; avgränsa kolumnerna med semikolon, komma eller tabb",
                    row=1)
    return sep


def read_csv(name: str, data: bytes) -> RawTable:
    text, encoding = decode(name, data)
    if not text.strip():
        raise _fail(name, "filen är tom")
    header_line = text[: text.find("\n")] if "\n" in text else text
    if not header_line.strip():
        raise _fail(name, "första raden ska vara rubrikraden (den är tom)", row=1)
    sep = detect_separator(name, header_line)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, skip_blank_lines=False,
                            engine="c", quotechar='"', quoting=csv.QUOTE_MINIMAL, header=0)
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise _fail(name, f"raden har {m[3]} kolumner men rubrikraden har {m[1]}; kontrollera avgränsare och "
                              f"citattecken", row=int(m[2])) from None
        raise _fail(name, f"filen går inte att tolka som CSV ({str(exc).splitlines()[-1]})") from None
    columns = [str(c) for c in frame.columns]
    rows = list(range(2, len(frame) + 2))
    frame.columns = range(len(columns))
    return _drop_empty(RawTable(name, columns, frame, rows, encoding, sep))


def read_xlsx(name: str, data: bytes, sheet: str | None = None) -> RawTable:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _fail(name, f"filen är inte en läsbar Excel-fil (.xlsx) ({type(exc).__name__})") from None
    try:
        if sheet:
            if sheet not in book.sheetnames:
                raise _fail(name, f"bladet '{sheet}' finns inte; filen har {', '.join(book.sheetnames)}")
            ws = book[sheet]
        else:
            ws = book.worksheets[0]
        values = list(ws.iter_rows(values_only=True))
    finally:
        book.close()
    if not values or all(v is None for v in values[0]):
        raise _fail(name, "första raden ska vara rubrikraden (den är tom)", row=1)
    header = ["" if v is None else str(v).strip() for v in values[0]]
    while header and header[-1] == "":
        header.pop()
    body = [[("" if v is None else v) for v in row[: len(header)]] + [""] * (len(header) - len(row))
            for row in values[1:]]
    frame = pd.DataFrame(body, columns=range(len(header)), dtype=object)
    return _drop_empty(RawTable(name, header, frame, list(range(2, len(body) + 2)), "xlsx", ""))


def _drop_empty(table: RawTable) -> RawTable:
    """Drop rows whose every cell is empty (Excel leaves them at the end)."""
    if table.cells.empty:
        return table
    if table.encoding == "xlsx":
        blank = table.cells.apply(lambda col: col.map(lambda v: isinstance(v, str) and v.strip() == ""))
    else:  # CSV cells are all strings: stay vectorised for large files
        blank = table.cells.apply(lambda col: col.str.strip() == "")
    keep = ~blank.all(axis=1)
    if keep.all():
        return table
    table.cells = table.cells[keep.values].reset_index(drop=True)
    table.rows = [r for r, k in zip(table.rows, keep.values) if k]
    return table


def read_upload(name: str, data: bytes, sheet: str | None = None) -> RawTable:
    if name.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(name, data, sheet)
    if name.lower().endswith(".xls"):
        raise _fail(name, "det gamla Excel-formatet .xls stöds inte; spara som .xlsx eller CSV")
    if data[:4] == b"PK\x03\x04":
        return read_xlsx(name, data, sheet)
    return read_csv(name, data)
