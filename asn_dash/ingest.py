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

import numpy as np
import pandas as pd

from .errors import AsnError
from .parsing import MONTH_WORDS, parse_numbers, parse_period, to_text
from .periods import Period
from .readers import RawTable, ReadError, read_upload
from .store import Store

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
    file: str
    sha256: str
    layout: str
    rows: pd.DataFrame  # valid rows: indicator_id, unit_id, period, period_kind, period_end, value, text_value, comment, row
    errors: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warnings: list[Problem] = field(default_factory=list)
    changes: pd.DataFrame | None = None  # rows + status (ny/ändrad/oförändrad) + old_value/old_text_value

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def counts(self) -> dict[str, int]:
        if self.changes is None or not self.ok:
            return {"inserted": 0, "updated": 0, "unchanged": 0}
        status = self.changes["status"]
        return {"inserted": int((status == "ny").sum()), "updated": int((status == "ändrad").sum()),
                "unchanged": int((status == "oförändrad").sum())}

    def summary(self) -> dict:
        return {**self.counts(), "warnings": [w.text(self.file) for w in self.warnings],
                "errors": [e.as_dict() for e in self.errors], "error_count": self.error_count}


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


def analyse(store: Store, file: str, data: bytes, *, sheet: str | None = None, limit: int | None = None,
            today: date | None = None) -> Analysis:
    """Read and check an upload; nothing is written. Raises ``UploadError`` when the file as a
    whole cannot be used; row problems are collected in the result."""
    limit = max_bytes() if limit is None else limit
    if len(data) > limit:
        size, most = (f"{n / 1024 / 1024:.2f}".rstrip("0").rstrip(".").replace(".", ",") for n in (len(data), limit))
        raise UploadError(f"{file} är {size} MB; gränsen är {most} MB. "
                          f"Dela upp filen eller be en administratör höja gränsen (ASN_MAX_UPLOAD_MB).")
    try:
        table = read_upload(file, data, sheet)
    except ReadError as exc:
        raise UploadError(exc.sv, exc.en) from None
    layout = detect_layout(table)
    frame = _long_frame(table, layout)
    meta, indicators, ind_names, units, unit_names, admin = _lookups(store)
    today = today or date.today()
    problems: list[tuple[int, int, Problem]] = []  # (row, order, problem) for sorting

    def add(mask: pd.Series, column: pd.Series | str, raw: pd.Series, message, order: int) -> None:
        idx = np.flatnonzero(mask.values)
        for i in idx[: MAX_REPORTED + 1]:
            col_name = column if isinstance(column, str) else column.iat[i]
            msg = message(i) if callable(message) else message
            value = raw.iat[i]
            problems.append((int(frame["row"].iat[i]), order,
                             Problem(int(frame["row"].iat[i]), str(col_name), "" if value is None else str(value), msg)))
        add.total += len(idx)
    add.total = 0

    ind_col = table.columns[layout.roles["indikator"]]
    unit_col = table.columns[layout.roles["enhet"]] if "enhet" in layout.roles else "enhet"

    # indicator, unit and period: few distinct spellings, so each is interpreted once
    def per_distinct(raw: pd.Series, interpret) -> pd.Series:
        codes, uniques = pd.factorize(raw, use_na_sentinel=False)
        return pd.Series(np.asarray([interpret(u) for u in uniques], dtype=object)[codes], index=raw.index)

    def norm(text: object) -> str:
        return " ".join(str(text).lower().split())

    frame["indicator_id"] = per_distinct(frame["indicator_raw"], lambda u: indicators.get(norm(u)))
    missing_ind = frame["indicator_raw"] == ""
    add(missing_ind, ind_col, frame["indicator_raw"], "indikator saknas", 0)
    unknown_ind = frame["indicator_id"].isna() & ~missing_ind
    add(unknown_ind, ind_col, frame["indicator_raw"],
        lambda i: "okänd indikator" + _closest(frame["indicator_raw"].iat[i], ind_names), 0)
    frame["unit_id"] = per_distinct(frame["unit_raw"], lambda u: admin if u == "" else units.get(norm(u)))
    unknown_unit = frame["unit_id"].isna()
    add(unknown_unit, unit_col, frame["unit_raw"],
        lambda i: "okänd enhet" + _closest(frame["unit_raw"].iat[i], unit_names), 1)

    def period_of(raw: object) -> tuple:
        try:
            p = parse_period(raw, today=today)
        except ValueError as exc:
            return None, None, None, str(exc)
        return p.key, p.kind, p.end, None

    codes, uniques = pd.factorize(frame["period_raw"], use_na_sentinel=False)
    interpreted = [period_of(u) for u in uniques]
    for n, column in enumerate(("period", "period_kind", "period_end", "period_error")):
        frame[column] = np.asarray([t[n] for t in interpreted], dtype=object)[codes]
    bad_period = frame["period_error"].notna()
    add(bad_period, frame["period_col"], frame["period_raw"], lambda i: frame["period_error"].iat[i], 2)

    # values, by the indicator's kind
    known = frame["indicator_id"].notna()
    unit_of = frame["indicator_id"].map(meta["unit"]).fillna("")
    allow_negative = frame["indicator_id"].map(meta["allow_negative"]).fillna(False).astype(bool)
    numbers = parse_numbers(frame["value_raw"])
    is_text = unit_of == "text"
    is_yes_no = unit_of == "ja/nej"
    text_raw = to_text(frame["value_raw"])
    protected = text_raw.str.match(r"^'[=+\-@\t\r]")  # written by export.safe_text
    text_raw = text_raw.where(~protected, text_raw.str[1:])
    yes_no = text_raw.str.lower().map({"ja": 1.0, "nej": 0.0, "yes": 1.0, "no": 0.0})
    frame["value"] = numbers["value"].where(~is_yes_no, yes_no.fillna(numbers["value"]))
    frame["text_value"] = text_raw.where(is_text & ~numbers["missing"], None)
    frame["value"] = frame["value"].where(~is_text, np.nan)
    skip = numbers["missing"]  # empty or "---": not reported, nothing stored
    value = frame["value"]
    checks = [
        (known & ~is_text & ~is_yes_no & numbers["bad"], "inte ett tal"),
        (known & is_yes_no & ~skip & ~value.isin([0.0, 1.0]), "Ja/Nej-indikator: skriv Ja, Nej, 1 eller 0"),
        (known & numbers["percent"] & ~skip & (unit_of != "procent"),
         lambda i: f"procenttecken, men indikatorn mäts i {unit_of.iat[i]}"),
        (known & (unit_of == "antal") & (value < 0), "ett antal kan inte vara negativt"),
        (known & (unit_of == "antal") & value.notna() & (value % 1 != 0), "ett antal måste vara ett heltal"),
        (known & (unit_of == "dagar") & (value < 0), "antal dagar kan inte vara negativt"),
        (known & (unit_of == "procent") & ~allow_negative & ((value < 0) | (value > 100)),
         "en andel i procent måste ligga mellan 0 och 100"),
        (known & (unit_of == "procent") & allow_negative & ((value < -100) | (value > 100)),
         "en procentsats måste ligga mellan −100 och 100"),
    ]
    value_problem = pd.Series(False, index=frame.index)
    for mask, message in checks:
        mask = mask.fillna(False) & ~value_problem
        add(mask, frame["value_col"], frame["value_raw"], message, 3)
        value_problem |= mask

    valid = known & ~unknown_unit & ~bad_period & ~value_problem & ~skip & ~missing_ind
    # duplicate keys within the file (reported on the later row, naming the first)
    keys = frame.loc[valid, ["indicator_id", "unit_id", "period"]]
    dup = keys.duplicated(keep="first")
    if dup.any():
        first_row = frame.loc[valid].groupby(["indicator_id", "unit_id", "period"])["row"].transform("first")
        dup_mask = pd.Series(False, index=frame.index)
        dup_mask.loc[dup[dup].index] = True
        firsts = first_row.reindex(frame.index)
        add(dup_mask, frame["period_col"], frame["period_raw"],
            lambda i: f"samma indikator, enhet och period finns redan på rad {int(firsts.iat[i])}", 4)
        valid &= ~dup_mask

    problems.sort(key=lambda p: (p[0], p[1]))
    rows = frame.loc[valid, ["row", "indicator_id", "unit_id", "period", "period_kind", "period_end", "value",
                             "text_value", "comment", "value_col"]].reset_index(drop=True)
    analysis = Analysis(file, hashlib.sha256(data).hexdigest(), layout.kind, rows,
                        [p for _, _, p in problems[:MAX_REPORTED]], add.total)
    if analysis.ok:
        if rows.empty:
            raise UploadError(f"{file}: filen innehåller inga värden att läsa in (alla celler är tomma eller '---').")
        analysis.changes = diff(store, rows)
        # only values that would change anything need a second look
        analysis.warnings = outliers(store, analysis.changes[analysis.changes["status"] != "oförändrad"], file)
    return analysis


