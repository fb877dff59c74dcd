"""``export`` and ``report -o`` into places they cannot write, and bad export options: one Swedish
line on stderr, exit code 1 or 2, no traceback, no half-written file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from asn_dash import cli

from . import test_faults

small_disk = test_faults.small_disk  # the 96 MB tmpfs fixture (skipped where it cannot be mounted)

ROOT = Path(__file__).resolve().parent.parent


def refused(capsys, *args) -> list[str]:
    code = cli.main(list(args))
    err = capsys.readouterr().err.splitlines()
    assert code in (1, 2), err
    assert len(err) == 1 and err[0].startswith("Fel: "), err
    return err


@pytest.mark.parametrize("command", ["export", "report"])
def test_output_into_a_missing_folder(command, seeded_db, tmp_path, capsys):
    target = tmp_path / "saknas" / "ut.xlsx"
    args = ["--format", "xlsx", "-o", str(target), "--db", str(seeded_db)]
    if command == "report":
        args = ["--period", "2025-T2", *args]
    assert refused(capsys, command, *args) == [
        f"Fel: mappen {target.parent} finns inte; skapa den först eller välj en annan plats för ut.xlsx."]
    assert not target.parent.exists()


@pytest.mark.parametrize("command", ["export", "report"])
def test_output_onto_a_directory(command, seeded_db, tmp_path, capsys):
    folder = tmp_path / "ut"
    folder.mkdir()
    args = ["--format", "xlsx", "-o", str(folder), "--db", str(seeded_db)]
    if command == "report":
        args = ["--period", "2025-T2", *args]
    assert refused(capsys, command, *args) == [f"Fel: {folder} är en mapp; ange ett filnamn i den (-o {folder}/FIL)."]
    assert not list(folder.iterdir())


@pytest.mark.parametrize("option, value, message", [
    ("--from", "2025-13", "Fel: --from '2025-13' är ingen period; skriv t.ex. 2025-01 (månad), 2025-T1 eller 2025."),
    ("--to", "igår", "Fel: --to 'igår' är ingen period; skriv t.ex. 2025-01 (månad), 2025-T1 eller 2025."),
    ("--indicator", "husall_ekb", "Fel: okänd indikator 'husall_ekb' (--indicator); menade du 'hushall_ekb' eller "
                                  "'hushall_ekb_10man' eller 'barn_i_hushall_ekb'?"),
    ("--unit", "marsbasen", "Fel: okänd enhet 'marsbasen' (--unit)."),
])
def test_bad_export_options(option, value, message, seeded_db, tmp_path, capsys):
    out = tmp_path / "e.csv"
    assert refused(capsys, "export", "--format", "csv", "-o", str(out), "--db", str(seeded_db), option, value) == \
        [message]
    assert not out.exists()


def test_from_after_to(seeded_db, capsys):
    assert refused(capsys, "export", "--format", "csv", "--db", str(seeded_db), "--from", "2025-08", "--to",
                   "2025-01") == ["Fel: --from 2025-08 ligger efter --to 2025-01."]


def test_an_existing_file_is_replaced_whole(seeded_db, tmp_path, capsys):
    out = tmp_path / "e.csv"
    out.write_text("gammalt")
    assert cli.main(["export", "--format", "csv", "-o", str(out), "--db", str(seeded_db), "--indicator",
                     "hushall_ekb"]) == 0
    assert out.read_bytes().startswith("\ufeffindikator;enhet;period;värde;kommentar".encode())
    assert [p.name for p in tmp_path.iterdir()] == ["asn.duckdb", "e.csv"]


def test_export_on_a_full_disk_leaves_no_file(small_disk, seeded_db, capsys):
    out = small_disk / "export.xlsx"
    filler = test_faults.fill(small_disk, leave=16 << 10)
    err = refused(capsys, "export", "--format", "xlsx", "-o", str(out), "--db", str(seeded_db))
    assert err == [f"Fel: {out} kunde inte skrivas (disken är full); ingen fil skrevs."]
    assert [p.name for p in small_disk.iterdir()] == [filler.name]


def test_no_traceback_reaches_the_terminal(seeded_db, tmp_path):
    done = subprocess.run([sys.executable, "-m", "asn_dash", "report", "--period", "2025-T2", "--format", "pptx",
                           "-o", str(tmp_path / "nej" / "x.pptx"), "--db", str(seeded_db)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"Fel: mappen {tmp_path / 'nej'} finns inte; skapa den först eller välj en "
                                        f"annan plats för x.pptx."]
