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


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)
