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

import bisect
import codecs
import csv
import functools
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from asn_dash.errors import AsnError
from asn_dash.formatting import format_number
from asn_dash.uploads.parsing import BLANK, number_text

if TYPE_CHECKING:  # the cells become a DataFrame only in full reads; a header read imports no pandas
    import pandas as pd

SEPARATORS = {";": "semikolon", ",": "komma", "\t": "tabb"}
MAX_COLUMNS = 512  # columns of a table (a wide sheet of 2000-01 … 2027-12 has 340)
XLSX_MAX_ROWS = 100_000  # rows of a sheet; larger uploads go as CSV
XLSX_MAX_CELLS = 2_000_000  # rows × columns kept in memory
XLSX_MAX_UNZIPPED = 50 * 1024 * 1024  # the workbook's members together, uncompressed
XLSX_MAX_MEMBERS = 1000
FORMULA_WITHOUT_VALUE = "formeln saknar sparat värde – öppna filen i Excel och spara den igen"
XLSX_MAX_MERGES = 10_000  # merged ranges of a sheet (each is checked against the table)
MERGED = ("cellen ingår i de sammanfogade cellerna {ref} och läses som tom (Excel sparar värdet bara i den "
          "första cellen); dela upp sammanfogningen och skriv värdet i varje cell")
NEITHER = "filen är varken CSV eller Excel"
EMPTY_FIRST_ROW = "första raden ska vara rubrikraden (den är tom)"


class ReadError(AsnError):
    """The file cannot be read as a table."""


@dataclass
class RawTable:
    name: str
    columns: list[str]  # header cells as written ('' for a column without a header)
    cells: pd.DataFrame | None  # one str column per header cell; '' for empty cells; None: header only
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
    if (nul := text.find("\x00")) >= 0:  # binary data after the part sniff() looked at
        raise fail(name, f"{NEITHER} (den innehåller binära data, t.ex. ett NUL-tecken vid tecken {nul})")
    if "\r" in text:  # one scan when there is none (most files)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding


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


def _lines(text: str):
    """The lines of ``text`` (normalised to ``\\n``) one by one, each with its newline: the csv
    reader takes as many as a record needs, without a copy of the whole text."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        stop = end if stop < 0 else stop + 1
        yield text[start:stop]
        start = stop


def _records(name: str, text: str, sep: str, lazy: bool = False):
    """CSV records of ``text`` with Swedish errors for broken quoting; ``lazy``: lines are cut
    from the text as records need them (for reading the first record of a large file)."""
    csv.field_size_limit(1 << 30)
    source = _lines(text) if lazy else io.StringIO(text, newline="")
    reader = csv.reader(source, delimiter=sep, quotechar='"', doublequote=True, strict=True)
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
            if "expected after" in reason:
                raise fail(name, 'fel citattecken: text direkt efter ett avslutande citattecken ("); skriv '
                                 'citattecken i ett värde som två ("") och sätt hela värdet inom citattecken',
                           row=n + 1) from None
            raise fail(name, f"filen går inte att tolka som CSV ({reason})", row=n + 1) from None
        n += 1
        yield record


_BLANK_RE = re.compile(f"{BLANK}*")


def _blank(text: str) -> bool:
    return _BLANK_RE.fullmatch(text) is not None


_SEP_LINE = re.compile("sep=([;,\t|])[ \t]*\n", re.IGNORECASE)


def read_csv_header(name: str, data: bytes) -> RawTable:
    """The header of a CSV (for layout detection), its encoding, separator and decoded text.
    Excel's separator line (``sep=;``) is honoured and, as in Excel, not counted as a row."""
    text, encoding = decode(name, data)
    if text.startswith("\ufeff"):
        text = text[1:]
    sep = None
    if m := _SEP_LINE.match(text):
        sep, text = m[1], text[m.end():]
    if _blank(text):
        raise fail(name, "filen är tom")
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]  # not text.split(): that copies the whole rest
    if _blank(first_line):
        raise fail(name, EMPTY_FIRST_ROW, row=1)
    sep = sep or detect_separator(name, first_line)
    header = next(_records(name, text, sep, lazy=True))
    if all(_blank(c) for c in header):  # ';;;': a row of empty cells, as an empty first row of a sheet
        raise fail(name, EMPTY_FIRST_ROW, row=1)
    if len(header) > MAX_COLUMNS:
        raise fail(name, f"rubrikraden har {count(len(header))} kolumner; högst {MAX_COLUMNS} går att läsa in", row=1)
    return RawTable(name, header, None, [], encoding, sep, text)


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
            if len(record) > width and all(_blank(c) for c in record[width:]):
                # a line ending in separators (``;;;``): blank cells right of the header carry
                # nothing, as in a workbook (and as DuckDB's reader takes them)
                body.append(record[:width])
                rows.append(n)
                continue
            raise fail(name, f"raden har {len(record)} kolumner men rubrikraden har {width}; kontrollera "
                             f"avgränsare och citattecken", row=n)
        body.append(record)
        rows.append(n)
    table.cells = _cells(body, width)
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
        if "xl/workbook.bin" in names:
            raise fail(name, "binära Excel-arbetsböcker (.xlsb) stöds inte; spara som .xlsx eller CSV")
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise fail(name, f"{NEITHER} (det är ett zip-arkiv, inte en Excel-arbetsbok)")
        if len(members) > XLSX_MAX_MEMBERS:
            raise fail(name, f"Excel-filen har {len(members)} delar; högst {XLSX_MAX_MEMBERS} går att läsa")
        unzipped = sum(m.file_size for m in members)
        if unzipped > XLSX_MAX_UNZIPPED:
            raise fail(name, f"Excel-filen packas upp till {format_bytes(unzipped)}; gränsen är "
                             f"{format_bytes(XLSX_MAX_UNZIPPED)}. Spara bladet som CSV (UTF-8) och ladda upp det")


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _FORMULA, _TEXT, _MERGES, _MERGE = (_NS + t for t in ("row", "c", "v", "f", "t", "mergeCells",
                                                                          "mergeCell"))
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]*)")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([^"]*)"')


