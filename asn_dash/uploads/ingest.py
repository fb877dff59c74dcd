"""Analysts' uploads: parse, validate, preview and commit monthly figures.

``analyse`` reads a file and checks every row against the catalogue and the store, writing
nothing. It returns an :class:`Analysis` with the errors (any error: nothing may be loaded),
the warnings (must be confirmed) and the preview (new, changed old → new, unchanged).
``commit`` loads an analysis in one transaction, keeping every replaced value so that
``uploads.undo`` can restore exactly what was there before.

Layouts (detected from the header):

* long: ``indikator``, ``enhet`` (optional), ``period``, ``värde``, ``kommentar`` (optional);
* wide: ``indikator``, ``enhet`` (optional), ``år`` and month columns ``jan … dec``, or month
  columns written ``2025-01 …`` — the layout of the tables in the reports.

Both take an optional ``typ`` column: the value kind (``utfall``, ``prognos``, ``budget``; empty
= utfall). Values are keyed by indicator, unit, period and kind, so a prognos never replaces or
is compared with an utfall.

Cells are read by the rules of ``asn_dash.uploads.parsing`` (blanks, names, the number grammar,
periods), the same for CSV and XLSX.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import hashlib
import math
import os
import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import duckdb

from asn_dash import clock, texts
from asn_dash.annotations import MAX_TEXT
from asn_dash.auth import User, require
from asn_dash.errors import AsnError
from asn_dash.rules.periods import Period
from asn_dash.store.store import UTFALL, VALUE_KINDS, Store, audit, transaction
from asn_dash.uploads import comment_rules
from asn_dash.uploads.history import UNCHANGED
from asn_dash.uploads.parsing import (
    BLANK,
    KIND_ERROR,
    YEAR_MARK,
    clean,
    clean_sql,
    comment_sql,
    kind_sql,
    month_header,
    name_key,
    name_key_sql,
    number_sql,
    parse_period,
    unfinished,
    unguard_sql,
)
from asn_dash.uploads.readers import (
    RawTable,
    ReadError,
    column_letter,
    count,
    format_bytes,
    read_csv,
    read_csv_header,
    read_xlsx,
    sniff,
)

if TYPE_CHECKING:  # the CSV path needs neither (the command line starts faster without them)
    import numpy as np
    import pandas as pd

DEFAULT_MAX_MB = 20
MAX_REPORTED = 200  # problems listed; the total is always counted
ECHO = 60  # characters of a cell shown in a message
SOURCE = "uppladdning"

ALIASES = {
    "indikator": {"indikator", "indicator", "indikator_id", "indikator-id", "id", "nyckeltal", "mått", "matt"},
    "enhet": {"enhet", "unit", "enhet_id", "organisation", "verksamhet"},
    "period": {"period", "månad", "manad", "month", "datum", "date"},
    "värde": {"värde", "varde", "value", "utfall", "antal"},
    "kommentar": {"kommentar", "comment", "kommentarer", "anmärkning", "anmarkning", "notering"},
    "år": {"år", "ar", "year", "årtal"},
    "typ": {"typ", "värdetyp", "vardetyp", "kind", "value kind", "value_kind"},
}
IGNORED = {"summa", "totalt", "total", "sum", "snitt", "medel"}


class UploadError(AsnError):
    """The upload as a whole cannot be taken (too large, unreadable, wrong layout)."""


class UploadConfigError(AsnError):
    """The upload settings of the server are wrong (not the file)."""


def echo(text: object) -> str:
    """A cell as a message shows it: one line, at most ``ECHO`` characters (then "…"), and each
    control or format character as its code (``<U+200B>``): a terminal or page shows it, and an
    ESC or a bidi override in a cell cannot recolour or reorder the message."""
    text = re.sub("[\r\n\t\v\f]", " ", "" if text is None else str(text))
    if not text.isprintable():
        text = "".join(f"<U+{ord(ch):04X}>" if texts.control_characters(ch) else ch for ch in text)
    return text if len(text) <= ECHO else text[:ECHO - 1] + "…"


@dataclass
class Problem:
    row: int
    column: str
    value: str
    message: str

    def __post_init__(self):
        self.column, self.value = echo(self.column), echo(self.value)

    def text(self, file: str) -> str:
        end = "" if self.message.endswith(("?", ".")) else "."
        return f"{file}, rad {self.row}, kolumn '{self.column}' (värde '{self.value}'): {self.message}{end}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class Analysis:
    """The result of checking an upload. The checked rows live in temporary tables on
    ``cursor`` (a cursor of ``store``) until the analysis is committed or closed."""

    file: str
    sha256: str
    layout: str
    errors: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warnings: list[Problem] = field(default_factory=list)  # the first MAX_REPORTED
    warning_count: int = 0
    preview_columns: list[str] = field(default_factory=list)
    preview_rows: list[tuple] = field(default_factory=list)  # up to PREVIEW_ROWS rows per status
    counted: dict[str, int] = field(default_factory=lambda: {"inserted": 0, "updated": 0, "unchanged": 0})
    data: bytes = b""
    sheet: str | None = None
    store: Store | None = None
    cursor: object = None
    sheet_read: str | None = None  # XLSX: the sheet that was read
    commented: int = 0  # values with a comment (the commit writes comments only when there are any)

    @property
    def changes(self) -> pd.DataFrame | None:
        """The preview as a table (built when read: the command line never needs pandas)."""
        if not self.preview_columns:
            return None
        import pandas as pd

        return pd.DataFrame.from_records(self.preview_rows, columns=self.preview_columns)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def counts(self) -> dict[str, int]:
        return dict(self.counted) if self.ok else {"inserted": 0, "updated": 0, "unchanged": 0}

    def more_errors(self) -> int:
        """Errors counted but not listed (the list stops at ``MAX_REPORTED``)."""
        return self.error_count - len(self.errors)

    def more_warnings(self) -> int:
        """Warnings counted but not listed (the list stops at ``MAX_REPORTED``)."""
        return self.warning_count - len(self.warnings)

    def summary(self) -> dict:
        return {**self.counts(), "warnings": [w.text(self.file) for w in self.warnings],
                "warning_count": self.warning_count,
                "errors": [e.as_dict() for e in self.errors], "error_count": self.error_count}

    def close(self) -> None:
        if self.cursor is not None:
            self.cursor.close()
            self.cursor = None


# --- size -------------------------------------------------------------------------------------


def max_bytes() -> int:
    """The upload limit from ``ASN_MAX_UPLOAD_MB`` (default 20); a bad value is a configuration
    error naming the variable, never a silent default."""
    raw = os.environ.get("ASN_MAX_UPLOAD_MB", "").strip()
    if not raw:
        return DEFAULT_MAX_MB * 1024 * 1024
    try:
        mb = float(raw.replace(",", "."))
    except ValueError:
        mb = math.nan
    if not math.isfinite(mb) or mb <= 0 or mb * 1024 * 1024 < 1:
        raise UploadConfigError(
            f"Inställningen ASN_MAX_UPLOAD_MB är ogiltig ('{echo(raw)}'): den ska vara ett positivt tal, "
            f"gränsen för uppladdade filer i MB (t.ex. 20). Be en administratör rätta den.",
            f"ASN_MAX_UPLOAD_MB is invalid ({raw!r}): expected a positive number of MB, e.g. 20.")
    return int(mb * 1024 * 1024)


def too_large(file: str, size: int | None, limit: int) -> UploadError:
    """``size`` None: a stream that did not end within the limit."""
    what = (f"är {format_bytes(size)}; gränsen är {format_bytes(limit)}" if size is not None
            else f"är större än gränsen {format_bytes(limit)}")
    return UploadError(f"{file}: filen {what}. Dela upp filen eller be en administratör höja gränsen "
                       f"(ASN_MAX_UPLOAD_MB).")


def read_limited(path: str, limit: int) -> bytes:
    """At most ``limit`` bytes of a file, pipe or device (``/dev/zero`` included): reads
    ``limit + 1`` bytes at the most and refuses the file if they are all there."""
    with open(path, "rb") as fh:
        known = os.fstat(fh.fileno()).st_size if os.path.isfile(path) else None
        if known is not None and known > limit:
            raise too_large(os.path.basename(path), known, limit)
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise too_large(os.path.basename(path), None, limit)
    return data


# --- layout -----------------------------------------------------------------------------

ROLE_OF = {name: role for role, names in ALIASES.items() for name in names}


def _role(header: str) -> str | None:
    return ROLE_OF.get(name_key(header))


@dataclass
class Layout:
    kind: str  # long | wide
    roles: dict[str, int]  # role → column index
    months: dict[int, int | Period]  # wide: column index → month number (with 'år') or the month itself
    blanks: list[int] = field(default_factory=list)  # columns without a header (their cells must be empty)


def _where(table: RawTable, index: int) -> str:
    return f"'{echo(table.columns[index])}' (kolumn {column_letter(index)})"


def _classify_headers(table: RawTable):
    """Each header as a role (indikator, värde …), a month column, a blank or unknown; and the
    roles or months given twice, as (role, first column, second column)."""
    roles: dict[str, int] = {}
    months: dict[int, int | Period] = {}
    unknown, blanks, twice = [], [], []
    for i, header in enumerate(table.columns):
        key = name_key(header)
        role = ROLE_OF.get(key)
        month = None if role else month_header(header)
        if role and role in roles:
            twice.append((role, roles[role], i))
        elif role:
            roles[role] = i
        elif month is not None:
            same = [j for j, m in months.items() if m == month]
            if same:
                twice.append(("månad", same[0], i))
            months[i] = month
        elif not key:
            blanks.append(i)
        elif key not in IGNORED:
            unknown.append(header)
    return roles, months, unknown, blanks, twice


def _refuse_bad_headers(table: RawTable, roles: dict[str, int], unknown: list[str], twice: list) -> None:
    """A column given twice, no 'indikator' column, or an unknown header refuses the file."""
    file = table.name
    for role, first, second in twice:
        same_name = name_key(table.columns[first]) == name_key(table.columns[second])
        what = (f"kolumnen {_where(table, first)} finns två gånger (även kolumn {column_letter(second)})" if same_name
                else f"två kolumner betyder '{role}': {_where(table, first)} och {_where(table, second)}")
        raise UploadError(f"{file}, rad 1: {what}; ta bort eller byt namn på den ena.")
    if "indikator" not in roles:
        shown = ", ".join(echo(c) for c in table.columns[:20]) + (" …" if len(table.columns) > 20 else "")
        raise UploadError(f"{file}, rad 1: kolumnen 'indikator' saknas. Rubrikraden har: {shown}. "
                          f"Se formatbeskrivningen på sidan Ladda upp.")
    if unknown:
        shown = ", ".join(repr(echo(u)) for u in unknown[:5])
        more = f" och {count(len(unknown) - 5)} till" if len(unknown) > 5 else ""
        raise UploadError(f"{file}, rad 1: okänd kolumn {shown}{more}. Tillåtna rubriker: indikator, enhet, period, "
                          f"värde, typ, kommentar (långt format) eller indikator, enhet, år, jan … dec / 2025-01 … "
                          f"(brett format), "
                          f"med valfri kolumn typ.")


def detect_layout(table: RawTable) -> Layout:
    roles, months, unknown, blanks, twice = _classify_headers(table)
    _refuse_bad_headers(table, roles, unknown, twice)
    file = table.name
    if "period" in roles and "värde" in roles:
        if months:
            raise UploadError(f"{file}, rad 1: filen har både kolumnerna period/värde och månadskolumner; "
                              f"använd ett av formaten.")
        return Layout("long", roles, {}, blanks)
    if months:
        if any(isinstance(m, int) for m in months.values()) and "år" not in roles:
            raise UploadError(f"{file}, rad 1: månadskolumnerna jan … dec kräver en kolumn 'år' "
                              f"(eller skriv rubrikerna som 2025-01, 2025-02 …).")
        if "värde" in roles or "period" in roles:
            extra = "värde" if "värde" in roles else "period"
            raise UploadError(f"{file}, rad 1: filen har både kolumnen {_where(table, roles[extra])} och "
                              f"månadskolumner; använd ett av formaten.")
        return Layout("wide", roles, months, blanks)
    raise UploadError(f"{file}, rad 1: hittar inga kolumner för period och värde. Använd 'period' och 'värde' "
                      f"(långt format) eller månadskolumner jan … dec med 'år' (brett format).")


def _stray(cells: pd.DataFrame, table: RawTable, blanks: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the first cell with a value in a column without a header, and that column."""
    import numpy as np
    import pandas as pd

    n = len(cells)
    value = np.full(n, None, dtype=object)
    where = np.full(n, None, dtype=object)
    for i in blanks:
        filled = ~cells[i].str.fullmatch(f"{BLANK}*").to_numpy(dtype=bool) & pd.isna(value)
        value[filled] = cells[i].to_numpy()[filled]
        where[filled] = column_letter(i)
    return value, where