def _register(store: Store, name: str, frame: pd.DataFrame):
    cur = store.con.cursor()
    cur.register(name, frame)
    return cur


def diff(store: Store, rows: pd.DataFrame) -> pd.DataFrame:
    """Each valid row with its stored value and status: ny, ändrad or oförändrad."""
    cur = _register(store, "incoming", rows[["indicator_id", "unit_id", "period", "value", "text_value"]])
    try:
        stored = cur.execute(
            "SELECT i.indicator_id, i.unit_id, i.period, o.value AS old_value, o.text_value AS old_text_value,"
            " o.indicator_id IS NOT NULL AS existed"
            " FROM incoming i LEFT JOIN observations o USING (indicator_id, unit_id, period)").df()
    finally:
        cur.close()
    out = rows.merge(stored, on=["indicator_id", "unit_id", "period"], how="left")
    same_value = ((out["value"].isna() & out["old_value"].isna())
                  | (np.abs(out["value"].astype(float) - out["old_value"].astype(float)) < 1e-9))
    same_text = (out["text_value"].fillna("") == out["old_text_value"].fillna(""))
    out["status"] = np.where(~out["existed"], "ny", np.where(same_value & same_text, "oförändrad", "ändrad"))
    return out


def outliers(store: Store, rows: pd.DataFrame, file: str) -> list[Problem]:
    """Monthly values more than 3× or under a third of the median of the 12 months before."""
    monthly = rows[(rows["period_kind"] == "månad") & rows["value"].notna()]
    if monthly.empty:
        return []
    frame = monthly[["row", "indicator_id", "unit_id", "period_end", "value", "value_col"]].copy()
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    cur = _register(store, "incoming_months", frame)
    try:
        flagged = cur.execute(
            """
            SELECT i.row, i.value_col, i.value, median(o.value) AS median
            FROM incoming_months i
            JOIN observations o ON o.indicator_id = i.indicator_id AND o.unit_id = i.unit_id
             AND o.period_kind = 'månad' AND o.value IS NOT NULL
             AND o.period_end < i.period_end - INTERVAL 27 DAY
             AND o.period_end >= i.period_end - INTERVAL 13 MONTH
            GROUP BY i.row, i.value_col, i.value
            HAVING count(*) >= 3 AND median(o.value) > 0
               AND (i.value > 3 * median(o.value) OR i.value < median(o.value) / 3)
            ORDER BY i.row
            """).df()
    finally:
        cur.close()
    from .formatting import format_number

    return [Problem(int(r.row), r.value_col, format_number(r.value, 2).rstrip("0").rstrip(","),
                    f"avviker kraftigt från medianen för de senaste 12 månaderna ({format_number(r.median, 1)}); "
                    f"kontrollera värdet och bekräfta varningen")
            for r in flagged.itertuples()]


