"""Upload warnings: the outlier rule per series (indicator, unit, value kind) over the 12 months
before, and the cap — the first ones listed, all counted — in the CLI, its JSON and the page."""

import json

from asn_dash import cli
from asn_dash.store.setup import open_store
from asn_dash.uploads import ingest

from .apptest import open_page
from .ingest_helpers import csv_bytes, delete_values, insert_value


def run(db, path, *extra, capsys):
    code = cli.main(["ingest", str(path), "--db", str(db), "--user", "Anna", *extra])
    out = capsys.readouterr()
    return code, out


FIVE_JUMPS = "indikator;period;värde\n" + "".join(f"hushall_ekb;2025-0{m};4000\n" for m in range(1, 6))


def test_warnings_are_capped_and_counted_in_the_cli(seeded_db, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(ingest, "MAX_REPORTED", 2)
    path = tmp_path / "hopp.csv"
    path.write_bytes(csv_bytes(FIVE_JUMPS))
    code, out = run(seeded_db, path, "--json", capsys=capsys)
    result = json.loads(out.out)
    assert code == 2 and result["warning_count"] == 5 and len(result["warnings"]) == 2
    assert result["warnings"][0].startswith("hopp.csv, rad 2, kolumn 'värde' (värde '4\u00a0000'): avviker kraftigt")
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 2
    assert "… och 3 varningar till (visar de första 2)." in out.err
    assert "5 varningar. Kontrollera värdena och kör igen med --accept-warnings" in out.err
    code, out = run(seeded_db, path, "--accept-warnings", "--json", capsys=capsys)
    assert code == 0
    s = open_store(seeded_db)
    try:
        assert s.scalar("SELECT warnings FROM uploads WHERE id = ?", [json.loads(out.out)["upload_id"]]) == 5
    finally:
        s.close()


def test_the_page_shows_the_first_warnings_and_the_count(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    monkeypatch.setattr(ingest, "MAX_REPORTED", 2)
    at = open_page("pages/ladda_upp.py")
    at.file_uploader(key="upload_file").set_value(("hopp.csv", csv_bytes(FIVE_JUMPS), "text/csv")).run()
    assert not at.exception
    assert at.warning[0].value == "5 varningar: kontrollera värdena innan de läses in."
    assert len([t for t in at.text if "avviker kraftigt" in t.value]) == 2
    assert "Visar de första 2 av 5 varningar (3 till)." in [c.value for c in at.caption]


def test_the_median_is_of_the_twelve_months_before_in_the_same_series(seeded_db, tmp_path, capsys):
    s = open_store(seeded_db)
    try:
        # the series is 100 a month from January 2023 to January 2024
        delete_values(s.con, "v.indicator_id = 'plac_lvm' AND v.unit_id = 'vuxenenheten'")
        for m in range(1, 13):
            insert_value(s.con, "plac_lvm", "vuxenenheten", f"2023-{m:02d}", 100)
        insert_value(s.con, "plac_lvm", "vuxenenheten", "2024-01", 100)
    finally:
        s.close()
    path = tmp_path / "v.csv"
    rows = {"2024-02": "350", "2024-03": "301", "2024-04": "299"}  # >3× the median of 100 only for 350 and 301
    path.write_bytes(csv_bytes("indikator;enhet;period;värde\n" + "".join(
        f"plac_lvm;vuxenenheten;{p};{v}\n" for p, v in rows.items())))
    code, out = run(seeded_db, path, "--json", capsys=capsys)
    warned = [w.split(", rad ")[1].split(",")[0] for w in json.loads(out.out)["warnings"]]
    assert warned == ["2", "3"]  # the upload's own months are not history


def test_months_without_values_are_not_history(seeded_db, tmp_path, capsys):
    s = open_store(seeded_db)
    try:  # January to June 2023 stored, then nothing
        delete_values(s.con, "v.indicator_id = 'plac_lvm' AND v.unit_id = 'vuxenenheten'")
        for m in range(1, 7):
            insert_value(s.con, "plac_lvm", "vuxenenheten", f"2023-{m:02d}", 100)
    finally:
        s.close()
    path = tmp_path / "g.csv"
    # 2023-12: six stored months before it; 2024-05: only May and June 2023 are within 12 months
    path.write_bytes(csv_bytes("indikator;enhet;period;värde\nplac_lvm;vuxenenheten;2023-12;400\n"
                               "plac_lvm;vuxenenheten;2024-05;400\n"))
    code, out = run(seeded_db, path, "--json", capsys=capsys)
    assert [w.split(", rad ")[1].split(",")[0] for w in json.loads(out.out)["warnings"]] == ["2"]