def _kind_col(table: RawTable, layout: Layout) -> str:
    return table.columns[layout.roles["typ"]] if "typ" in layout.roles else "typ"


def _table_frame(table: RawTable, layout: Layout) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The table as DuckDB stages it: one row per table row with the raw cells by role and,
    for the wide layout, its month cells as columns ``m0, m1 …`` and a small table naming each
    month column (turned into one row per value in SQL, so a million values never become
    Python objects)."""
    import numpy as np
    import pandas as pd

    cells, roles, names = table.cells, layout.roles, table.columns
    n = len(cells)

    def col(role: str) -> np.ndarray:
        return cells[roles[role]].to_numpy() if role in roles else np.full(n, "", dtype=object)

    stray, stray_col = _stray(cells, table, layout.blanks)
    frame = {"row": np.asarray(table.rows, dtype="int64"), "indicator_raw": col("indikator"),
             "unit_raw": col("enhet"), "stray": stray, "stray_col": stray_col, "kind_raw": col("typ"),
             "kind_col": _kind_col(table, layout)}
    if layout.kind == "long":
        frame.update({"period_raw": col("period"), "value_raw": col("värde"), "comment": col("kommentar"),
                      "period_col": names[roles["period"]], "value_col": names[roles["värde"]]})
        return pd.DataFrame(frame), None
    frame["year"] = col("år")
    months = []
    for j, (i, month) in enumerate(layout.months.items()):
        frame[f"m{j}"] = cells[i].to_numpy()
        by_year = isinstance(month, int)
        months.append({"month": f"m{j}", "value_col": names[i], "month_number": month if by_year else None,
                       "period_header": None if by_year else names[i],
                       "period_col": names[roles["år"]] if by_year else names[i]})
    return pd.DataFrame(frame), pd.DataFrame(months).astype({"month_number": "Int64", "period_header": object})


# --- validation ---------------------------------------------------------------------------


def _closest(word: str, options: dict[str, str]) -> str:
    close = difflib.get_close_matches(word.lower(), list(options), n=3, cutoff=0.6)
    names = list(dict.fromkeys(options[c] for c in close))
    return f"; menade du {' eller '.join(repr(n) for n in names)}?" if names else ""


def _lookups(cur):
    """The catalogue as the checks read it: indicator and unit spellings (name keys of ids and
    names) to ids, the names shown in suggestions, and the whole administration's unit id."""
    ind = cur.execute("SELECT id, name FROM indicators").fetchall()
    indicators = {name_key(i): i for i, _ in ind} | {name_key(n): i for i, n in ind}
    names = {name_key(i): i for i, _ in ind} | {name_key(n): n for _, n in ind}
    unit_rows = cur.execute("SELECT u.id, h.name, u.whole_administration FROM units u"
                            " JOIN unit_history h ON h.unit_id = u.id ORDER BY h.valid_from").fetchall()
    units = {name_key(i): i for i, _, _ in unit_rows} | {name_key(n): i for i, n, _ in unit_rows}
    current = {i: n for i, n, _ in unit_rows}  # newest name last wins
    unit_names = {key: current[unit_id] for key, unit_id in units.items()}
    admin = next(i for i, _, whole in unit_rows if whole)
    return indicators, names, units, unit_names, admin


