"""Reading the seed CSV files (``data/seed``): rows numbered as a spreadsheet numbers them, and
errors that name file, row, column and reason. Shared by :mod:`asn_dash.store.seed` and
:mod:`asn_dash.store.verdict_seed`."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from asn_dash.errors import AsnError

SEED_DIR = Path(__file__).resolve().parents[2] / "data" / "seed"

COLOURS = ("Grön", "Gul", "Röd")


class SeedError(AsnError):
    """A seed file has a row that cannot be loaded."""


@dataclass(frozen=True)
class SeedRow:
    line: int  # as a spreadsheet numbers it: header = 1
    data: dict[str, str]


def read_seed_csv(path: Path, required: list[str]) -> list[SeedRow]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise SeedError(f"Seedfilen {path}: kolumn(er) saknas: {', '.join(missing)}.")
            return [SeedRow(n, {k: (v or "").strip() for k, v in row.items()})
                    for n, row in enumerate(reader, start=2)]
    except FileNotFoundError:
        raise SeedError(f"Seedfilen {path} saknas; återställ den från git.") from None


def _bad(path: Path, row: SeedRow, column: str, reason: str) -> SeedError:
    value = row.data.get(column, "")
    return SeedError(
        f"Seedfilen {path}, rad {row.line}, kolumn '{column}' (värde '{value}'): {reason}.",
        f"Seed file {path}, row {row.line}, column '{column}' (value '{value}'): {reason}.",
    )