# --- commit -----------------------------------------------------------------------------


class WarningsNotConfirmed(AsnError):
    """The upload has warnings that the analyst has not confirmed."""


def commit(store: Store, analysis: Analysis, user: str, *, accept_warnings: bool = False) -> int | None:
    """Load an analysed upload in one transaction; return the upload id, or None when every
    value was already stored (re-uploading the same file changes nothing)."""
    if not analysis.ok:
        raise UploadError(f"{analysis.file} har {analysis.error_count} fel; inget har lästs in.")
    if analysis.warnings and not accept_warnings:
        raise WarningsNotConfirmed(
            f"{analysis.file} har {len(analysis.warnings)} varningar som måste bekräftas innan filen läses in.")
    user = (user or "").strip()
    if not user:
        raise UploadError("Ange vem som laddar upp filen.")
    rows = analysis.rows
    cur = _register(store, "incoming", rows.assign(
        period_end=pd.to_datetime(rows["period_end"]).dt.date,
        comment=rows["comment"].replace("", None)))
    try:
        cur.execute("BEGIN TRANSACTION")
        try:
            cur.execute(
                """
                CREATE TEMP TABLE changed AS
                SELECT i.*, o.indicator_id IS NOT NULL AS existed, o.value AS old_value, o.text_value AS old_text_value,
                       o.source AS old_source, o.source_ref AS old_source_ref, o.upload_id AS old_upload_id,
                       o.updated_at AS old_updated_at
                FROM incoming i LEFT JOIN observations o USING (indicator_id, unit_id, period)
                WHERE o.indicator_id IS NULL
                   OR NOT (coalesce(abs(i.value - o.value) < 1e-9, i.value IS NULL AND o.value IS NULL)
                           AND coalesce(i.text_value, '') = coalesce(o.text_value, ''))
                """).fetchall()
            n_changed = cur.execute("SELECT count(*) FROM changed").fetchall()[0][0]
            n_new = cur.execute("SELECT count(*) FROM changed WHERE NOT existed").fetchall()[0][0]
            new_comments = cur.execute(
                "SELECT count(*) FROM incoming i WHERE i.comment IS NOT NULL AND NOT EXISTS ("
                " SELECT 1 FROM comments c WHERE c.indicator_id = i.indicator_id AND c.period = i.period"
                " AND coalesce(c.unit_id, '') = i.unit_id AND c.text = i.comment)").fetchall()[0][0]
            if n_changed == 0 and new_comments == 0:
                cur.execute("DROP TABLE changed")
                cur.execute("ROLLBACK")
                return None
            upload_id = cur.execute(
                "INSERT INTO uploads (user_name, file_name, sha256, inserted, updated, unchanged, warnings, layout)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [user, analysis.file, analysis.sha256, n_new, n_changed - n_new, len(rows) - n_changed,
                 len(analysis.warnings), analysis.layout]).fetchall()[0][0]
            cur.execute(
                "INSERT INTO observation_history SELECT ?, indicator_id, unit_id, period, existed, old_value,"
                " old_text_value, old_source, old_source_ref, old_upload_id, old_updated_at FROM changed",
                [upload_id])
            cur.execute(
                """
                INSERT INTO observations (indicator_id, unit_id, period, period_kind, period_end, value, text_value,
                                          source, source_ref, upload_id, updated_at)
                SELECT indicator_id, unit_id, period, period_kind, period_end, value, text_value, ?, ?, ?,
                       current_timestamp
                FROM changed
                ON CONFLICT (indicator_id, unit_id, period) DO UPDATE SET
                    value = excluded.value, text_value = excluded.text_value, source = excluded.source,
                    source_ref = excluded.source_ref, upload_id = excluded.upload_id, updated_at = excluded.updated_at
                """, [SOURCE, f"uppladdning {upload_id}: {analysis.file}", upload_id])
            cur.execute(
                "INSERT INTO comments (indicator_id, unit_id, period, author, written_on, text, source, upload_id)"
                " SELECT i.indicator_id, i.unit_id, i.period, ?, current_date, i.comment, 'uppladdning', ?"
                " FROM incoming i WHERE i.comment IS NOT NULL AND NOT EXISTS ("
                " SELECT 1 FROM comments c WHERE c.indicator_id = i.indicator_id AND c.period = i.period"
                " AND coalesce(c.unit_id, '') = i.unit_id AND c.text = i.comment)", [user, upload_id])
            cur.execute("INSERT INTO audit_log (user_name, action, target, detail) VALUES (?, 'uppladdning', ?, ?)",
                        [user, f"uppladdning {upload_id}", f"{analysis.file}: {n_new} nya, "
                                                            f"{n_changed - n_new} ändrade"])
            cur.execute("DROP TABLE changed")
            cur.execute("COMMIT")
        except Exception:
            cur.execute("ROLLBACK")
            raise
    finally:
        cur.close()
    return int(upload_id)