def _temp_table(cur, name: str, columns: dict[str, str], rows: list[tuple]) -> None:
    """A small temporary table from Python rows (one list per column, no DataFrame)."""
    lists = [list(col) for col in zip(*rows)] if rows else [[] for _ in columns]
    select = ", ".join(f"unnest(?::{kind}[]) AS {col}" for col, kind in columns.items())
    cur.execute(f"CREATE TEMP TABLE {name} AS SELECT {select}", lists).fetchall()


# a value cell saying "not reported" (a regular expression: no join per row); '..' is SCB's "uppgift
# saknas". A lone '-' is not here: in SCB's tables and Excel's accounting format it means zero.
NOT_REPORTED = "(?:---|--|—|–|[.][.]|n/a)"
PREVIEW_ROWS = 500
STAGED = ("row, indicator_raw, unit_raw, period_raw, period_cell, value_raw, comment, period_col, value_col, stray,"
          " stray_col, kind_raw, kind_col")


def _quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _staged_select(cell, row: str) -> str:
    """The staged columns from raw cells, cleaned the same way on every path: ``cell(role)``
    gives the SQL of a raw cell (or NULL)."""
    return (f"{row} AS row, {clean_sql(cell('indikator'))} AS indicator_raw, {clean_sql(cell('enhet'))} AS unit_raw, "
            f"{clean_sql(cell('period_raw'))} AS period_raw, {clean_sql(cell('period_cell'))} AS period_cell, "
            f"{clean_sql(cell('värde'))} AS value_raw, {comment_sql(cell('kommentar'))} AS comment, "
            f"{cell('period_col')} AS period_col, {cell('value_col')} AS value_col, "
            f"{cell('stray')} AS stray, {cell('stray_col')} AS stray_col, {clean_sql(cell('typ'))} AS kind_raw, "
            f"{cell('kind_col')} AS kind_col")


@contextlib.contextmanager
def _csv_file(data: bytes, table: RawTable, tmpdir: str):
    """A path DuckDB reads with the rows of ``table.text``: the uploaded bytes themselves when
    they are that text in UTF-8 (no separator line, no carriage returns), else the text encoded.
    In memory (an anonymous memory file, read by DuckDB through ``/proc/self/fd``) where Linux
    offers one, which is about a third of the cost of writing a temporary file; else a
    temporary file, removed afterwards."""
    header = table.text[:table.text.find("\n") + 1].encode("utf-8")
    same = (table.encoding == "utf-8" and data.removeprefix(codecs.BOM_UTF8).startswith(header)
            and b"\r" not in data)
    content = data if same else table.text.encode("utf-8")
    if hasattr(os, "memfd_create") and os.path.isdir("/proc/self/fd"):
        fd = os.memfd_create("asn-upload.csv")
        try:
            with open(fd, "wb", closefd=False) as fh:
                fh.write(content)
            yield f"/proc/self/fd/{fd}"
        finally:
            os.close(fd)
        return
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".csv", dir=tmpdir, delete=False) as fh:
        fh.write(content)
    try:
        yield fh.name
    finally:
        os.unlink(fh.name)


