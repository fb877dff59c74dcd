"""An utfall only for a period that has ended; a prognos or budget also for periods to come.
Through the real CLI (`python -m asn_dash ingest`) with today given by ASN_TODAY."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from .ingest_helpers import dump

ROOT = Path(__file__).resolve().parent.parent


def ingest(db, path, today):
    return subprocess.run([sys.executable, "-m", "asn_dash", "ingest", str(path), "--db", str(db),
                           "--accept-warnings"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "ASN_TODAY": today}, check=False)


def stored(db, indicator, kind) -> dict[str, float]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(con.execute("SELECT period, value FROM observations_all WHERE indicator_id = ? AND value_kind = ?"
                                " AND unit_id = 'aos'", [indicator, kind]).fetchall())
    finally:
        con.close()


UNFINISHED = ("; ett utfall kan bara laddas upp för en avslutad period – ladda upp värdet som prognos "
              "(kolumnen typ: prognos) eller vänta tills perioden är slut.")


@pytest.mark.parametrize("today, rows, message", [
    # a yearly utfall for a year not over yet is not the year's figure
    ("2026-12-08", "hushall_ekb;;2026;380",
     "f.csv, rad 3, kolumn 'period' (värde '2026'): perioden helår 2026 är inte slut förrän 31 dec 2026" + UNFINISHED),
    # the month still running
    ("2026-12-08", "hushall_ekb;;2026-12;380",
     "f.csv, rad 3, kolumn 'period' (värde '2026-12'): perioden dec 2026 är inte slut förrän 31 dec 2026" + UNFINISHED),
    # a tertial still running, written as utfall in the typ column
    ("2026-08-30", "hushall_ekb;;T2 2026;utfall;380",
     "f.csv, rad 3, kolumn 'period' (värde 'T2 2026'): perioden T2 2026 är inte slut förrän 31 aug 2026" + UNFINISHED),
    # a month to come
    ("2026-09-05", "hushall_ekb;;2026-10;;380",
     "f.csv, rad 3, kolumn 'period' (värde '2026-10'): perioden okt 2026 är inte slut förrän 31 okt 2026" + UNFINISHED),
])
def test_an_utfall_for_a_period_not_ended_is_refused_and_nothing_changes(seeded_db, tmp_path, today, rows, message):
    with_kind = rows.count(";") == 4  # a typ column
    header, first = (("indikator;enhet;period;typ;värde", "hushall_ekb;;2025-03;;390") if with_kind else
                     ("indikator;enhet;period;värde", "hushall_ekb;;2025-03;390"))  # row 2 is fine
    path = tmp_path / "f.csv"
    path.write_bytes(f"{header}\r\n{first}\r\n{rows}\r\n".encode())
    before = dump(seeded_db)
    out = ingest(seeded_db, path, today)
    assert out.returncode == 2, out.stdout + out.stderr
    assert message in out.stdout + out.stderr
    assert dump(seeded_db) == before


def test_the_last_day_of_a_period_ends_it(seeded_db, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"indikator;enhet;period;v\xc3\xa4rde\r\nhushall_ekb;;2026;380\r\n")
    out = ingest(seeded_db, path, "2026-12-31")
    assert out.returncode == 0, out.stdout + out.stderr
    assert stored(seeded_db, "hushall_ekb", "utfall")["2026"] == 380


def test_prognos_for_months_to_come_and_next_years_budget_are_loaded(seeded_db, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("indikator;enhet;period;typ;värde\r\n"
                     "hushall_ekb;;2026-08;;370\r\n"
                     "hushall_ekb;;2026-10;prognos;381\r\n"
                     "hushall_ekb;;2026-11;prognos;382\r\n"
                     "hushall_ekb;;2026-12;Prognos;383\r\n"
                     "hushall_ekb;;2026;prognos;385\r\n"
                     "hushall_ekb;;2027-01;budget;390\r\n"
                     "hushall_ekb;;2027;budget;391\r\n".encode())
    out = ingest(seeded_db, path, "2026-09-05")
    assert out.returncode == 0, out.stdout + out.stderr
    assert stored(seeded_db, "hushall_ekb", "prognos").items() >= {"2026-10": 381, "2026-11": 382, "2026-12": 383,
                                                                 "2026": 385}.items()
    assert {k: v for k, v in stored(seeded_db, "hushall_ekb", "budget").items() if k.startswith("2027")} == {
        "2027-01": 390, "2027": 391}
    assert stored(seeded_db, "hushall_ekb", "utfall")["2026-08"] == 370


def test_the_year_after_next_stays_refused_for_every_kind(seeded_db, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("indikator;enhet;period;typ;värde\r\nhushall_ekb;;2028-01;budget;390\r\n".encode())
    before = dump(seeded_db)
    out = ingest(seeded_db, path, "2026-09-05")
    assert out.returncode == 2
    assert "året 2028 ligger utanför det tillåtna intervallet 2000–2027" in out.stdout + out.stderr
    assert dump(seeded_db) == before


def test_a_wrong_asn_today_is_named(seeded_db, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("indikator;enhet;period;värde\r\nhushall_ekb;;2025-03;390\r\n".encode())
    out = ingest(seeded_db, path, "8 dec 2026")
    assert out.returncode != 0
    assert "ASN_TODAY='8 dec 2026' är inget datum" in out.stdout + out.stderr
