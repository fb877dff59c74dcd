"""The command line, run as a user runs it: `python -m asn_dash …` in a subprocess."""

import os
import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "asn_dash", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_help_lists_commands():
    out = run("--help")
    assert out.returncode == 0
    for command in ("init", "check", "demo"):
        assert command in out.stdout


def test_init_creates_a_seeded_store(tmp_path):
    path = tmp_path / "x.duckdb"
    out = run("init", "--db", str(path))
    assert out.returncode == 0, out.stderr
    assert f"Skapade datalagret {path}" in out.stdout
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM observations WHERE source = 'publicerad'").fetchall()[0][0] > 150
    finally:
        con.close()


def test_init_uses_asn_db_and_refuses_to_overwrite(tmp_path):
    path = tmp_path / "env.duckdb"
    assert run("init", env={"ASN_DB": str(path)}).returncode == 0
    again = run("init", env={"ASN_DB": str(path)})
    assert again.returncode == 2
    assert f"Fel: Datalagret {path} finns redan. Använd --force" in again.stderr
    assert run("init", "--force", env={"ASN_DB": str(path)}).returncode == 0


def test_init_into_unwritable_place_fails_cleanly(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    out = run("init", "--db", str(blocker / "x.duckdb"))
    assert out.returncode == 2
    assert "kan inte skapas eller skrivas" in out.stderr
    assert "Traceback" not in out.stderr


def test_check_reports_a_broken_catalogue(tmp_path, catalogue_copy):
    assert run("check", "--catalogue", str(catalogue_copy)).returncode == 0
    path = catalogue_copy / "plans.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("target: högst 4 %", "target: högst fyra"), encoding="utf-8")
    out = run("check", "--catalogue", str(catalogue_copy))
    assert out.returncode == 2
    assert "Målregeln 'högst fyra' går inte att tolka" in out.stderr


def test_check_validates_the_seed_files_too(tmp_path):
    import shutil

    seed = tmp_path / "seed"
    shutil.copytree(ROOT / "data" / "seed", seed)
    ok = run("check", "--seed", str(seed))
    assert ok.returncode == 0, ok.stderr
    assert "Seedfilerna är giltiga: published.csv " in ok.stdout and "verdicts.csv " in ok.stdout
    verdicts = seed / "verdicts.csv"
    lines = verdicts.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",2025-T2,Grön,", ",2025-T2,Lila,", 1)
    verdicts.write_text("".join(lines), encoding="utf-8")
    out = run("check", "--seed", str(seed))
    assert out.returncode == 2
    assert "verdicts.csv" in out.stderr and "rad 2" in out.stderr and "Traceback" not in out.stderr


def test_demo_regeneration_is_deterministic(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert run("demo", "--out", str(a)).returncode == 0
    assert run("demo", "--out", str(b)).returncode == 0
    assert a.read_bytes() == b.read_bytes() == (ROOT / "data" / "seed" / "demo.csv").read_bytes()


def test_report_xlsx_and_pptx_from_the_command_line(seeded_db, tmp_path):
    from openpyxl import load_workbook
    from pptx import Presentation

    from asn_dash import agendas
    from asn_dash.auth import cli_user
    from asn_dash.store.setup import open_store

    out = tmp_path / "t2.xlsx"
    result = run("report", "--db", str(seeded_db), "--period", "2025-T2", "--format", "xlsx", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert f"Skrev {out}" in result.stderr and "små tal maskerade" in result.stderr
    assert load_workbook(out).sheetnames == ["Indikatorer", "Målområden"]

    store = open_store(seeded_db)
    agendas.save(store, cli_user("test"), "Oktober", ["hushall_ekb", "sjukfranvaro"])
    store.close()
    deck = tmp_path / "t2.pptx"
    result = run("report", "--db", str(seeded_db), "--period", "2025-T2", "--format", "pptx", "--agenda",
                 "Oktober", "-o", str(deck))
    assert result.returncode == 0, result.stderr
    assert len(Presentation(str(deck)).slides) == 4
    result = run("report", "--db", str(seeded_db), "--period", "2025-T2", "--format", "pptx", "--indicator",
                 "plac_sis", "-o", str(deck), "--suppress-max", "0")
    assert result.returncode == 0 and "maskering avstängd" in result.stderr
    assert len(Presentation(str(deck)).slides) == 3


def test_report_refuses_bad_period_plan_year_and_agenda(seeded_db, tmp_path):
    base = ["report", "--db", str(seeded_db), "--format", "xlsx", "-o", str(tmp_path / "x.xlsx")]
    bad = run(*base, "--period", "2025-T7")
    assert bad.returncode == 2 and "Ogiltig period '2025-T7'" in bad.stderr
    no_plan = run(*base, "--period", "2030-T1")
    assert no_plan.returncode == 2 and "ingen plan för 2030" in no_plan.stderr
    no_agenda = run(*base, "--period", "2025-T2", "--agenda", "saknas")
    assert no_agenda.returncode == 2 and "ingen sparad dagordning som heter 'saknas'" in no_agenda.stderr
    assert "Traceback" not in bad.stderr + no_plan.stderr + no_agenda.stderr
    assert not (tmp_path / "x.xlsx").exists()