def _stage_with_duckdb(cur, data: bytes, table: RawTable, layout: Layout, tmpdir: str) -> bool:
    """Read a long-format CSV straight into DuckDB, the cells as written (``_check`` cleans each
    distinct spelling once): the fast path for large files. False when DuckDB refuses the file
    (a line of only blanks, which it cannot number as the spreadsheet does, or a broken row):
    the caller then reads it with the Python reader, whose verdict and messages are the ones
    every CSV gets, so a file is never refused, or a row named, one way here and another there."""
    with _csv_file(data, table, tmpdir) as path:
        n = len(table.columns)
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
        roles, names = layout.roles, table.columns
        # only the cells that vary are materialised (staged_cells); the view staged adds the rest
        fixed = {"period_cell": "NULL::VARCHAR", "period_col": _quote(names[roles["period"]]),
                 "value_col": _quote(names[roles["värde"]]), "kind_col": _quote(_kind_col(table, layout)),
                 "comment": "''", "stray": "NULL::VARCHAR", "stray_col": "NULL::VARCHAR"}
        cells = {name: f"c{roles[role]}" for name, role in (("indicator_raw", "indikator"), ("unit_raw", "enhet"),
                 ("period_raw", "period"), ("value_raw", "värde"), ("kind_raw", "typ")) if role in roles}
        if "kommentar" in roles:
            cells["comment"] = comment_sql(f"c{roles['kommentar']}")
        if layout.blanks:
            cells["stray"] = "CASE " + " ".join(f"WHEN {clean_sql(f'c{i}')} <> '' THEN c{i}"
                                                for i in layout.blanks) + " END"
            cells["stray_col"] = "CASE " + " ".join(f"WHEN {clean_sql(f'c{i}')} <> '' THEN '{column_letter(i)}'"
                                                    for i in layout.blanks) + " END"
        view = ", ".join((f"coalesce({name}, '') AS {name}" if name.endswith("_raw") else name) if name in cells
                         else f"{fixed.get(name, chr(39) * 2)} AS {name}" for name in STAGED.split(", ")[1:])
        # the spreadsheet's row: the record's place in the file, kept as the new table's rowid when
        # DuckDB preserves insertion order (its default), else numbered by a (serial) window
        ordered = cur.execute("SELECT current_setting('preserve_insertion_order')").fetchall()[0][0]
        row = "rowid + 2" if ordered else "row"
        try:
            cur.execute(f"""
                CREATE TEMP TABLE staged_cells AS
                SELECT {"" if ordered else "row_number() OVER () + 1 AS row, "}
                       {", ".join(f"{sql} AS {name}" for name, sql in cells.items())}
                FROM read_csv({_quote(path)}, delim={_quote(table.separator)}, header = true, quote = '"',
                              escape = '"', auto_detect = false, strict_mode = true, columns = {columns},
                              max_line_size = {len(data) + 2})
            """).fetchall()
            cur.execute(f"CREATE TEMP VIEW staged AS SELECT {row} AS sid, {row} AS row, {view} FROM staged_cells"
                        ).fetchall()
        except duckdb.Error:
            return False
    return True


def _stage_with_pandas(cur, table: RawTable, layout: Layout) -> None:
    frame, months = _table_frame(table, layout)
    cur.register("staged_frame", frame)
    try:
        names = dict(_FRAME)
        if months is None:
            source = "staged_frame"
            names["period_cell"] = "period_raw"
        else:
            names["kommentar"] = "NULL"
            cur.register("month_frame", months)
            year = clean_sql("year")
            source = f"""(
                SELECT u.*, m.value_col, m.period_col,
                       CASE WHEN m.month_number IS NULL THEN m.period_header
                            WHEN regexp_full_match({year}, '[0-9]{{4}}')
                                THEN {year} || '-' || lpad(m.month_number::VARCHAR, 2, '0')
                            ELSE {_quote(YEAR_MARK)} || {year} END AS period_raw,
                       CASE WHEN m.month_number IS NULL THEN m.period_header ELSE {year} END AS period_cell
                FROM (UNPIVOT staged_frame ON COLUMNS('^m[0-9]+$') INTO NAME month VALUE value_raw) u
                JOIN month_frame m USING (month))"""
        cur.execute(f"CREATE TEMP TABLE staged AS SELECT row_number() OVER () AS sid, * FROM ("
                    f"SELECT {_staged_select(lambda c: names.get(c, c), 'row')} FROM {source})").fetchall()
    finally:
        cur.unregister("staged_frame")
        if months is not None:
            cur.unregister("month_frame")


_FRAME = {"indikator": "indicator_raw", "enhet": "unit_raw", "värde": "value_raw", "kommentar": "comment",
          "typ": "kind_raw"}


def _fast_path(table: RawTable, layout: Layout) -> bool:
    """DuckDB's reader skips empty lines (the spreadsheet counts them): long CSVs without one
    go the fast way. A line of other blanks is an error to DuckDB, which then hands the file
    back (see :func:`_stage_with_duckdb`), so only the cheap test runs on every upload."""
    text = table.text
    end = len(text)
    while end and text[end - 1] == "\n":  # the newlines at the end (no copy of a large text)
        end -= 1
    return layout.kind == "long" and text.find("\n\n", 0, end) < 0


def analyse(store: Store, file: str, data: bytes, *, sheet: str | None = None, limit: int | None = None,
            today: date | None = None) -> Analysis:
    """Read and check an upload; nothing is written. Raises ``UploadError`` when the file as a
    whole cannot be used (``UploadConfigError`` when the size limit is misconfigured); row
    problems are collected in the result.

    The checks run in DuckDB on a temporary table of the upload, so a million rows stay fast;
    the analysis keeps that table (on its own cursor) for ``commit``."""
    import tempfile

    limit = max_bytes() if limit is None else limit
    if len(data) > limit:
        raise too_large(file, len(data), limit)
    try:
        kind = sniff(file, data)
        table = read_xlsx(file, data, sheet) if kind == "xlsx" else read_csv_header(file, data)
        layout = detect_layout(table)
        # an ignored column (``Summa``) is never read: its formulas and merged cells are no problem
        table.problems = [p for p in table.problems if name_key(p[1]) not in IGNORED]
        fast = kind == "csv" and _fast_path(table, layout)
        if kind == "csv" and not fast:
            table = read_csv(file, data)
    except ReadError as exc:
        raise UploadError(exc.sv, exc.en) from None
    cur = store.cursor()
    try:
        if fast and not _stage_with_duckdb(cur, data, table, layout, tempfile.gettempdir()):
            try:
                fast, table = False, read_csv(file, data)
            except ReadError as exc:
                raise UploadError(exc.sv, exc.en) from None
        if not fast:
            _stage_with_pandas(cur, table, layout)
        table.text, table.cells = "", None  # staged: the cells are in DuckDB now
        analysis = _check(store, cur, file, data, table, layout, today or clock.today(), fast)
    except BaseException:
        cur.close()
        raise
    analysis.sheet = sheet
    analysis.sheet_read = table.sheet
    return analysis


def _period_code(period: Period) -> int:
    """The store's integer period key (migration 0006): 202503, 202541/202542 (T1/T2), 202500."""
    sub = period.month or (40 + period.tertial if period.tertial else 0)
    return period.year * 100 + sub