class _NoCachedValue(str):
    """A formula cell saved without its value (e.g. written by a program, never opened in Excel)."""


@functools.lru_cache(maxsize=4096)
def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _open_book(data: bytes):
    """The workbook's parts that are small and needed (sheet list, shared strings, styles) —
    not openpyxl's worksheets, whose constructor scans a whole sheet that lacks ``<dimension>``."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(io.BytesIO(data), read_only=True, keep_vba=False, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [(sheet.name, sheet.state or "visible", rel.target, "chartsheet" in (rel.Type or ""))
                  for sheet, rel in reader.parser.find_sheets() if rel.target in reader.valid_files]
    except BaseException:
        reader.archive.close()
        raise
    return reader, sheets


def _choose_sheet(name: str, sheets: list, sheet: str | None) -> tuple[str, str]:
    """(title, member path): the named sheet, else the first visible one."""
    titles = [s[0] for s in sheets]
    listed = ", ".join(titles[:10]) + (" …" if len(titles) > 10 else "")
    if sheet:
        chosen = [s for s in sheets if s[0] == sheet] or [s for s in sheets if s[0].strip().lower() ==
                                                            sheet.strip().lower()]
        if len(chosen) != 1:
            raise fail(name, f"bladet '{sheet}' finns inte; filen har {listed}")
        if chosen[0][3]:
            raise fail(name, f"bladet '{chosen[0][0]}' är ett diagram, inte en tabell")
        return chosen[0][0], chosen[0][2]
    tables = [s for s in sheets if not s[3]]
    if not tables:
        raise fail(name, "Excel-filen har inget kalkylblad")
    first = ([s for s in tables if s[1] == "visible"] or tables)[0]
    return first[0], first[2]


def _declared_size(archive, path: str) -> tuple[int, int] | None:
    """(rows, columns) from the sheet's ``<dimension ref="A1:XFD30000"/>``, which comes before
    the cells: only the start of the sheet is read."""
    with archive.open(path) as src:
        head = src.read(64 * 1024)
    m = _DIMENSION.search(head)
    if not m:
        return None
    last = m[1].decode("ascii", "replace").split(":")[-1]
    ref = _REF.fullmatch(last)
    if not ref:
        return None
    return int(ref[2] or 0), _column_number(ref[1])


def _check_dimension(name: str, title: str, size: tuple[int, int] | None) -> None:
    if not size:
        return
    rows, cols = size
    if cols > MAX_COLUMNS:
        raise fail(name, f"bladet '{title}' har {count(cols)} kolumner (till kolumn {column_letter(cols - 1)}); "
                         f"högst {MAX_COLUMNS} går att läsa in")
    if rows > XLSX_MAX_ROWS:
        raise fail(name, _too_many_rows(title, rows))
    if rows * cols > XLSX_MAX_CELLS:
        raise fail(name, _too_many_cells(title, rows, cols))


def _too_many_rows(title: str, rows: int) -> str:
    return (f"bladet '{title}' har {count(rows)} rader; högst {count(XLSX_MAX_ROWS)} går att läsa från Excel. "
            f"Spara bladet som CSV (UTF-8) och ladda upp det")


def _too_many_cells(title: str, rows: int, cols: int) -> str:
    return (f"bladet '{title}' har {count(rows)} rader × {count(cols)} kolumner; högst {count(XLSX_MAX_CELLS)} celler "
            f"går att läsa från Excel. Ta bort tomma kolumner eller spara bladet som CSV")


_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _is_percent_format(fmt: str) -> bool:
    """Excel scales by 100 for a % outside quotes, escapes and [..] sections (``0.00" %"`` does not)."""
    return "%" in _QUOTED.sub("", fmt or "")


class _Styles:
    """What a cell's style says about its number: a date (and which epoch), or a percentage."""

    def __init__(self, wb):
        from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

        self.epoch = wb.epoch
        self.dates = set(wb._date_formats)
        self.durations = set(wb._timedelta_formats)
        self.percent = set()
        for style_id, style in enumerate(wb._cell_styles):
            fmt_id = style.numFmtId
            try:
                fmt = BUILTIN_FORMATS.get(fmt_id, "General") if fmt_id < BUILTIN_FORMATS_MAX_SIZE else \
                    wb._number_formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE]
            except IndexError:
                fmt = "General"
            if _is_percent_format(fmt):
                self.percent.add(style_id)


