"""Read an uploaded file into a table of text cells, whatever Excel or the case system wrote —
or refuse it with a Swedish reason, before it can use much memory.

What a file is comes from its content, not its name: a zip that is a workbook is read as
``.xlsx`` (also ``.xlsm``), the old ``.xls``, OpenDocument, PDF, gzip and other binary files are
refused, everything else is CSV.

CSV: the encoding from a BOM (UTF-8, UTF-16 LE/BE — Excel's "Unicode text"), else UTF-8, else a
legacy code page (cp1252 unless ``charset-normalizer`` finds cp850 or Mac Roman clearly better);
line endings CRLF, LF, CR or mixed; separator ``;``, ``,`` or tab from the header line.

XLSX: streamed (``read_only``) with hard limits checked before anything is materialised — the
zip's declared member sizes (Python's zipfile never inflates a member beyond its declared size),
the sheet's ``<dimension>``, then every row and column as it streams. Cells become text: numbers
exactly (``parsing.number_text``), percent-formatted cells as percent (0.85 → ``85 %``), dates
as ``YYYY-MM-DD``; a formula without a cached value is a row problem, never an empty cell.

Every data row keeps the row number Excel would show (header = 1), so every message can point
at it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

import pandas as pd

from asn_dash.errors import AsnError
from asn_dash.formatting import format_number
from asn_dash.uploads.parsing import BLANK, number_text

SEPARATORS = {";": "semikolon", ",": "komma", "\t": "tabb"}
MAX_COLUMNS = 512  # columns of a table (a wide sheet of 2000-01 … 2027-12 has 340)
XLSX_MAX_ROWS = 100_000  # rows of a sheet; larger uploads go as CSV
XLSX_MAX_CELLS = 2_000_000  # rows × columns kept in memory
XLSX_MAX_UNZIPPED = 50 * 1024 * 1024  # the workbook's members together, uncompressed
XLSX_MAX_MEMBERS = 1000
FORMULA_WITHOUT_VALUE = "formeln saknar sparat värde – öppna filen i Excel och spara den igen"
NEITHER = "filen är varken CSV eller Excel"


class ReadError(AsnError):
    """The file cannot be read as a table."""


@dataclass
class RawTable:
    name: str
    columns: list[str]  # header cells as written ('' for a column without a header)
    cells: pd.DataFrame  # one str column per header cell; '' for empty cells
    rows: list[int]  # Excel row number of each data row
    encoding: str = ""  # utf-8, utf-16, cp1252, … or xlsx
    separator: str = ""
    text: str = ""  # CSV: the decoded text, line endings normalised to \n (header-only reads)
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)  # (row, column, value, reason)
    sheet: str | None = None
    date1904: bool = False


def fail(name: str, reason: str, row: int | None = None) -> ReadError:
    where = f", rad {row}" if row else ""
    return ReadError(f"{name}{where}: {reason}.", f"{name}{where}: the file cannot be read as a table.")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (how Excel names the column of a cell)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def count(n: int) -> str:
    """A whole number in sv-SE: ``21 286 912`` (no-break spaces)."""
    return format_number(n)


def format_bytes(n: int) -> str:
    """``20,3 MB (21 286 912 byte)``, exact in bytes; MB = 1 048 576 byte, kB = 1 024 byte."""
    unit, size = (1024 * 1024, "MB") if n >= 100 * 1024 else (1024, "kB")
    figure = f"{n // unit}" if n % unit == 0 else f"{n / unit:.1f}".replace(".", ",")
    return f"{figure} {size} ({count(n)} byte)"


# --- what kind of file ----------------------------------------------------------------------

_BINARY = [
    (b"\xd0\xcf\x11\xe0", "det gamla Excel-formatet .xls (eller en lösenordsskyddad Excel-fil) stöds inte; spara "
                          "som .xlsx utan lösenord eller som CSV"),
    (b"%PDF", f"{NEITHER} (det är en PDF)"),
    (b"\x1f\x8b", f"{NEITHER} (det är en gzip-komprimerad fil; packa upp den först)"),
    (b"\x89PNG", f"{NEITHER} (det är en bild)"),
    (b"\xff\xd8\xff", f"{NEITHER} (det är en bild)"),
    (b"7z\xbc\xaf", f"{NEITHER} (det är ett 7z-arkiv)"),
    (b"Rar!", f"{NEITHER} (det är ett RAR-arkiv)"),
    (b"{\\rtf", f"{NEITHER} (det är ett RTF-dokument)"),
]
_BOMS = [(codecs.BOM_UTF8, "utf-8-sig", "utf-8"), (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
         (codecs.BOM_UTF32_BE, "utf-32", "utf-32"), (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16", "utf-16")]


def sniff(name: str, data: bytes) -> str:
    """``xlsx`` or ``csv`` from the content; raises ``ReadError`` for anything else."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "xlsx"
    for magic, reason in _BINARY:
        if data.startswith(magic):
            raise fail(name, reason)
    if not any(data.startswith(bom) for bom, _, _ in _BOMS) and b"\x00" in data[:65536]:
        if _utf16_without_bom(data):
            return "csv"
        first = data.index(b"\x00")
        raise fail(name, f"{NEITHER} (den innehåller binära data, t.ex. ett NUL-tecken vid byte {first})")
    return "csv"


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM: ASCII characters leave every other byte NUL."""
    head = data[:4096]
    if len(head) < 4 or len(head) % 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 0.4 * len(head) / 2 and even == 0:
        return "utf-16-le"
    if even > 0.4 * len(head) / 2 and odd == 0:
        return "utf-16-be"
    return None


# --- CSV ------------------------------------------------------------------------------------


def decode(name: str, data: bytes) -> tuple[str, str]:
    """The text (line endings normalised to ``\\n``) and the encoding it was in."""
    text, encoding = _decode(name, data)
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def _decode(name: str, data: bytes) -> tuple[str, str]:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), label
            except UnicodeDecodeError as exc:
                raise fail(name, f"filen börjar som {label} men är inte giltig {label} (byte {exc.start}); "
                                 f"spara den igen som CSV UTF-8 från Excel") from None
    if codec := _utf16_without_bom(data):
        try:
            return data.decode(codec), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    if _UTF8_SEQUENCE.search(data):
        raise fail(name, f"filen blandar teckenkodningar: den har tecken i UTF-8 men byte {bad} är inte UTF-8; "
                         f"spara filen som CSV UTF-8 från Excel")
    codec = _legacy_code_page(data)
    if codec is None:
        raise fail(name, f"okänd teckenkodning (byte {bad}); spara filen som CSV UTF-8 från Excel")
    return data.decode(codec), codec


# Åäö and other letters as UTF-8 (two or three bytes): never in a Swedish cp1252 text.
_UTF8_SEQUENCE = re.compile(b"[\xc3\xc2][\x80-\xbf]|\xe2[\x80-\x84][\x80-\xbf]")
_SWEDISH = set("åäöÅÄÖ")


def _legacy_code_page(data: bytes) -> str | None:
    """cp1252 (Windows Excel in Sweden), unless charset-normalizer finds cp850 (DOS) or Mac
    Roman clearly less chaotic: on a tie cp1252 wins, so a cp1252 file is always read as
    cp1252. When cp1252 cannot decode the bytes, another code page is taken only if it gives
    Swedish letters; None when nothing fits."""
    from charset_normalizer import from_bytes

    chaos = {m.encoding: m.chaos for m in from_bytes(data, cp_isolation=["cp1252", "cp850", "mac_roman"])}
    if "cp1252" in chaos:
        best = min(chaos, key=chaos.get)
        return "cp1252" if chaos["cp1252"] <= chaos[best] + 0.01 else best
    for codec in sorted(chaos, key=chaos.get):
        if _SWEDISH & set(data.decode(codec, errors="replace")):
            return codec
    return None


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
        raise fail(name, "rubrikraden har bara en kolumn; avgränsa kolumnerna med semikolon, komma eller tabb", row=1)
    return sep


def _records(name: str, text: str, sep: str):
    """CSV records of ``text`` with Swedish errors for broken quoting."""
    csv.field_size_limit(1 << 30)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', doublequote=True, strict=True)
    n = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = str(exc)
            if "end of data" in reason or "EOF" in reason:
                raise fail(name, 'ett citattecken (") öppnas men stängs aldrig; kontrollera citattecknen',
                           row=n + 1) from None
            raise fail(name, 'fel citattecken: text direkt efter ett avslutande citattecken ("); skriv citattecken '
                             'i ett värde som två ("") och sätt hela värdet inom citattecken', row=n + 1) from None
        n += 1
        yield record


def _blank(text: str) -> bool:
    return re.fullmatch(f"{BLANK}*", text) is not None


def read_csv_header(name: str, data: bytes) -> RawTable:
    """The header of a CSV (for layout detection), its encoding, separator and decoded text."""
    text, encoding = decode(name, data)
    if text.startswith("\ufeff"):
        text = text[1:]
    if _blank(text):
        raise fail(name, "filen är tom")
    first_line = text.split("\n", 1)[0]
    if _blank(first_line):
        raise fail(name, "första raden ska vara rubrikraden (den är tom)", row=1)
    sep = detect_separator(name, first_line)
    header = next(_records(name, text, sep))
    if len(header) > MAX_COLUMNS:
        raise fail(name, f"rubrikraden har {count(len(header))} kolumner; högst {MAX_COLUMNS} går att läsa in", row=1)
    return RawTable(name, header, pd.DataFrame(), [], encoding, sep, text)


def read_csv(name: str, data: bytes) -> RawTable:
    table = read_csv_header(name, data)
    records = _records(name, table.text, table.separator)
    next(records)
    width = len(table.columns)
    body, rows = [], []
    for n, record in enumerate(records, start=2):
        if len(record) != width:
            if all(_blank(c) for c in record):
                continue
            raise fail(name, f"raden har {len(record)} kolumner men rubrikraden har {width}; kontrollera "
                             f"avgränsare och citattecken", row=n)
        body.append(record)
        rows.append(n)
    table.cells = pd.DataFrame(body, columns=range(width), dtype=object) if body else \
        pd.DataFrame({i: pd.Series([], dtype=object) for i in range(width)})
    table.rows = rows
    table.text = ""
    return _drop_empty(table)


# --- XLSX -----------------------------------------------------------------------------------


def check_workbook_zip(name: str, data: bytes) -> None:
    """Refuse a workbook whose members would unpack beyond the limits, before reading any."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise fail(name, f"filen är inte en läsbar Excel-fil (.xlsx) (zip-arkivet är trasigt: {type(exc).__name__})") \
            from None
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
            raise fail(name, "OpenDocument-kalkylblad (.ods) stöds inte; spara som .xlsx eller CSV")
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise fail(name, f"{NEITHER} (det är ett zip-arkiv, inte en Excel-arbetsbok)")
        if len(members) > XLSX_MAX_MEMBERS:
            raise fail(name, f"Excel-filen har {len(members)} delar; högst {XLSX_MAX_MEMBERS} går att läsa")
        unzipped = sum(m.file_size for m in members)
        if unzipped > XLSX_MAX_UNZIPPED:
            raise fail(name, f"Excel-filen packas upp till {format_bytes(unzipped)}; gränsen är "
                             f"{format_bytes(XLSX_MAX_UNZIPPED)}. Spara bladet som CSV (UTF-8) och ladda upp det")