def _check(store: Store, cur, file: str, data: bytes, table: RawTable, layout: Layout, today: date,
           fast: bool = False) -> Analysis:
    """Check every staged row in one materialised table, ``checked``: its keys, value and
    reasons, and the stored value it would replace. ``fast``: the cells are staged as written
    (:func:`_stage_with_duckdb`), and rows of only blank cells are dropped here."""
    indicators, ind_names, units, unit_names, admin = _lookups(cur)

    _temp_table(cur, "ind_lookup", {"key": "VARCHAR", "id": "VARCHAR"}, list(indicators.items()))
    _temp_table(cur, "unit_lookup", {"key": "VARCHAR", "id": "VARCHAR"}, list(units.items()))
    distinct = [r[0] for r in cur.execute("SELECT DISTINCT period_raw FROM staged").fetchall()]
    parsed = []
    for raw in distinct:
        text = clean(raw)
        try:
            p = parse_period(text, today=today, date1904=table.date1904)
            parsed.append((raw, text, p.key, _period_code(p), p.kind, p.end, None, unfinished(p, today)))
        except ValueError as exc:
            parsed.append((raw, text, None, None, None, None, str(exc), None))
    _temp_table(cur, "comment_refusals", {"comment": "VARCHAR", "msg": "VARCHAR"}, comment_rules.refused(cur))
    _temp_table(cur, "period_lookup", {"raw": "VARCHAR", "text": "VARCHAR", "key": "VARCHAR", "code": "INTEGER",
                                       "kind": "VARCHAR", "end_date": "DATE", "error": "VARCHAR",
                                       "unfinished": "VARCHAR"}, parsed)
    # each distinct spelling is cleaned, normalised and looked up once; the upload's rows join on
    # the raw text (CTEs of ``checked``, not tables of their own: a statement less each)
    lookups = f"""
        raw_indicators AS MATERIALIZED (
            SELECT r.raw, {clean_sql('r.raw')} AS text, i.id, k.key, m.unit,
                   coalesce(m.allow_negative, false) AS allow_negative
            FROM (SELECT DISTINCT indicator_raw AS raw FROM staged) r
            LEFT JOIN ind_lookup i ON i.key = {name_key_sql('r.raw')}
            LEFT JOIN indicators m ON m.id = i.id
            LEFT JOIN indicator_keys k ON k.id = i.id
        ), raw_units AS MATERIALIZED (
            SELECT r.raw, r.text, r.id, k.key FROM (
                SELECT r.raw, {clean_sql('r.raw')} AS text,
                       CASE WHEN {clean_sql('r.raw')} = '' THEN {_quote(admin)} ELSE u.id END AS id
                FROM (SELECT DISTINCT unit_raw AS raw FROM staged) r
                LEFT JOIN unit_lookup u ON u.key = {name_key_sql('r.raw')}) r
            LEFT JOIN unit_keys k ON k.id = r.id
        ), raw_kinds AS MATERIALIZED (
            SELECT raw, {clean_sql('raw')} AS text, {kind_sql('raw')} AS kind
            FROM (SELECT DISTINCT kind_raw AS raw FROM staged) r
        ),"""
    # a row of blank cells (or only an ignored column) is no row; only a row without indicator is tested further
    blank_row = (f"WHERE CASE WHEN ri.text <> '' THEN true ELSE NOT (ru.text = '' AND p.text = ''"
                 f" AND {clean_sql('s.value_raw')} = '' AND s.comment = '' AND rk.text = '' AND s.stray IS NULL) END"
                 if fast else "")
    plain = number_sql("value_raw").plain  # on the cell as written: most need no cleaning
    number = number_sql("s.value_raw", plain="s.num_plain")
    # only what the checks, the diff and the commit read is materialised, one row per staged value
    # (``sid``: the staged row); the cells as written are read back from ``staged`` for the few
    # rows a message names
    cur.execute(f"""
        CREATE TEMP TABLE checked AS
        WITH {lookups} c AS (  -- the cells cleaned: names, periods and kinds once per spelling, values per row
            SELECT s.sid, s.row, ri.text = '' AS no_indicator,
                   CASE WHEN s.plain THEN s.value_raw ELSE {clean_sql('s.value_raw')} END AS value_raw, s.plain,
                   s.comment, s.stray IS NOT NULL AS stray, ri.key AS indicator_key, ri.unit AS ind_unit,
                   ri.allow_negative, ru.key AS unit_key, p.code AS period_code, p.end_date AS period_end,
                   -- a period still running: a prognos or budget, never an utfall (parsing.unfinished)
                   coalesce(p.error, CASE WHEN rk.kind = {VALUE_KINDS[UTFALL]} THEN p.unfinished END) AS period_error,
                   rk.kind
            FROM (SELECT *, {plain} AS plain FROM staged) s
            LEFT JOIN raw_indicators ri ON ri.raw = s.indicator_raw
            LEFT JOIN raw_units ru ON ru.raw = s.unit_raw
            LEFT JOIN period_lookup p ON p.raw = s.period_raw
            LEFT JOIN raw_kinds rk ON rk.raw = s.kind_raw
            {blank_row}
        ), v AS (
            SELECT * EXCLUDE (plain), CASE WHEN plain THEN true ELSE {number_sql('value_raw').plain} END AS num_plain
            FROM c
        ), w AS (
            SELECT s.*,
                   CASE WHEN s.num_plain THEN false WHEN s.value_raw = '' THEN true
                        ELSE regexp_full_match(lower(s.value_raw), {_quote(NOT_REPORTED)}) END AS missing,
                   {number.percent} AS pct, {number.error} AS num_error, {number.value} AS num_value,
                   CASE WHEN NOT s.num_plain THEN CASE lower(s.value_raw) WHEN 'ja' THEN 1.0 WHEN 'yes' THEN 1.0
                        WHEN 'nej' THEN 0.0 WHEN 'no' THEN 0.0 END END AS yes_no
            FROM v s
        ), x AS (
            SELECT *, CASE WHEN ind_unit = 'ja/nej' THEN coalesce(yes_no, num) WHEN ind_unit = 'text' THEN NULL
                           ELSE num END AS value
            FROM (SELECT *, CASE WHEN num_error IS NULL THEN num_value END AS num FROM w)
        ), y AS (SELECT *,
            CASE
                WHEN indicator_key IS NULL OR missing THEN NULL
                WHEN ind_unit = 'ja/nej' AND (value IS NULL OR value NOT IN (0, 1))
                    THEN 'Ja/Nej-indikator: skriv Ja, Nej, 1 eller 0'
                WHEN ind_unit NOT IN ('text', 'ja/nej') AND num_error IS NOT NULL THEN num_error
                WHEN pct AND ind_unit <> 'procent'
                    THEN 'procent (tecken eller cellformat i Excel), men indikatorn mäts i ' || ind_unit
                WHEN ind_unit = 'antal' AND value < 0 THEN 'ett antal kan inte vara negativt'
                WHEN ind_unit = 'antal' AND value % 1 <> 0 THEN 'ett antal måste vara ett heltal'
                WHEN ind_unit = 'dagar' AND value < 0 THEN 'antal dagar kan inte vara negativt'
                WHEN ind_unit = 'procent' AND NOT allow_negative AND (value < 0 OR value > 100)
                    THEN 'en andel i procent måste ligga mellan 0 och 100'
                WHEN ind_unit = 'procent' AND allow_negative AND (value < -100 OR value > 100)
                    THEN 'en procentsats måste ligga mellan −100 och 100'
            END AS value_error,
            CASE WHEN ind_unit = 'text' AND NOT missing THEN {unguard_sql('value_raw')} END AS text_value
        FROM x), z AS (
        SELECT sid, row, indicator_key, unit_key, period_code, kind, period_end, value, text_value, comment,
               missing, period_error, value_error,
               CASE WHEN ind_unit = 'procent' AND NOT missing AND value_error IS NULL THEN pct END AS percent_pct,
               coalesce(indicator_key IS NOT NULL AND unit_key IS NOT NULL AND period_error IS NULL
                        AND value_error IS NULL AND kind IS NOT NULL AND NOT missing AND NOT no_indicator,
                        false) AS ok,
               stray OR length(comment) > {MAX_TEXT}
                     OR (comment <> '' AND comment IN (SELECT comment FROM comment_refusals)) AS flagged
        FROM y)
        SELECT z.* EXCLUDE (flagged), flagged OR NOT ok AS flagged,
               CASE WHEN NOT z.ok THEN NULL WHEN o.indicator_key IS NULL THEN 'ny'
                    WHEN coalesce(abs(z.value - o.value) < 1e-9, z.value IS NULL AND o.value IS NULL)
                         AND coalesce(z.text_value, '') = coalesce(o.text_value, '') THEN 'oförändrad'
                    ELSE 'ändrad' END AS status
        FROM z LEFT JOIN observation_values o ON z.ok AND o.indicator_key = z.indicator_key
             AND o.unit_key = z.unit_key AND o.period_code = z.period_code AND o.kind = z.kind
    """).fetchall()
    # what the rest needs to know, in one pass: whether any row has a problem, the same key twice
    # (GROUP BY finds the few duplicated keys without sorting every row), the counts by status and
    # the rows with a comment, and whether a percentage lies in 0–1 (see fraction_warnings); a clean
    # upload skips the problem queries altogether
    flagged, duplicated, *by_status, commented, fraction_like = cur.execute("""
        SELECT count(*) FILTER (WHERE flagged),
               (SELECT count(*) FROM (SELECT 1 FROM checked WHERE ok
                                      GROUP BY indicator_key, unit_key, period_code, kind HAVING count(*) > 1)),
               count(*) FILTER (WHERE ok AND status = 'ny'), count(*) FILTER (WHERE ok AND status = 'ändrad'),
               count(*) FILTER (WHERE ok AND status = 'oförändrad'), count(*) FILTER (WHERE ok AND comment <> ''),
               coalesce(bool_or(NOT percent_pct AND abs(value) <= 1 AND value <> 0), false)
        FROM checked
    """).fetchall()[0]
    if flagged or duplicated or table.problems:
        total, errors = _problems(cur, table, layout, ind_names, unit_names)
    else:
        total, errors = 0, []
    analysis = Analysis(file, hashlib.sha256(data).hexdigest(), layout.kind, errors=errors, error_count=total,
                        data=data, sheet=None, store=store, cursor=cur)
    if not analysis.ok:
        return analysis
    # no error, so no duplicate key: every ok row is one value
    cur.execute(f"CREATE TEMP VIEW incoming AS {_incoming('(SELECT * FROM checked WHERE ok)')}").fetchall()
    analysis.counted = dict(zip(("inserted", "updated", "unchanged"), by_status))
    analysis.commented = commented
    if sum(analysis.counted.values()) == 0:
        raise UploadError(f"{file}: filen innehåller inga värden att läsa in (alla celler är tomma eller '---').")
    if max(by_status) <= PREVIEW_ROWS:  # every row is in the preview
        first_rows = "(SELECT * FROM checked WHERE ok)"
    else:  # the first rows of each status: a top-N each, no sort of the whole upload
        first_rows = "(" + " UNION ALL ".join(
            f"(SELECT * FROM checked WHERE ok AND status = '{status}' ORDER BY row LIMIT {PREVIEW_ROWS})"
            for status in ("ny", "ändrad", "oförändrad")) + ")"
    preview = cur.execute(f"{_incoming(first_rows)} ORDER BY row")
    analysis.preview_columns = [d[0] for d in preview.description]
    analysis.preview_rows = preview.fetchall()
    found, total = outliers(cur, file)
    fractions = fraction_warnings(cur, file) if fraction_like else []  # needs a percentage between 0 and 1
    analysis.warnings = sorted(found + fractions, key=lambda w: w.row)[:MAX_REPORTED]
    analysis.warning_count = total + len(fractions)
    return analysis