def _number_cell(text: str, style: int, styles: _Styles) -> str:
    from openpyxl.utils.datetime import from_excel

    number = float(text)
    if number.is_integer() and abs(number) < 2 ** 53 and "." not in text and "e" not in text.lower():
        number = int(number)
    if style in styles.dates:
        try:
            return _cell_text(from_excel(number, styles.epoch, timedelta=style in styles.durations))
        except (OverflowError, ValueError):
            return "#VALUE!"
    return _cell_text(number, style in styles.percent)


def _sheet_rows(src, shared: list, styles: _Styles, merges: list[str]):
    """(Excel row number, [(column number, text)]) for each row of a sheet, streamed: each row's
    cells are dropped once read. Formula cells without a cached value come as ``_NoCachedValue``.
    The merged ranges (``B2:B3``; they follow the rows) are appended to ``merges``, at most
    ``XLSX_MAX_MERGES`` + 1."""
    from xml.etree.ElementTree import iterparse

    index = 0
    container = None
    for event, el in iterparse(src, events=("start", "end")):
        if event == "start":
            if el.tag == _MERGES:
                container = el
            continue
        if el.tag == _MERGE:
            if len(merges) <= XLSX_MAX_MERGES:
                merges.append(el.get("ref") or "")
            if container is not None:
                container.remove(el)  # nothing of a read range stays
            continue
        if el.tag != _ROW:
            continue
        index = int(el.get("r")) if el.get("r") else index + 1
        cells = []
        column = 0
        for c in el:
            if c.tag != _CELL:
                continue
            ref = _REF.match(c.get("r") or "")
            column = _column_number(ref[1]) if ref else column + 1
            cells.append((column, _cell_value(c, shared, styles)))
        el.clear()  # what stays of a read row is an empty element (bounded by XLSX_MAX_ROWS)
        yield index, cells


def _cell_value(c, shared: list, styles: _Styles):
    """One ``<c>`` element of a sheet as the text the reader checks (``_NoCachedValue`` for a
    formula without a cached value)."""
    kind = c.get("t", "n")
    v = c.find(_VALUE)
    text = v.text if v is not None else None
    if kind == "inlineStr":
        return "".join(t.text or "" for t in c.iter(_TEXT))
    if not text:
        f = c.find(_FORMULA)
        if f is not None and (v is None or kind not in ("str", "s")):
            return _NoCachedValue("=" + (f.text or ""))
        return ""
    if kind == "s":
        value = shared[int(text)]
        return value if isinstance(value, str) else str(value)
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return "Ja" if text.strip() in ("1", "true") else "Nej"
    if kind == "d":
        from openpyxl.utils.datetime import from_ISO8601

        return _cell_text(from_ISO8601(text))
    return _number_cell(text, int(c.get("s", 0)), styles)