def _parser_class():
    from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        """openpyxl's streaming sheet parser, telling a formula without a cached value from an
        empty cell (``data_only`` gives ``None`` for both)."""

        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(VALUE_TAG) is None:
                formula = element.find(FORMULA_TAG)
                if formula is not None:
                    cell["value"] = _NoCachedValue("=" + (formula.text or ""))
            return cell

    return Parser


class _NoCachedValue(str):
    """A formula cell saved without its value (e.g. written by a program, never opened in Excel)."""


_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _is_percent_format(fmt: str) -> bool:
    """Excel scales by 100 for a % outside quotes, escapes and [..] sections (``0.00" %"`` does not)."""
    return "%" in _QUOTED.sub("", fmt or "")


def _cell_text(value, percent: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, (int, float)):
        try:
            return number_text(value, 2) + " %" if percent else number_text(value)
        except ValueError:  # NaN or infinity written into the file
            return str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


def _choose_sheet(name: str, book, sheet: str | None):
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    listed = ", ".join(book.sheetnames[:10]) + (" …" if len(book.sheetnames) > 10 else "")
    if sheet:
        chosen = [n for n in book.sheetnames if n == sheet] or [
            n for n in book.sheetnames if n.strip().lower() == sheet.strip().lower()]
        if len(chosen) != 1:
            raise fail(name, f"bladet '{sheet}' finns inte; filen har {listed}")
        ws = book[chosen[0]]
        if not isinstance(ws, ReadOnlyWorksheet):
            raise fail(name, f"bladet '{chosen[0]}' är ett diagram, inte en tabell")
        return ws
    sheets = [ws for ws in book.worksheets if isinstance(ws, ReadOnlyWorksheet)]
    if not sheets:
        raise fail(name, "Excel-filen har inget kalkylblad")
    visible = [ws for ws in sheets if ws.sheet_state == "visible"]
    return (visible or sheets)[0]