def _problems(cur, table: RawTable, layout: Layout, ind_names: dict[str, str],
              unit_names: dict[str, str]) -> tuple[int, list[Problem]]:
    """The rows' problems: how many, and the first ``MAX_REPORTED`` by row as messages."""
    ind_col = table.columns[layout.roles["indikator"]]
    unit_col = table.columns[layout.roles["enhet"]] if "enhet" in layout.roles else "enhet"
    comment_col = table.columns[layout.roles["kommentar"]] if "kommentar" in layout.roles else "kommentar"
    _temp_table(cur, "reader_problems", {"row": "BIGINT", "col": "VARCHAR", "value": "VARCHAR", "msg": "VARCHAR"},
                table.problems)
    cur.execute("""
        CREATE TEMP TABLE duplicates AS
        SELECT indicator_key, unit_key, period_code, kind, min(row) AS first_row
        FROM checked WHERE ok GROUP BY ALL HAVING count(*) > 1
    """).fetchall()
    # a wide row's empty month cells are missing values, not periods to check (a future month)
    period_checked = "AND NOT missing" if layout.kind == "wide" else ""
    period_cell = f"coalesce(period_cell, {clean_sql('period_raw')})"
    cur.execute(f"""
        CREATE TEMP TABLE problems AS
        WITH f AS (  -- the flagged rows with their cells as written (cleaned here, for these rows only)
            SELECT c.*, {clean_sql('s.indicator_raw')} AS indicator_text, {clean_sql('s.indicator_raw')} = '' AS no_indicator,
                   s.stray IS NOT NULL AS stray, {clean_sql('s.unit_raw')} AS unit_text,
                   {period_cell} AS period_text, {clean_sql('s.value_raw')} AS value_text,
                   {clean_sql('s.kind_raw')} AS kind_text, s.period_col, s.value_col, s.kind_col, s.stray AS stray_text,
                   s.stray_col
            FROM (SELECT * FROM checked WHERE flagged) c JOIN staged s ON s.sid = c.sid
        )
        SELECT DISTINCT * FROM (
        SELECT row, 0 AS ord, {_quote(ind_col)} AS col, indicator_text AS value, 'indikator saknas' AS msg
            FROM f WHERE no_indicator
        UNION ALL SELECT row, 0, {_quote(ind_col)}, indicator_text, '#unknown-indicator'
            FROM f WHERE indicator_key IS NULL AND NOT no_indicator
        UNION ALL SELECT row, 1, {_quote(unit_col)}, unit_text, '#unknown-unit' FROM f WHERE unit_key IS NULL
        UNION ALL SELECT row, 2, period_col, period_text, period_error FROM f
            WHERE period_error IS NOT NULL {period_checked}
        UNION ALL SELECT row, 3, value_col, value_text, value_error FROM f WHERE value_error IS NOT NULL
        UNION ALL SELECT row, 3, kind_col, kind_text, {_quote(KIND_ERROR)} FROM f WHERE kind IS NULL
        UNION ALL SELECT row, 3, col, value, msg FROM reader_problems
        UNION ALL SELECT row, 4, {_quote(comment_col)}, comment, '#too-long:' || length(comment)
            FROM f WHERE length(comment) > {MAX_TEXT}
        UNION ALL SELECT row, 4, {_quote(comment_col)}, comment, r.msg FROM f JOIN comment_refusals r USING (comment)
        UNION ALL SELECT row, 5, stray_col, stray_text,
                         'värdet står i en kolumn utan rubrik; ge kolumnen en rubrik (t.ex. kommentar) eller ta bort '
                         || 'värdet'
            FROM f WHERE stray
        UNION ALL SELECT c.row, 6, s.period_col, {period_cell.replace('period_', 's.period_')},
                         CASE WHEN c.kind = {VALUE_KINDS[UTFALL]} THEN 'samma indikator, enhet och period'
                              ELSE 'samma indikator, enhet, period och värdetyp' END
                         || ' finns redan på rad ' || d.first_row
            FROM checked c JOIN duplicates d USING (indicator_key, unit_key, period_code, kind)
            JOIN staged s ON s.sid = c.sid
            WHERE c.ok AND c.row > d.first_row
        )
    """).fetchall()
    total = cur.execute("SELECT count(*) FROM problems").fetchall()[0][0]
    first = cur.execute(f"SELECT * FROM problems ORDER BY row, ord, col LIMIT {MAX_REPORTED}").fetchall()
    cur.execute("DROP TABLE problems").fetchall()
    errors = []
    for row, _, col, value, msg in first:
        if msg == "#unknown-indicator":
            msg = "okänd indikator" + _closest(value, ind_names)
        elif msg == "#unknown-unit":
            msg = "okänd enhet" + _closest(value, unit_names)
        elif msg.startswith("#too-long:"):
            msg = f"kommentaren är för lång ({count(int(msg[10:]))} tecken, högst {count(MAX_TEXT)})"
        errors.append(Problem(int(row), str(col), "" if value is None else str(value), msg))
    return total, errors