def _cell_text(value, percent: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
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


def read_xlsx(name: str, data: bytes, sheet: str | None = None) -> RawTable:
    check_workbook_zip(name, data)
    try:
        reader, sheets = _open_book(data)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise fail(name, f"filen är inte en läsbar Excel-fil (.xlsx) ({type(exc).__name__})") from None
    try:
        title, path = _choose_sheet(name, sheets, sheet)
        _check_dimension(name, title, _declared_size(reader.archive, path))
        merges: list[str] = []
        with reader.archive.open(path) as src:
            table = _stream_rows(name, title, _sheet_rows(src, reader.shared_strings, _Styles(reader.wb), merges))
        if len(merges) > XLSX_MAX_MERGES:
            raise fail(name, f"bladet '{title}' har fler än {count(XLSX_MAX_MERGES)} sammanfogade cellområden; "
                             f"dela upp dem eller spara bladet som CSV")
        table.problems += _merged_cells(table, merges)
        table.sheet = title
        table.date1904 = reader.wb.epoch.year == 1904
    except ReadError:
        raise
    except Exception as exc:  # a sheet that cannot be parsed (bad XML, bad cell references …)
        raise fail(name, f"bladet går inte att läsa ({type(exc).__name__}); spara filen igen från Excel") from None
    finally:
        reader.archive.close()
    return _drop_empty(table)


def _stream_rows(name: str, title: str, rows_of_cells) -> RawTable:
    header: list[str] | None = None
    width = 0
    body: list[list[str]] = []
    rows: list[int] = []
    problems: list[tuple[int, int, str]] = []  # (row, column index, formula)
    for index, cells in rows_of_cells:
        if index > XLSX_MAX_ROWS:
            raise fail(name, _too_many_rows(title, index))
        if not cells:
            continue
        last = max(c for c, _ in cells)
        if last > MAX_COLUMNS:
            raise fail(name, f"bladet '{title}' har värden i kolumn {column_letter(last - 1)}; högst {MAX_COLUMNS} "
                             f"kolumner går att läsa in", row=index)
        values = [""] * last
        for column, value in cells:
            if isinstance(value, _NoCachedValue):
                problems.append((index, column - 1, str(value)))
                value = ""
            values[column - 1] = value
        filled = [i for i, v in enumerate(values) if v and not _blank(v)]
        if header is None:
            if index != 1 or not filled:
                raise fail(name, EMPTY_FIRST_ROW, row=1)
            header = values[:filled[-1] + 1]
            width = len(header)
            continue
        if not filled:
            continue
        if filled[-1] >= width:  # a value right of the header: kept, so it is reported, not dropped
            grow = filled[-1] + 1 - width
            for row in body:
                row.extend([""] * grow)
            header.extend([""] * grow)
            width += grow
        if (len(body) + 1) * width > XLSX_MAX_CELLS:
            raise fail(name, _too_many_cells(title, index, width))
        body.append(values[:width] + [""] * (width - len(values)))
        rows.append(index)
    if header is None:
        raise fail(name, EMPTY_FIRST_ROW, row=1)
    cells = _cells(body, width)
    found = [(row, header[col] if col < width and header[col] else column_letter(col), formula,
              FORMULA_WITHOUT_VALUE) for row, col, formula in problems]
    return RawTable(name, header, cells, rows, "xlsx", "", problems=found)


_RANGE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]+):\$?([A-Za-z]{1,3})\$?([0-9]+)")


def _merged_cells(table: RawTable, merges: list[str]) -> list[tuple[int, str, str, str]]:
    """One problem per merged range that hides a cell of the table's data rows: its first hidden
    cell. Excel keeps a merged range's value in the first cell only, so the others read as empty —
    an empty unit is the whole administration, an empty value a missing one: never guessed."""
    width = len(table.columns)
    found = []
    for ref in merges:
        m = _RANGE.fullmatch(ref)
        if not m:
            continue
        (c1, c2), (r1, r2) = sorted((_column_number(m[1]), _column_number(m[3]))), sorted((int(m[2]), int(m[4])))
        hidden = []
        at = bisect.bisect_left(table.rows, r1)
        if c2 > c1 and at < len(table.rows) and table.rows[at] == r1:  # the first row: the cells right of the first
            hidden.append((r1, c1 + 1))
        below = bisect.bisect_right(table.rows, r1)  # the rows below the first: every cell
        if below < len(table.rows) and table.rows[below] <= r2:
            hidden.append((table.rows[below], c1))
        for row, col in hidden:
            if col <= width:
                found.append((row, table.columns[col - 1] or column_letter(col - 1), "", MERGED.format(ref=ref.upper())))
                break
    return found


def _cells(body: list[list[str]], width: int) -> pd.DataFrame:
    """The data rows as a DataFrame of ``width`` text columns (named 0, 1, …), also when there are none."""
    import pandas as pd

    if body:
        return pd.DataFrame(body, columns=range(width), dtype=object)
    return pd.DataFrame({i: pd.Series([], dtype=object) for i in range(width)})


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