def _check_dimension(name: str, ws) -> None:
    """The sheet's own declaration of its size (``<dimension ref="A1:XFD30000"/>``)."""
    rows, cols = ws.max_row, ws.max_column
    if cols and cols > MAX_COLUMNS:
        raise fail(name, f"bladet '{ws.title}' har {count(cols)} kolumner (till kolumn {column_letter(cols - 1)}); "
                         f"högst {MAX_COLUMNS} går att läsa in")
    if rows and rows > XLSX_MAX_ROWS:
        raise fail(name, _too_many_rows(ws.title, rows))
    if rows and cols and rows * cols > XLSX_MAX_CELLS:
        raise fail(name, _too_many_cells(ws.title, rows, cols))


def _too_many_rows(title: str, rows: int) -> str:
    return (f"bladet '{title}' har {count(rows)} rader; högst {count(XLSX_MAX_ROWS)} går att läsa från Excel. "
            f"Spara bladet som CSV (UTF-8) och ladda upp det")


def _too_many_cells(title: str, rows: int, cols: int) -> str:
    return (f"bladet '{title}' har {count(rows)} rader × {count(cols)} kolumner; högst {count(XLSX_MAX_CELLS)} celler "
            f"går att läsa från Excel. Ta bort tomma kolumner eller spara bladet som CSV")