def _incoming(source: str) -> str:
    """The checked values of ``source`` (a subquery of ``checked``) as the preview, the totals
    note (:mod:`asn_dash.uploads.totals`) and the comments read them: text ids, the period key,
    the column of the value and the stored value it replaces."""
    return f"""
        SELECT c.row, ik.id AS indicator_id, uk.id AS unit_id, period_key(c.period_code) AS period,
               period_kind_of(c.period_code) AS period_kind, c.period_end, c.value, c.text_value,
               nullif(c.comment, '') AS comment, s.value_col, c.indicator_key, c.unit_key, c.period_code,
               c.kind::UTINYINT AS kind, vk.name AS value_kind, o.value AS old_value, o.text_value AS old_text_value,
               c.status <> 'ny' AS existed, c.status
        FROM {source} c
        JOIN staged s ON s.sid = c.sid
        JOIN indicator_keys ik ON ik.key = c.indicator_key
        JOIN unit_keys uk ON uk.key = c.unit_key
        JOIN value_kinds vk ON vk.kind = c.kind
        LEFT JOIN observation_values o ON o.indicator_key = c.indicator_key AND o.unit_key = c.unit_key
             AND o.period_code = c.period_code AND o.kind = c.kind"""


def fraction_warnings(cur, file: str) -> list[Problem]:
    """0,85 where 85 % was meant (a fraction from a system or Excel): percentage indicators whose
    values in the file all lie in 0–1 (none written with %), warned when they would change
    something."""
    flagged = cur.execute(f"""
        SELECT f.row, s.value_col, {clean_sql('s.value_raw')} AS value_raw, k.id AS indicator_id
        FROM (SELECT indicator_key, min(row) AS row, arg_min(sid, row) AS sid
              FROM checked
              WHERE percent_pct IS NOT NULL AND value IS NOT NULL
              GROUP BY indicator_key
              HAVING bool_and(NOT percent_pct) AND max(abs(value)) <= 1 AND max(abs(value)) > 0
                     AND bool_or(status <> 'oförändrad')) f
        JOIN staged s ON s.sid = f.sid
        JOIN indicator_keys k ON k.key = f.indicator_key
        ORDER BY f.row
    """).fetchall()
    return [Problem(int(row), col, raw, f"alla värden för {indicator} i filen ligger mellan 0 och 1, men indikatorn "
                                        f"mäts i procent: är det andelar (0,85) i stället för procent (85)? Skriv 85 "
                                        f"eller 85 %, eller bekräfta varningen om värdena stämmer")
            for row, col, raw, indicator in flagged]


def outliers(cur, file: str, limit: int | None = None) -> tuple[list[Problem], int]:
    """Monthly values that would change something and are more than 3× or under a third of the
    median of the same series (indicator, unit and value kind) over the 12 months before: the
    first ``limit`` by row, and how many there are.

    One window per series over one row per month (its stored value and the uploaded one side
    by side, gaps filled), so the frame of 12 rows before is exactly the 12 months before and an
    uploaded value is never its own history: a million-row correction costs one sort, not a join
    of every row to each month of its history."""
    from asn_dash.formatting import format_number

    limit = MAX_REPORTED if limit is None else max(limit, 1)  # at least one row carries the count
    stored = cur.execute("""
        SELECT EXISTS (SELECT 1 FROM observation_values
                       WHERE indicator_key IN (SELECT indicator_key FROM checked WHERE ok AND status <> 'oförändrad')
                             AND period_code % 100 BETWEEN 1 AND 12 AND value IS NOT NULL)
    """).fetchall()[0][0]
    if not stored:  # no stored month of the upload's indicators: no history to deviate from
        return [], 0
    flagged = cur.execute(f"""
        WITH probes AS (
            SELECT sid, row, value, indicator_key, unit_key, kind, (period_code // 100) * 12 + period_code % 100 AS m
            FROM checked WHERE ok AND status <> 'oförändrad' AND period_code % 100 BETWEEN 1 AND 12
                 AND value IS NOT NULL
        ), history AS (  -- the stored months of the upload's series
            SELECT o.indicator_key, o.unit_key, o.kind, (o.period_code // 100) * 12 + o.period_code % 100 AS m, o.value
            FROM observation_values o SEMI JOIN (SELECT DISTINCT indicator_key, unit_key, kind FROM probes) p
                 USING (indicator_key, unit_key, kind)
            WHERE o.period_code % 100 BETWEEN 1 AND 12 AND o.value IS NOT NULL
        ), series AS (  -- only a series with 3 stored months can flag anything (a new series costs nothing)
            SELECT indicator_key, unit_key, kind, min(m) AS first, max(m) AS last FROM history
            GROUP BY ALL HAVING count(*) >= 3
        ), months AS (  -- every month of each series once, so a ROWS frame is exactly the 12 months before
            SELECT indicator_key, unit_key, kind, unnest(range(first, greatest(last, p.last_probe) + 1)) AS m
            FROM series JOIN (SELECT indicator_key, unit_key, kind, max(m) AS last_probe FROM probes GROUP BY ALL) p
                 USING (indicator_key, unit_key, kind)
        ), points AS (  -- the stored value (history) and the uploaded one (probe) of each month
            SELECT g.*, h.value AS stored, p.sid, p.row, p.value
            FROM months g LEFT JOIN history h USING (indicator_key, unit_key, kind, m)
            LEFT JOIN probes p USING (indicator_key, unit_key, kind, m)
        ), flags AS (
            SELECT sid, row, value, median FROM (
                SELECT sid, row, value, median(stored) OVER series_months AS median,
                       count(stored) OVER series_months AS n
                FROM points
                WINDOW series_months AS (PARTITION BY indicator_key, unit_key, kind ORDER BY m
                                         ROWS BETWEEN 12 PRECEDING AND 1 PRECEDING))
            WHERE row IS NOT NULL AND n >= 3 AND median > 0 AND (value > 3 * median OR value < median / 3)
        )  -- the first ``limit`` by row, each with the count of all (a window before the LIMIT)
        SELECT f.row, s.value_col, f.value, f.median, f.total
        FROM (SELECT *, count(*) OVER () AS total FROM flags ORDER BY row LIMIT {limit}) f
        JOIN staged s ON s.sid = f.sid ORDER BY f.row
    """).fetchall()
    total = flagged[0][4] if flagged else 0
    return [Problem(int(row), column, format_number(value, 2).rstrip("0").rstrip(","),
                    f"avviker kraftigt från medianen för de senaste 12 månaderna ({format_number(median, 1)}); "
                    f"kontrollera värdet och bekräfta varningen")
            for row, column, value, median, _ in flagged], int(total)


