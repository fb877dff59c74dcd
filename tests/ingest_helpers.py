"""Helpers for upload tests: write files, run the CLI in-process, dump every table."""

from __future__ import annotations

import duckdb


def dump(path) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: two equal dumps mean an unchanged store."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1").fetchall()]
        return {n: sorted(con.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        con.close()


def dump_values(path) -> dict[str, list[tuple]]:
    """Like :func:`dump` without the upload log and the audit log (which log every upload)."""
    return {name: rows for name, rows in dump(path).items() if name not in ("uploads", "audit_log")}


# Stored values live in observation_values (integer keys); the view `observations` has the text
# keys. Tests change values by text keys through these two helpers.
_SAME = ("v.indicator_key = o.indicator_key AND v.unit_key = o.unit_key AND v.period_code = o.period_code"
         " AND o.kind = 0")


def delete_values(con, where: str, params: list | None = None) -> None:
    """Delete stored outcomes (utfall) matching ``where`` (SQL over the view's columns)."""
    con.execute(f"DELETE FROM observation_values o USING observations v WHERE {_SAME} AND ({where})", params or [])


def update_values(con, assignments: str, where: str, params: list | None = None) -> None:
    """``UPDATE … SET assignments`` on stored outcomes matching ``where``; parameters of the
    assignments come first in ``params``."""
    con.execute(f"UPDATE observation_values o SET {assignments} FROM observations v WHERE {_SAME} AND ({where})",
                params or [])


def insert_value(con, indicator: str, unit: str, period: str, value: float | None, source: str = "uppladdning",
                 kind: str = "utfall", text: str | None = None) -> None:
    """Store one value by its text keys (the key must be new)."""
    con.execute(
        "INSERT INTO observation_values (indicator_key, unit_key, period_code, kind, period_end, value, text_value,"
        " source) SELECT i.key, u.key, period_code(?), k.kind, period_end_of(period_code(?)), ?, ?, ?"
        " FROM indicator_keys i, unit_keys u, value_kinds k WHERE i.id = ? AND u.id = ? AND k.name = ?",
        [period, period, value, text, source, indicator, unit, kind])


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)
