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
"""

from __future__ import annotations

import difflib
import hashlib
import os
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from asn_dash.auth import User, require
from asn_dash.errors import AsnError
from asn_dash.store.store import UTFALL, VALUE_KINDS, Store, audit, transaction
from asn_dash.uploads.history import UNCHANGED
from asn_dash.uploads.parsing import MONTH_WORDS, parse_period, to_text
from asn_dash.uploads.readers import RawTable, ReadError, read_upload

DEFAULT_MAX_MB = 20
MAX_REPORTED = 1000  # problems listed; the total is always counted
SOURCE = "uppladdning"

ALIASES = {
    "indikator": {"indikator", "indicator", "indikator_id", "indikator-id", "id", "nyckeltal", "mått", "matt"},
    "enhet": {"enhet", "unit", "enhet_id", "organisation", "verksamhet"},
    "period": {"period", "månad", "manad", "month", "datum", "date"},
    "värde": {"värde", "varde", "value", "utfall", "antal"},
    "kommentar": {"kommentar", "comment", "kommentarer", "anmärkning", "anmarkning", "notering"},
    "år": {"år", "ar", "year", "årtal"},
}
IGNORED = {"summa", "totalt", "total", "sum", "snitt", "medel"}


class UploadError(AsnError):
    """The upload as a whole cannot be taken (too large, unreadable, wrong layout)."""


@dataclass
class Problem:
    row: int
    column: str
    value: str
    message: str

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
    warnings: list[Problem] = field(default_factory=list)
    changes: pd.DataFrame | None = None  # preview: up to PREVIEW_ROWS rows per status
    counted: dict[str, int] = field(default_factory=lambda: {"inserted": 0, "updated": 0, "unchanged": 0})
    data: bytes = b""
    sheet: str | None = None
    store: Store | None = None
    cursor: object = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def counts(self) -> dict[str, int]:
        return dict(self.counted) if self.ok else {"inserted": 0, "updated": 0, "unchanged": 0}

    def summary(self) -> dict:
        return {**self.counts(), "warnings": [w.text(self.file) for w in self.warnings],
                "errors": [e.as_dict() for e in self.errors], "error_count": self.error_count}

    def close(self) -> None:
        if self.cursor is not None:
            self.cursor.close()
            self.cursor = None


def max_bytes() -> int:
    return int(float(os.environ.get("ASN_MAX_UPLOAD_MB", DEFAULT_MAX_MB)) * 1024 * 1024)


# --- layout -----------------------------------------------------------------------------


def _role(header: str) -> str | None:
    key = " ".join(str(header).strip().lower().split())
    for role, names in ALIASES.items():
        if key in names:
            return role
    return None


def _month_column(header: str) -> int | str | None:
    """A wide month column: 1–12 for ``jan``…``dec`` (needs an ``år`` column), or a period key."""
    key = str(header).strip().lower().rstrip(".")
    if key in MONTH_WORDS:
        return MONTH_WORDS[key]
    try:
        period = parse_period(key, today=date.max)
    except ValueError:
        return None
    return period.key if period.kind == "månad" else None


@dataclass
class Layout:
    kind: str  # long | wide
    roles: dict[str, int]  # role → column index
    months: dict[int, int | str]  # wide: column index → month number or period key


def detect_layout(table: RawTable) -> Layout:
    roles: dict[str, int] = {}
    months: dict[int, int | str] = {}
    unknown = []
    for i, header in enumerate(table.columns):
        role = _role(header)
        if role and role not in roles:
            roles[role] = i
            continue
        month = _month_column(header)
        if month is not None:
            months[i] = month
        elif str(header).strip().lower() not in IGNORED and str(header).strip():
            unknown.append(str(header))
    file = table.name
    if "indikator" not in roles:
        raise UploadError(f"{file}, rad 1: kolumnen 'indikator' saknas. Rubrikraden har: "
                          f"{', '.join(table.columns)}. Se formatbeskrivningen på sidan Ladda upp.")
    if unknown:
        raise UploadError(f"{file}, rad 1: okänd kolumn {', '.join(repr(u) for u in unknown)}. Tillåtna rubriker: "
                          f"indikator, enhet, period, värde, kommentar (långt format) eller indikator, enhet, år, "
                          f"jan … dec / 2025-01 … (brett format).")
    if "period" in roles and "värde" in roles:
        if months:
            raise UploadError(f"{file}, rad 1: filen har både kolumnerna period/värde och månadskolumner; "
                              f"använd ett av formaten.")
        return Layout("long", roles, {})
    if months:
        if any(isinstance(m, int) for m in months.values()) and "år" not in roles:
            raise UploadError(f"{file}, rad 1: månadskolumnerna jan … dec kräver en kolumn 'år' "
                              f"(eller skriv rubrikerna som 2025-01, 2025-02 …).")
        return Layout("wide", roles, months)
    raise UploadError(f"{file}, rad 1: hittar inga kolumner för period och värde. Använd 'period' och 'värde' "
                      f"(långt format) eller månadskolumner jan … dec med 'år' (brett format).")


def _long_frame(table: RawTable, layout: Layout) -> pd.DataFrame:
    """One row per value with the raw cells and where they came from."""
    cells, roles, names = table.cells, layout.roles, table.columns
    n = len(cells)

    def col(role: str) -> pd.Series:
        return cells[roles[role]] if role in roles else pd.Series([""] * n, dtype=object)

    if layout.kind == "long":
        frame = pd.DataFrame({
            "row": table.rows, "indicator_raw": to_text(col("indikator")).values,
            "unit_raw": to_text(col("enhet")).values, "period_raw": col("period").values,
            "value_raw": col("värde").values, "comment": to_text(col("kommentar")).values,
        })
        frame["period_col"] = names[roles["period"]]
        frame["value_col"] = names[roles["värde"]]
        return frame
    parts = []
    for index, month in layout.months.items():
        part = pd.DataFrame({
            "row": table.rows, "indicator_raw": to_text(col("indikator")).values,
            "unit_raw": to_text(col("enhet")).values, "value_raw": cells[index].values, "comment": "",
        })
        if isinstance(month, int):
            years = to_text(col("år")).values
            part["period_raw"] = [f"{y}-{month:02d}" if y.isdigit() and len(y) == 4 else f"år '{y}'" for y in years]
            part["period_col"] = names[roles["år"]]
        else:
            part["period_raw"] = month
            part["period_col"] = names[index]
        part["value_col"] = names[index]
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["row"], kind="stable").reset_index(drop=True)


# --- validation ---------------------------------------------------------------------------


def _closest(word: str, options: dict[str, str]) -> str:
    close = difflib.get_close_matches(word.lower(), list(options), n=3, cutoff=0.6)
    names = list(dict.fromkeys(options[c] for c in close))
    return f"; menade du {' eller '.join(repr(n) for n in names)}?" if names else ""


def _lookups(store: Store):
    ind = store.query("SELECT id, name, unit, frequency, allow_negative FROM indicators")
    indicators = {r.id.lower(): r.id for r in ind.itertuples()}
    indicators.update({" ".join(r.name.lower().split()): r.id for r in ind.itertuples()})
    names = {r.id.lower(): r.id for r in ind.itertuples()}
    names.update({" ".join(r.name.lower().split()): r.name for r in ind.itertuples()})
    units_frame = store.query("SELECT u.id, h.name, u.whole_administration FROM units u"
                              " JOIN unit_history h ON h.unit_id = u.id ORDER BY h.valid_from")
    units = {r.id.lower(): r.id for r in units_frame.itertuples()}
    units.update({" ".join(r.name.lower().split()): r.id for r in units_frame.itertuples()})
    current = {r.id: r.name for r in units_frame.itertuples()}  # newest name last wins
    unit_names = {key: current[unit_id] for key, unit_id in units.items()}
    admin = units_frame.loc[units_frame["whole_administration"], "id"].iloc[0]
    return ind.set_index("id"), indicators, names, units, unit_names, admin


NOT_REPORTED_SQL = "('---', '--', '—', '–', 'n/a')"
PREVIEW_ROWS = 500


def _norm_sql(column: str) -> str:
    return f"lower(regexp_replace(trim({column}), '\\s+', ' ', 'g'))"


def _quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _stage_with_duckdb(cur, file: str, data: bytes, table: RawTable, layout: Layout, tmpdir: str) -> None:
    """Read a long-format CSV straight into DuckDB: the fast path for large files."""
    import tempfile

    text_ok = table.encoding == "utf-8"
    payload = data if text_ok else data.decode("cp1252").encode("utf-8")
    with tempfile.NamedTemporaryFile(suffix=".csv", dir=tmpdir, delete=False) as fh:
        fh.write(payload)
        path = fh.name
    try:
        n = len(table.columns)
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n)) + "}"
        roles, names = layout.roles, table.columns

        def cell(role: str) -> str:
            return f"coalesce(trim(c{roles[role]}), '')" if role in roles else "''"

        all_empty = " AND ".join(f"coalesce(trim(c{i}), '') = ''" for i in range(n))
        try:
            cur.execute(f"""
                CREATE TEMP TABLE staged AS
                SELECT * FROM (
                    SELECT row_number() OVER () + 1 AS row, {cell('indikator')} AS indicator_raw,
                           {cell('enhet')} AS unit_raw, {cell('period')} AS period_raw, {cell('värde')} AS value_raw,
                           {cell('kommentar')} AS comment, {_quote(names[roles['period']])} AS period_col,
                           {_quote(names[roles['värde']])} AS value_col, NOT ({all_empty}) AS has_data
                    FROM read_csv({_quote(path)}, delim={_quote(table.separator)}, header = true, quote = '"',
                                  escape = '"', auto_detect = false, strict_mode = true, columns = {columns})
                ) WHERE has_data
            """).fetchall()
        except duckdb.Error as exc:
            import re

            m = re.search(r"Line: (\d+).*?Expected Number of Columns: (\d+) Found: (\d+)", str(exc), re.S)
            if m:
                raise UploadError(f"{file}, rad {m[1]}: raden har {m[3]} kolumner men rubrikraden har {m[2]}; "
                                  f"kontrollera avgränsare och citattecken.") from None
            raise UploadError(f"{file}: filen går inte att tolka som CSV ({str(exc).splitlines()[0]}).") from None
    finally:
        os.unlink(path)


def _stage_with_pandas(cur, table: RawTable, layout: Layout) -> None:
    frame = _long_frame(table, layout)
    frame["period_raw"] = to_text(frame["period_raw"])
    frame["value_raw"] = to_text(frame["value_raw"])
    frame["row"] = frame["row"].astype("int64")
    cur.register("staged_frame", frame)
    cur.execute("CREATE TEMP TABLE staged AS SELECT row, indicator_raw, unit_raw, period_raw, value_raw, comment,"
                " period_col, value_col FROM staged_frame").fetchall()
    cur.unregister("staged_frame")


def analyse(store: Store, file: str, data: bytes, *, sheet: str | None = None, limit: int | None = None,
            today: date | None = None) -> Analysis:
    """Read and check an upload; nothing is written. Raises ``UploadError`` when the file as a
    whole cannot be used; row problems are collected in the result.

    The checks run in DuckDB on a temporary table of the upload, so a million rows stay fast;
    the analysis keeps that table (on its own cursor) for ``commit``."""
    import tempfile

    limit = max_bytes() if limit is None else limit
    if len(data) > limit:
        size, most = (f"{n / 1024 / 1024:.2f}".rstrip("0").rstrip(".").replace(".", ",") for n in (len(data), limit))
        raise UploadError(f"{file} är {size} MB; gränsen är {most} MB. "
                          f"Dela upp filen eller be en administratör höja gränsen (ASN_MAX_UPLOAD_MB).")
    is_xlsx = file.lower().endswith((".xlsx", ".xlsm", ".xls")) or data[:4] == b"PK\x03\x04"
    try:
        if is_xlsx:
            table = read_upload(file, data, sheet)
        else:
            table = read_header(file, data)
    except ReadError as exc:
        raise UploadError(exc.sv, exc.en) from None
    layout = detect_layout(table)
    cur = store.cursor()
    if not is_xlsx and layout.kind == "long" and b"\n\n" not in data.replace(b"\r\n", b"\n"):
        _stage_with_duckdb(cur, file, data, table, layout, tempfile.gettempdir())
    else:
        if not is_xlsx:
            try:
                table = read_upload(file, data, sheet)
            except ReadError as exc:
                raise UploadError(exc.sv, exc.en) from None
        _stage_with_pandas(cur, table, layout)
    analysis = _check(store, cur, file, data, table, layout, today or date.today())
    analysis.sheet = sheet
    return analysis


def read_header(file: str, data: bytes) -> RawTable:
    """Only the header of a CSV (for layout detection), with its encoding and separator."""
    import csv as csvmod

    from asn_dash.uploads.readers import decode, detect_separator

    text, encoding = decode(file, data)
    if not text.strip():
        raise ReadError(f"{file}: filen är tom.")
    header_line = text[: text.find("\n")] if "\n" in text else text
    if not header_line.strip():
        raise ReadError(f"{file}, rad 1: första raden ska vara rubrikraden (den är tom).")
    sep = detect_separator(file, header_line)
    columns = next(csvmod.reader([header_line.rstrip("\r")], delimiter=sep, quotechar='"'))
    return RawTable(file, [c.strip() for c in columns], pd.DataFrame(), [], encoding, sep)


def _check(store: Store, cur, file: str, data: bytes, table: RawTable, layout: Layout, today: date) -> Analysis:
    meta, indicators, ind_names, units, unit_names, admin = _lookups(store)
    ind_col = table.columns[layout.roles["indikator"]]
    unit_col = table.columns[layout.roles["enhet"]] if "enhet" in layout.roles else "enhet"

    lookups = {
        "ind_lookup": pd.DataFrame({"key": list(indicators), "id": list(indicators.values())}),
        "unit_lookup": pd.DataFrame({"key": list(units), "id": list(units.values())}),
        "ind_meta": meta.reset_index()[["id", "unit", "allow_negative"]],
    }
    distinct = [r[0] for r in cur.execute("SELECT DISTINCT period_raw FROM staged").fetchall()]
    parsed = []
    for raw in distinct:
        try:
            p = parse_period(raw, today=today)
            parsed.append((raw, p.key, p.kind, p.end, None))
        except ValueError as exc:
            parsed.append((raw, None, None, None, str(exc)))
    lookups["period_lookup"] = pd.DataFrame(parsed, columns=["raw", "key", "kind", "end_date", "error"]).astype(
        {"raw": object, "key": object, "kind": object, "error": object})
    for name, frame in lookups.items():
        cur.register(f"{name}_frame", frame)
        cur.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_frame").fetchall()
        cur.unregister(f"{name}_frame")

    cur.execute(f"""
        CREATE TEMP TABLE checked AS
        WITH v AS (
            SELECT s.*, i.id AS indicator_id, m.unit AS ind_unit, coalesce(m.allow_negative, false) AS allow_negative,
                   CASE WHEN s.unit_raw = '' THEN {_quote(admin)} ELSE u.id END AS unit_id,
                   p.key AS period, p.kind AS period_kind, CAST(p.end_date AS DATE) AS period_end, p.error AS period_error,
                   s.value_raw = '' OR lower(s.value_raw) IN {NOT_REPORTED_SQL} AS missing,
                   ends_with(s.value_raw, '%') AS pct,
                   regexp_replace(replace(rtrim(s.value_raw, '%'), '−', '-'), '[\\s\\x{{00a0}}\\x{{202f}}]', '', 'g') AS c0,
                   CASE lower(s.value_raw) WHEN 'ja' THEN 1.0 WHEN 'yes' THEN 1.0 WHEN 'nej' THEN 0.0
                                           WHEN 'no' THEN 0.0 END AS yes_no
            FROM staged s
            LEFT JOIN ind_lookup i ON i.key = {_norm_sql('s.indicator_raw')}
            LEFT JOIN ind_meta m ON m.id = i.id
            LEFT JOIN unit_lookup u ON u.key = {_norm_sql('s.unit_raw')}
            LEFT JOIN period_lookup p ON p.raw = s.period_raw
        ), w AS (
            SELECT *, TRY_CAST(replace(CASE WHEN contains(c0, ',') AND contains(c0, '.') THEN replace(c0, '.', '')
                                            ELSE c0 END, ',', '.') AS DOUBLE) AS num
            FROM v
        ), x AS (
            SELECT *, (num IS NULL OR isinf(num) OR isnan(num)) AS not_number,
                   CASE WHEN ind_unit = 'ja/nej' THEN coalesce(yes_no, num) WHEN ind_unit = 'text' THEN NULL
                        ELSE num END AS value
            FROM w
        )
        SELECT *,
            CASE
                WHEN indicator_id IS NULL OR missing THEN NULL
                WHEN ind_unit NOT IN ('text', 'ja/nej') AND not_number THEN 'inte ett tal'
                WHEN ind_unit = 'ja/nej' AND (value IS NULL OR value NOT IN (0, 1))
                    THEN 'Ja/Nej-indikator: skriv Ja, Nej, 1 eller 0'
                WHEN pct AND ind_unit <> 'procent' THEN 'procenttecken, men indikatorn mäts i ' || ind_unit
                WHEN ind_unit = 'antal' AND value < 0 THEN 'ett antal kan inte vara negativt'
                WHEN ind_unit = 'antal' AND value % 1 <> 0 THEN 'ett antal måste vara ett heltal'
                WHEN ind_unit = 'dagar' AND value < 0 THEN 'antal dagar kan inte vara negativt'
                WHEN ind_unit = 'procent' AND NOT allow_negative AND (value < 0 OR value > 100)
                    THEN 'en andel i procent måste ligga mellan 0 och 100'
                WHEN ind_unit = 'procent' AND allow_negative AND (value < -100 OR value > 100)
                    THEN 'en procentsats måste ligga mellan −100 och 100'
            END AS value_error,
            CASE WHEN ind_unit = 'text' AND NOT missing THEN
                CASE WHEN regexp_matches(value_raw, '^''[=+\\-@\\t\\r]') THEN value_raw[2:] ELSE value_raw END
            END AS text_value
        FROM x
    """).fetchall()
    cur.execute("""
        CREATE TEMP TABLE valid AS
        SELECT row, indicator_id, unit_id, period, period_kind, period_end, value, text_value, comment, value_col,
               period_col, period_raw, row_number() OVER key_window AS key_rank, min(row) OVER key_window AS first_row
        FROM checked
        WHERE indicator_id IS NOT NULL AND unit_id IS NOT NULL AND period_error IS NULL AND value_error IS NULL
          AND NOT missing AND indicator_raw <> ''
        WINDOW key_window AS (PARTITION BY indicator_id, unit_id, period ORDER BY row)
    """).fetchall()
    problem_sql = f"""
        SELECT row, 0 AS ord, {_quote(ind_col)} AS col, indicator_raw AS value, 'indikator saknas' AS msg
            FROM checked WHERE indicator_raw = ''
        UNION ALL SELECT row, 0, {_quote(ind_col)}, indicator_raw, '#unknown-indicator'
            FROM checked WHERE indicator_id IS NULL AND indicator_raw <> ''
        UNION ALL SELECT row, 1, {_quote(unit_col)}, unit_raw, '#unknown-unit' FROM checked WHERE unit_id IS NULL
        UNION ALL SELECT row, 2, period_col, period_raw, period_error FROM checked WHERE period_error IS NOT NULL
        UNION ALL SELECT row, 3, value_col, value_raw, value_error FROM checked WHERE value_error IS NOT NULL
        UNION ALL SELECT row, 4, period_col, period_raw,
                         'samma indikator, enhet och period finns redan på rad ' || first_row
            FROM valid WHERE key_rank > 1
    """
    cur.execute("DROP TABLE staged").fetchall()  # free memory early: checked holds all it needs
    total = cur.execute(f"SELECT count(*) FROM ({problem_sql})").fetchall()[0][0]
    first = cur.execute(f"SELECT * FROM ({problem_sql}) ORDER BY row, ord LIMIT {MAX_REPORTED}").fetchall()
    errors = []
    for row, _, col, value, msg in first:
        if msg == "#unknown-indicator":
            msg = "okänd indikator" + _closest(value, ind_names)
        elif msg == "#unknown-unit":
            msg = "okänd enhet" + _closest(value, unit_names)
        errors.append(Problem(int(row), str(col), "" if value is None else str(value), msg))
    analysis = Analysis(file, hashlib.sha256(data).hexdigest(), layout.kind, errors=errors, error_count=total,
                        data=data, sheet=None, store=store, cursor=cur)
    if not analysis.ok:
        return analysis
    cur.execute(f"""
        CREATE TEMP TABLE incoming AS
        SELECT v.row, v.indicator_id, v.unit_id, v.period, v.period_kind, v.period_end, v.value, v.text_value,
               nullif(v.comment, '') AS comment, v.value_col,
               ik.key AS indicator_key, uk.key AS unit_key, period_code(v.period) AS period_code,
               {VALUE_KINDS[UTFALL]}::UTINYINT AS kind,
               o.value AS old_value, o.text_value AS old_text_value, o.indicator_key IS NOT NULL AS existed,
               CASE WHEN o.indicator_key IS NULL THEN 'ny'
                    WHEN coalesce(abs(v.value - o.value) < 1e-9, v.value IS NULL AND o.value IS NULL)
                         AND coalesce(v.text_value, '') = coalesce(o.text_value, '') THEN 'oförändrad'
                    ELSE 'ändrad' END AS status
        FROM valid v
        JOIN indicator_keys ik ON ik.id = v.indicator_id
        JOIN unit_keys uk ON uk.id = v.unit_id
        LEFT JOIN observation_values o ON o.indicator_key = ik.key AND o.unit_key = uk.key
             AND o.period_code = period_code(v.period) AND o.kind = {VALUE_KINDS[UTFALL]}
        WHERE v.key_rank = 1
    """).fetchall()
    cur.execute("DROP TABLE checked").fetchall()
    cur.execute("DROP TABLE valid").fetchall()
    counts = dict(cur.execute("SELECT status, count(*) FROM incoming GROUP BY status").fetchall())
    analysis.counted = {"inserted": counts.get("ny", 0), "updated": counts.get("ändrad", 0),
                        "unchanged": counts.get("oförändrad", 0)}
    if sum(analysis.counted.values()) == 0:
        raise UploadError(f"{file}: filen innehåller inga värden att läsa in (alla celler är tomma eller '---').")
    analysis.changes = cur.execute(
        f"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY status ORDER BY row) AS n FROM incoming)"
        f" WHERE n <= {PREVIEW_ROWS} ORDER BY row").df()
    analysis.warnings = outliers(cur, file)
    return analysis


def outliers(cur, file: str) -> list[Problem]:
    """Monthly values that would change something and are more than 3× or under a third of
    the median of the 12 months before."""
    from asn_dash.formatting import format_number

    flagged = cur.execute(
        """
        SELECT i.row, i.value_col, i.value, median(o.value) AS median
        FROM incoming i
        JOIN observations o ON o.indicator_id = i.indicator_id AND o.unit_id = i.unit_id
         AND o.period_kind = 'månad' AND o.value IS NOT NULL
         AND o.period_end < i.period_end - INTERVAL 27 DAY
         AND o.period_end >= i.period_end - INTERVAL 13 MONTH
        WHERE i.status <> 'oförändrad' AND i.period_kind = 'månad' AND i.value IS NOT NULL
        GROUP BY i.row, i.value_col, i.value
        HAVING count(*) >= 3 AND median(o.value) > 0
           AND (i.value > 3 * median(o.value) OR i.value < median(o.value) / 3)
        ORDER BY i.row
        """).df()
    return [Problem(int(r.row), r.value_col, format_number(r.value, 2).rstrip("0").rstrip(","),
                    f"avviker kraftigt från medianen för de senaste 12 månaderna ({format_number(r.median, 1)}); "
                    f"kontrollera värdet och bekräfta varningen")
            for r in flagged.itertuples()]


class WarningsNotConfirmed(AsnError):
    """The upload has warnings that the analyst has not confirmed."""


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
            f"{analysis.file} har {len(analysis.warnings)} varningar som måste bekräftas innan filen läses in.")
    if analysis.store is not store or analysis.cursor is None:
        fresh = analyse(store, analysis.file, analysis.data, sheet=analysis.sheet)
        if not fresh.ok or (fresh.warnings and not accept_warnings):
            fresh.close()
            raise UploadError(f"{analysis.file} har ändrats i datalagret sedan förhandsgranskningen; "
                              f"ladda upp filen igen.")
        analysis = fresh
    cur = analysis.cursor
    try:
        counts = dict(cur.execute("SELECT status, count(*) FROM incoming GROUP BY status").fetchall())
        n_new, n_changed = counts.get("ny", 0), counts.get("ny", 0) + counts.get("ändrad", 0)
        new_comments = cur.execute(
            "SELECT count(*) FROM incoming i WHERE i.comment IS NOT NULL AND NOT EXISTS ("
            " SELECT 1 FROM comments c WHERE c.indicator_id = i.indicator_id AND c.period = i.period"
            " AND coalesce(c.unit_id, '') = i.unit_id AND c.text = i.comment)").fetchall()[0][0]
        status = "inläst" if n_changed or new_comments else UNCHANGED
        with transaction(cur):
            upload_id = cur.execute(
                "INSERT INTO uploads (user_name, file_name, sha256, inserted, updated, unchanged, warnings, layout,"
                " status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [user, analysis.file, analysis.sha256, n_new, n_changed - n_new, counts.get("oförändrad", 0),
                 len(analysis.warnings), analysis.layout, status]).fetchall()[0][0]
            if status == UNCHANGED:  # logged with its counts, nothing else written
                audit(cur, user, "uppladdning", f"uppladdning {upload_id}",
                      f"{analysis.file}: inget ändrat ({counts.get('oförändrad', 0)} oförändrade)")
                return int(upload_id)
            ref = f"uppladdning {upload_id}: {analysis.file}"
            # history first: new rows need no lookup, changed rows keep every old column
            cur.execute(
                "INSERT INTO upload_changes SELECT ?, indicator_key, unit_key, period_code, kind, false, NULL, NULL,"
                " NULL, NULL, NULL, NULL FROM incoming WHERE status = 'ny'", [upload_id]).fetchall()
            cur.execute(
                "INSERT INTO upload_changes SELECT ?, o.indicator_key, o.unit_key, o.period_code, o.kind, true,"
                " o.value, o.text_value, o.source, o.source_ref, o.upload_id, o.updated_at"
                f" FROM incoming i JOIN observation_values o ON {SAME_KEY} WHERE i.status = 'ändrad'",
                [upload_id]).fetchall()
            cur.execute(
                "UPDATE observation_values o SET value = i.value, text_value = i.text_value, source = ?, source_ref = ?,"
                f" upload_id = ?, updated_at = current_timestamp FROM incoming i WHERE i.status = 'ändrad' AND {SAME_KEY}",
                [SOURCE, ref, upload_id]).fetchall()
            cur.execute(
                "INSERT INTO observation_values (indicator_key, unit_key, period_code, kind, period_end, value,"
                " text_value, source, source_ref, upload_id, updated_at) SELECT indicator_key, unit_key, period_code,"
                " kind, period_end, value, text_value, ?, ?, ?, current_timestamp FROM incoming WHERE status = 'ny'",
                [SOURCE, ref, upload_id]).fetchall()
            cur.execute(
                "INSERT INTO comments (indicator_id, unit_id, period, author, written_on, text, source, upload_id)"
                " SELECT i.indicator_id, i.unit_id, i.period, ?, current_date, i.comment, 'uppladdning', ?"
                " FROM incoming i WHERE i.comment IS NOT NULL AND NOT EXISTS ("
                " SELECT 1 FROM comments c WHERE c.indicator_id = i.indicator_id AND c.period = i.period"
                " AND coalesce(c.unit_id, '') = i.unit_id AND c.text = i.comment)", [user, upload_id]).fetchall()
            audit(cur, user, "uppladdning", f"uppladdning {upload_id}",
                  f"{analysis.file}: {n_new} nya, {n_changed - n_new} ändrade")
    except duckdb.ConstraintException as exc:  # the store's last guard (e.g. a period key it does not take)
        raise UploadError(f"{analysis.file}: datalagret tar inte emot ett av värdena ({str(exc).splitlines()[0]}). "
                          f"Inget har lästs in.") from None
    finally:
        analysis.close()
    return int(upload_id)