def read_xlsx(name: str, data: bytes, sheet: str | None = None) -> RawTable:
    check_workbook_zip(name, data)
    from openpyxl import load_workbook
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise fail(name, f"filen är inte en läsbar Excel-fil (.xlsx) ({type(exc).__name__})") from None
    try:
        ws = _choose_sheet(name, book, sheet)
        _check_dimension(name, ws)
        percent_styles: dict[int, bool] = {}

        def percent(style_id: int) -> bool:
            if style_id not in percent_styles:
                try:
                    fmt_id = book._cell_styles[style_id].numFmtId
                    fmt = BUILTIN_FORMATS.get(fmt_id, "General") if fmt_id < BUILTIN_FORMATS_MAX_SIZE else \
                        book._number_formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE]
                except (IndexError, KeyError, TypeError):
                    fmt = "General"
                percent_styles[style_id] = _is_percent_format(fmt)
            return percent_styles[style_id]

        with book._archive.open(ws._worksheet_path) as src:
            parser = _parser_class()(src, ws._shared_strings, data_only=True, epoch=book.epoch,
                                     date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
            table = _stream_rows(name, ws.title, parser, percent)
        table.sheet = ws.title
        table.date1904 = book.epoch.year == 1904
    except ReadError:
        raise
    except Exception as exc:  # a sheet openpyxl cannot parse (bad XML, bad cell references …)
        raise fail(name, f"bladet går inte att läsa ({type(exc).__name__}); spara filen igen från Excel") from None
    finally:
        book.close()
    return _drop_empty(table)


def _stream_rows(name: str, title: str, parser, percent) -> RawTable:
    header: list[str] | None = None
    width = 0
    body: list[list[str]] = []
    rows: list[int] = []
    problems: list[tuple[int, int, str]] = []  # (row, column index, formula)
    for index, cells in parser.parse():
        if index > XLSX_MAX_ROWS:
            raise fail(name, _too_many_rows(title, index))
        if not cells:
            continue
        last = max(c["column"] for c in cells)
        if last > MAX_COLUMNS:
            raise fail(name, f"bladet '{title}' har värden i kolumn {column_letter(last - 1)}; högst {MAX_COLUMNS} "
                             f"kolumner går att läsa in", row=index)
        values = [""] * last
        for c in cells:
            value = c["value"]
            if isinstance(value, _NoCachedValue):
                problems.append((index, c["column"] - 1, str(value)))
                value = None
            values[c["column"] - 1] = _cell_text(value, c["data_type"] == "n" and percent(c["style_id"]))
        if header is None:
            if index != 1 or all(_blank(v) for v in values):
                raise fail(name, "första raden ska vara rubrikraden (den är tom)", row=1)
            header = values
            while header and _blank(header[-1]):
                header.pop()
            width = len(header)
            continue
        if all(_blank(v) for v in values):
            continue
        last_filled = max(i for i, v in enumerate(values) if not _blank(v)) + 1
        if last_filled > width:  # a value right of the header: kept, so it is reported, not dropped
            for row in body:
                row.extend([""] * (last_filled - width))
            header.extend([""] * (last_filled - width))
            width = last_filled
        if (len(body) + 1) * width > XLSX_MAX_CELLS:
            raise fail(name, _too_many_cells(title, index, width))
        body.append(values[:width] + [""] * (width - len(values)))
        rows.append(index)
    if header is None:
        raise fail(name, "första raden ska vara rubrikraden (den är tom)", row=1)
    columns = header
    cells = pd.DataFrame(body, columns=range(width), dtype=object) if body else \
        pd.DataFrame({i: pd.Series([], dtype=object) for i in range(width)})
    found = [(row, columns[col] if col < width and columns[col] else column_letter(col), formula,
              FORMULA_WITHOUT_VALUE) for row, col, formula in problems]
    return RawTable(name, columns, cells, rows, "xlsx", "", problems=found)


def _drop_empty(table: RawTable) -> RawTable:
    """Drop rows whose every cell is blank (Excel leaves them at the end)."""
    if table.cells.empty:
        return table
    blank = table.cells.apply(lambda col: col.str.fullmatch(f"{BLANK}*"))
    keep = ~blank.all(axis=1)
    if keep.all():
        return table
    table.cells = table.cells[keep.values].reset_index(drop=True)
    table.rows = [r for r, k in zip(table.rows, keep.values) if k]
    return table


def read_upload(name: str, data: bytes, sheet: str | None = None) -> RawTable:
    if sniff(name, data) == "xlsx":
        return read_xlsx(name, data, sheet)
    return read_csv(name, data)