class WarningsNotConfirmed(AsnError):
    """The upload has warnings that the analyst has not confirmed."""


COMMENTED = "(SELECT * FROM checked WHERE ok AND comment <> '')"
NEW_COMMENT = ("i.comment IS NOT NULL AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.indicator_id = i.indicator_id"
               " AND c.period = i.period AND coalesce(c.unit_id, '') = i.unit_id AND c.text = i.comment)")
SAME_KEY = ("o.indicator_key = i.indicator_key AND o.unit_key = i.unit_key AND o.period_code = i.period_code"
            " AND o.kind = i.kind")


def commit(store: Store, analysis: Analysis, by: User, *, accept_warnings: bool = False) -> int:
    """Load an analysed upload in one transaction and return its upload id.

    Every upload is logged with its counts; one whose values are all stored already (the same
    file twice) is logged with status "oförändrad" and changes nothing else.

    An analysis made on another connection (e.g. in an earlier page run) is checked again on
    this one first, so what is written always matches the store as it is now."""
    require(by, "ladda upp")
    user = by.username
    if not analysis.ok:
        raise UploadError(f"{analysis.file} har {analysis.error_count} fel; inget har lästs in.")
    if analysis.warnings and not accept_warnings:
        raise WarningsNotConfirmed(
            f"{analysis.file} har {analysis.warning_count} varningar som måste bekräftas innan filen läses in.")
    if analysis.store is not store or analysis.cursor is None:
        fresh = analyse(store, analysis.file, analysis.data, sheet=analysis.sheet)
        if not fresh.ok or (fresh.warnings and not accept_warnings):
            fresh.close()
            raise UploadError(f"{analysis.file} har ändrats i datalagret sedan förhandsgranskningen; "
                              f"ladda upp filen igen.")
        analysis = fresh
    cur = analysis.cursor
    try:
        counts = analysis.counted  # counted by the analysis on this cursor
        commented = f"({_incoming(COMMENTED)})"
        n_new, n_changed = counts["inserted"], counts["inserted"] + counts["updated"]
        commented_rows = analysis.commented  # most files: none
        new_comments = 0 if not commented_rows else cur.execute(
            f"SELECT count(*) FROM {commented} i WHERE {NEW_COMMENT}").fetchall()[0][0]
        status = "inläst" if n_changed or new_comments else UNCHANGED
        with transaction(cur):
            upload_id = cur.execute(
                "INSERT INTO uploads (user_name, file_name, sha256, inserted, updated, unchanged, warnings, layout,"
                " status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [user, analysis.file, analysis.sha256, n_new, n_changed - n_new, counts["unchanged"],
                 analysis.warning_count, analysis.layout, status]).fetchall()[0][0]
            if status == UNCHANGED:  # logged with its counts, nothing else written
                audit(cur, user, "uppladdning", f"uppladdning {upload_id}",
                      f"{analysis.file}: inget ändrat ({counts['unchanged']} oförändrade)")
                return int(upload_id)
            ref = f"uppladdning {upload_id}: {analysis.file}"
            # history first: every replaced value with all its old columns (undo finds the values
            # this upload created by their upload_id, see uploads.history); a statement only for a
            # status the upload has
            if counts["updated"]:
                cur.execute(
                    "INSERT INTO upload_changes SELECT ?, o.indicator_key, o.unit_key, o.period_code, o.kind, true,"
                    " o.value, o.text_value, o.source, o.source_ref, o.upload_id, o.updated_at"
                    f" FROM checked i JOIN observation_values o ON {SAME_KEY} WHERE i.ok AND i.status = 'ändrad'",
                    [upload_id]).fetchall()
                cur.execute(
                    "UPDATE observation_values o SET value = i.value, text_value = i.text_value, source = ?,"
                    " source_ref = ?, upload_id = ?, updated_at = current_timestamp FROM checked i"
                    f" WHERE i.ok AND i.status = 'ändrad' AND {SAME_KEY}",
                    [SOURCE, ref, upload_id]).fetchall()
            if n_new:
                cur.execute(
                    "INSERT INTO observation_values (indicator_key, unit_key, period_code, kind, period_end, value,"
                    " text_value, source, source_ref, upload_id, updated_at) SELECT indicator_key, unit_key,"
                    " period_code, kind, period_end, value, text_value, ?, ?, ?, current_timestamp FROM checked"
                    " WHERE ok AND status = 'ny'",
                    [SOURCE, ref, upload_id]).fetchall()
            if commented_rows:  # one comment per indicator, unit and period, even when written on several kinds
                cur.execute(
                    "INSERT INTO comments (indicator_id, unit_id, period, author, written_on, text, source, upload_id)"
                    " SELECT DISTINCT i.indicator_id, i.unit_id, i.period, ?, current_date, i.comment, 'uppladdning',"
                    f" ? FROM {commented} i WHERE {NEW_COMMENT}", [user, upload_id]).fetchall()
            audit(cur, user, "uppladdning", f"uppladdning {upload_id}",
                  f"{analysis.file}: {n_new} nya, {n_changed - n_new} ändrade")
    except duckdb.ConstraintException as exc:  # the store's last guard (e.g. a period key it does not take)
        raise UploadError(f"{analysis.file}: datalagret tar inte emot ett av värdena ({str(exc).splitlines()[0]}). "
                          f"Inget har lästs in.") from None
    finally:
        analysis.close()
    return int(upload_id)
