"""Build tests/fixtures/stores/schema-NNNN.duckdb.gz: a small store at each schema version, as a
released asn-dash of that version would have left it, with a few rows of every kind people add
(values, an upload and what it replaced, a comment, verdicts, an audit row, an agenda, a person).

    .venv/bin/python scripts/make_schema_fixtures.py            # every version, overwriting
    .venv/bin/python scripts/make_schema_fixtures.py --only 8   # one version

Each file is made by ``migrate(con, path, target=N)`` on an empty file, so it has exactly that
version's tables; no seed data is needed (the migrations move data, they never read the seed
files). tests/test_schema_fixtures.py opens a copy of each with ``open_store`` and checks the
rows below (FIXTURE_ROWS) are still there at the current version. Run this once after adding a
migration, so the new version gets its fixture too; never regenerate the old ones by hand-edited
migrations: they are the stores earlier releases wrote.

Size: even with DuckDB's smallest blocks (16 KiB) every table and primary-key index with a row
takes a block of its own, so the files are 330–700 KB; mostly zeros, they are kept gzipped
(7–17 KB each) and unpacked by the test.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from asn_dash.store.store import LATEST_VERSION, migrate  # noqa: E402

FOLDER = ROOT / "tests" / "fixtures" / "stores"
BLOCK_SIZE = 16384  # the smallest DuckDB allows; the block size is a property of the file, not of the schema


def fixture_path(version: int) -> Path:
    return FOLDER / f"schema-{version:04d}.duckdb.gz"


def fill(con: duckdb.DuckDBPyConnection, v: int) -> None:
    """The rows a store of schema version ``v`` holds (real catalogue ids, so a catalogue sync
    after migrating keeps them meaningful)."""
    x = con.execute
    x("INSERT INTO meta VALUES ('fixture', ?)", [f"schema-{v:04d}"])
    x("INSERT INTO indicators (id, name, unit, frequency, direction, unit_aggregation, period_aggregation, source) "
      "VALUES ('hushall_ekb', 'Hushåll med ekonomiskt bistånd', 'antal', 'månad', 'lägre', 'sum', 'mean', "
      "'uppladdning')")
    x("INSERT INTO units VALUES ('aos', true), ('barn_unga', false)")
    x("INSERT INTO plan_years (year, title, source) VALUES (2025, 'Nämndplan 2025', 'fixture')")
    x("INSERT INTO uploads (user_name, uploaded_at, file_name, sha256, inserted) "
      "VALUES ('anna', TIMESTAMP '2025-09-02 10:15:00', 'augusti.csv', 'ab12', 2)")
    values = [("hushall_ekb", "aos", "2025-08", "månad", "2025-08-31", 4440.0),
              ("hushall_ekb", "barn_unga", "2025-T1", "tertial", "2025-04-30", 12.5)]
    if v < 6:
        for ind, unit, period, kind, end, value in values:
            x("INSERT INTO observations (indicator_id, unit_id, period, period_kind, period_end, value, source, "
              "source_ref, upload_id) VALUES (?, ?, ?, ?, ?, ?, 'uppladdning', 'augusti.csv', 1)",
              [ind, unit, period, kind, end, value])
    else:
        x("INSERT INTO indicator_keys (id) VALUES ('hushall_ekb')")
        x("INSERT INTO unit_keys (id) VALUES ('aos'), ('barn_unga')")
        for ind, unit, period, _kind, end, value in values:
            x("INSERT INTO observation_values (indicator_key, unit_key, period_code, kind, period_end, value, source, "
              "source_ref, upload_id) SELECT i.key, u.key, period_code(?), 0, ?, ?, 'uppladdning', 'augusti.csv', 1 "
              "FROM indicator_keys i, unit_keys u WHERE i.id = ? AND u.id = ?", [period, end, value, ind, unit])
    if 4 <= v < 6:
        x("INSERT INTO observation_history (upload_id, indicator_id, unit_id, period, existed, old_value) "
          "VALUES (1, 'hushall_ekb', 'aos', '2025-08', true, 4400.0)")
    elif v >= 6:
        x("INSERT INTO upload_changes (upload_id, indicator_key, unit_key, period_code, kind, existed, old_value) "
          "SELECT 1, i.key, u.key, period_code('2025-08'), 0, true, 4400.0 FROM indicator_keys i, unit_keys u "
          "WHERE i.id = 'hushall_ekb' AND u.id = 'aos'")
    x("INSERT INTO comments (indicator_id, unit_id, period, author, written_on, text) "
      "VALUES ('hushall_ekb', 'aos', '2025-08', 'anna', DATE '2025-09-02', 'Fler ansökningar i augusti.')")
    if v < 8:
        x("INSERT INTO published_assessments VALUES (2025, 'sjalvforsorjning', 'aos', '2025-T2', 'Gul', "
          "'Tertialrapport T2 2025, tabell 1')")
    if 3 <= v < 8:
        x("INSERT INTO manual_statuses (indicator_id, period, colour, text, author, created_at) VALUES "
          "('hushall_ekb', '2025-08', 'Grön', 'Bedömd för hand.', 'anna', TIMESTAMP '2025-09-03 09:00:00')")
        x("INSERT INTO assessment_overrides (plan_year, indicator_id, period, colour, comment, author, created_at) "
          "VALUES (2025, 'hushall_ekb', '2025-T2', 'Röd', 'Överstyrd efter genomgång.', 'anna', "
          "TIMESTAMP '2025-09-04 09:00:00')")
    if v >= 8:
        x("INSERT INTO verdicts (plan_year, level, target_id, unit_id, period, colour, origin, source_ref) VALUES "
          "(2025, 'målområde', 'sjalvforsorjning', NULL, '2025-T2', 'Gul', 'rapport', "
          "'Tertialrapport T2 2025, tabell 1')")
        x("INSERT INTO verdicts (plan_year, level, target_id, period, colour, text, origin, author, created_at) VALUES "
          "(2025, 'indikator', 'hushall_ekb', '2025-08', 'Grön', 'Bedömd för hand.', 'analytiker', 'anna', "
          "TIMESTAMP '2025-09-03 09:00:00'), (2025, 'indikator', 'hushall_ekb', '2025-T2', 'Röd', "
          "'Överstyrd efter genomgång.', 'analytiker', 'anna', TIMESTAMP '2025-09-04 09:00:00')")
    if v >= 3:
        x("INSERT INTO audit_log (user_name, action, target, detail) "
          "VALUES ('anna', 'kommentar', 'hushall_ekb 2025-08', 'Fler ansökningar i augusti.')")
    if v >= 5:
        x("INSERT INTO agendas (name, indicator_ids, saved_by) VALUES ('Tertial 2', ['hushall_ekb'], 'anna')")
    if v >= 7:
        x("INSERT INTO people (user_name, display_name) VALUES ('anna', 'Anna Analytiker')")


def make(version: int) -> Path:
    target = fixture_path(version)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / target.name.removesuffix(".gz")
        build(path, version)
        with open(path, "rb") as raw, gzip.GzipFile(target, "wb", compresslevel=9, mtime=0) as packed:
            shutil.copyfileobj(raw, packed)
    return target


def build(path: Path, version: int) -> None:
    con = duckdb.connect()  # 16 KiB blocks instead of 256 KiB: the same schema in a file 1/16 the size
    try:
        con.execute(f"ATTACH '{path}' AS fixture (BLOCK_SIZE {BLOCK_SIZE})")
        con.execute("USE fixture")
        migrate(con, path, target=version)
        fill(con, version)
        con.execute("CHECKPOINT fixture")
    finally:
        con.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, nargs="+", help="these versions only")
    args = parser.parse_args()
    for version in args.only or range(1, LATEST_VERSION + 1):
        path = make(version)
        print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
