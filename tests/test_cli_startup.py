"""The command line's ingest stays light: opening the store, reading and checking the upload, the
note on totals and the commit import none of the heavy libraries the pages use, so its start-up
stays near ``python -c "import duckdb"`` (figures: ``python -m asn_dash bench startup``)."""

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "numpy", "pyarrow", "pydantic", "yaml", "bcrypt", "plotly", "streamlit")

# runs the command as `python -m asn_dash` does, then names the heavy modules it loaded
WRAPPER = ("import json, sys\n"
           "from asn_dash.cli import main\n"
           "code = main(sys.argv[2:])\n"
           f"loaded = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
           "open(sys.argv[1], 'w').write(json.dumps({'code': code, 'loaded': loaded}))\n")


def ingest(tmp_path: Path, db: Path, *options: str) -> tuple[dict, subprocess.CompletedProcess]:
    upload = tmp_path / "enhet.csv"
    upload.write_text("indikator;enhet;period;värde\n"
                      "hushall_ekb;Försörjningsstödsenheten;2025-08;4440\n"
                      "plac_lvm;aos;2025-09;2\n", encoding="utf-8")
    report = tmp_path / "loaded.json"
    proc = subprocess.run([sys.executable, "-c", WRAPPER, str(report), "ingest", str(upload), "--db", str(db),
                           "--user", "test", *options], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert report.exists(), proc.stderr
    return json.loads(report.read_text()), proc


def stored(db: Path, indicator: str, unit: str, period: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT value FROM observations WHERE indicator_id = ? AND unit_id = ? AND period = ?",
                           [indicator, unit, period]).fetchall()
    finally:
        con.close()


def test_an_ingest_imports_no_pandas_numpy_or_other_heavy_library(seeded_db, tmp_path):
    result, proc = ingest(tmp_path, seeded_db, "--accept-warnings")
    assert result["code"] == 0, proc.stderr
    assert "Läste in uppladdning" in proc.stdout and "Summor: Antal hushåll med ekonomiskt bistånd" in proc.stdout
    assert stored(seeded_db, "hushall_ekb", "forsorjningsstod", "2025-08") == [(4440.0,)]
    assert stored(seeded_db, "plac_lvm", "aos", "2025-09") == [(2.0,)]
    assert result["loaded"] == []


@pytest.mark.parametrize("options", [("--dry-run", "--json", "--accept-warnings"), ("--json",)],
                         ids=["dry-run", "refused-for-warnings"])
def test_a_checked_or_refused_ingest_imports_none_either(seeded_db, tmp_path, options):
    before = stored(seeded_db, "hushall_ekb", "forsorjningsstod", "2025-08")
    result, proc = ingest(tmp_path, seeded_db, *options)
    summary = json.loads(proc.stdout)
    assert summary["inserted"] + summary["updated"] == 2 and summary["warnings"]
    if "--dry-run" in options:
        assert result["code"] == 0 and summary["totals"], proc.stderr
    else:
        assert result["code"] == 2 and "totals" not in summary, proc.stderr
    assert stored(seeded_db, "hushall_ekb", "forsorjningsstod", "2025-08") == before
    assert result["loaded"] == []
