"""Uploads that must never load wrong data or take the process down, through the real CLI
against a real store: every refusal leaves every table exactly as it was (a full dump)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from asn_dash import cli
from asn_dash.store.setup import open_store
from asn_dash.uploads import ingest

from .ingest_helpers import csv_bytes, dump, dump_values

ROOT = Path(__file__).resolve().parent.parent
H = "indikator;enhet;period;värde\n"


def run(db, path, *extra, capsys):
    code = cli.main(["ingest", str(path), "--db", str(db), "--user", "Anna", "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def xlsx(rows, edit=None) -> bytes:
    book = Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    if edit:
        edit(ws)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def stored(db, indicator, unit, period):
    s = open_store(db)
    try:
        rows = s.query("SELECT value, text_value FROM observations WHERE indicator_id = ? AND unit_id = ? AND period = ?",
                       [indicator, unit, period]).to_dict("records")
        return rows[0] if rows else None
    finally:
        s.close()


# --- size ------------------------------------------------------------------------------------------

def test_dev_zero_is_refused_fast_and_changes_nothing(seeded_db, capsys):
    before = dump(seeded_db)
    code, out = run(seeded_db, "/dev/zero", capsys=capsys)
    assert code == 2
    assert out["errors"][0]["message"] == (
        "zero: filen är större än gränsen 20 MB (20\u00a0971\u00a0520 byte). Dela upp filen eller be en "
        "administratör höja gränsen (ASN_MAX_UPLOAD_MB).")
    assert dump(seeded_db) == before


def test_a_pipe_is_read_only_up_to_the_limit(seeded_db):
    before = dump(seeded_db)
    done = subprocess.run(f"yes 'hushall_ekb;;2025-03;390' | {sys.executable} -m asn_dash ingest /dev/stdin "
                          f"--db {seeded_db}", shell=True, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "ASN_MAX_UPLOAD_MB": "1"})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "Fel: stdin: filen är större än gränsen 1 MB (1\u00a0048\u00a0576 byte). Dela upp filen eller be en "
        "administratör höja gränsen (ASN_MAX_UPLOAD_MB).", "Inget har lästs in."]
    assert dump(seeded_db) == before


def test_a_file_over_the_limit_gives_both_exact_sizes(seeded_db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ASN_MAX_UPLOAD_MB", "20")
    path = tmp_path / "stor.csv"
    with path.open("wb") as fh:
        fh.write(H.encode())
        fh.seek(21_286_912 - 1)
        fh.write(b"\n")
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 2
    assert out["errors"][0]["message"].startswith(
        "stor.csv: filen är 20,3 MB (21\u00a0286\u00a0912 byte); gränsen är 20 MB (20\u00a0971\u00a0520 byte).")


@pytest.mark.parametrize("setting", ["tjugo", "-5", "0", "nan", "inf", "1e400", "0.0000001"])
def test_a_bad_size_setting_is_a_configuration_error_naming_the_variable(setting, seeded_db, tmp_path, capsys,
                                                                         monkeypatch):
    monkeypatch.setenv("ASN_MAX_UPLOAD_MB", setting)
    path = tmp_path / "ok.csv"
    path.write_bytes(csv_bytes(H + "hushall_ekb;;2025-09;399\n"))
    before = dump(seeded_db)
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 1
    assert out["errors"][0]["message"] == (
        f"Inställningen ASN_MAX_UPLOAD_MB är ogiltig ('{setting}'): den ska vara ett positivt tal, gränsen för "
        f"uppladdade filer i MB (t.ex. 20). Be en administratör rätta den.")
    assert dump(seeded_db) == before


def test_a_decimal_comma_size_setting_works(seeded_db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ASN_MAX_UPLOAD_MB", "0,5")
    assert ingest.max_bytes() == 512 * 1024


# --- the error list --------------------------------------------------------------------------------

def test_errors_stop_at_200_and_say_how_many_more(seeded_db, tmp_path, capsys):
    rows = "".join(f"hushall_ekb;;2024-{m % 12 + 1:02d};x{m}\n" for m in range(250))
    path = tmp_path / "many.csv"
    path.write_bytes(csv_bytes(H + rows))
    before = dump(seeded_db)
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 2 and out["error_count"] == 250 and len(out["errors"]) == 200
    assert cli.main(["ingest", str(path), "--db", str(seeded_db)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-2:] == ["… och 50 fel till (visar de första 200).", "250 fel. Inget har lästs in."]
    assert dump(seeded_db) == before


def test_a_bad_cell_is_echoed_in_at_most_60_characters(seeded_db, tmp_path, capsys):
    path = tmp_path / "lang.csv"
    path.write_bytes(csv_bytes(H + "hushall_ekb;;2025-03;" + "x" * 100 + "\n"))
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 2 and out["errors"][0]["value"] == "x" * 59 + "…"


def test_wide_rows_report_an_unknown_indicator_or_unit_once_and_empty_months_are_missing(seeded_db, tmp_path, capsys,
                                                                                         monkeypatch):
    year = date.today().year
    monkeypatch.setenv("ASN_TODAY", f"{year}-07-31")  # July has just ended
    months = ";".join(["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"])
    path = tmp_path / "brett.csv"
    path.write_bytes(csv_bytes(f"indikator;enhet;år;{months}\n"
                               f"okand;Vuxenenheten;2024;1;2;3;4;5;6;7;8;9;10;11;12\n"
                               f"plac_lvm;Okänd enhet;2024;1;2;3;4;5;6;7;8;9;10;11;12\n"))
    before = dump(seeded_db)
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 2 and out["error_count"] == 2
    assert [(e["row"], e["column"], e["value"]) for e in out["errors"]] == [(2, "indikator", "okand"),
                                                                            (3, "enhet", "Okänd enhet")]
    assert dump(seeded_db) == before
    # months after today are left empty: missing values, not future periods
    filled = 7  # up to and including the last month that has ended
    cells = ";".join(["2"] * filled + [""] * (12 - filled))
    path.write_bytes(csv_bytes(f"indikator;enhet;år;{months}\nplac_lvm;Vuxenenheten;{year};{cells}\n"
                               f"plac_lvm;Vuxenenheten;{year + 1};{';' * 11}\n"))
    code, out = run(seeded_db, path, "--accept-warnings", capsys=capsys)
    assert code == 0, out
    assert out["inserted"] + out["updated"] + out["unchanged"] == filled


def test_a_comment_longer_than_the_page_allows_is_a_row_error(seeded_db, tmp_path, capsys):
    path = tmp_path / "k.csv"
    path.write_bytes(csv_bytes("indikator;period;värde;kommentar\nhushall_ekb;2025-09;399;" + "å" * 4001 + "\n"
                               "hushall_ekb;2025-08;399;" + "å" * 4000 + "\n"))
    before = dump(seeded_db)
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 2 and out["error_count"] == 1
    assert out["errors"][0]["row"] == 2
    assert out["errors"][0]["message"] == "kommentaren är för lång (4\u00a0001 tecken, högst 4\u00a0000)"
    assert dump(seeded_db) == before


# --- XLSX -----------------------------------------------------------------------------------------

def test_xlsx_percent_cells_load_as_percent(seeded_db, tmp_path, capsys):
    def percent(ws):
        ws["D2"].number_format = "0.00%"

    path = tmp_path / "p.xlsx"
    path.write_bytes(xlsx([["indikator", "enhet", "period", "värde"],
                           ["sjukfranvaro", "Barn- och ungdomsenheten", "2025-09", 0.0569]], percent))
    code, out = run(seeded_db, path, "--accept-warnings", capsys=capsys)
    assert code == 0, out
    assert out["warnings"] == [] or all("mellan 0 och 1" not in w for w in out["warnings"])
    assert stored(seeded_db, "sjukfranvaro", "barn_unga", "2025-09")["value"] == 5.69


def test_a_percent_cell_on_a_count_is_refused(seeded_db, tmp_path, capsys):
    def percent(ws):
        ws["C2"].number_format = "0%"

    path = tmp_path / "p.xlsx"
    path.write_bytes(xlsx([["indikator", "period", "värde"], ["hushall_ekb", "2025-09", 3.9]], percent))
    before = dump(seeded_db)
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 2 and out["errors"][0]["value"] == "390 %"
    assert out["errors"][0]["message"] == "procent (tecken eller cellformat i Excel), men indikatorn mäts i antal"
    assert dump(seeded_db) == before


@pytest.mark.parametrize("cells, warned", [
    (["0,0569", "0,061"], True),  # fractions where percent was meant
    (["5,69", "0,5"], False), (["0,5 %", "0,4 %"], False), (["0", "0"], False),
])
def test_a_percentage_indicator_given_only_fractions_is_warned(cells, warned, seeded_db, tmp_path, capsys):
    path = tmp_path / "andel.csv"
    path.write_bytes(csv_bytes(H + f"sjukfranvaro;Barn- och ungdomsenheten;2025-09;{cells[0]}\n"
                                   f"sjukfranvaro;Vuxenenheten;2025-09;{cells[1]}\n"))
    before = dump(seeded_db)
    code, out = run(seeded_db, path, capsys=capsys)
    fraction = [w for w in out["warnings"] if "ligger mellan 0 och 1" in w]
    assert bool(fraction) == warned
    if warned:
        assert code == 2 and dump(seeded_db) == before
        assert fraction == [f"andel.csv, rad 2, kolumn 'värde' (värde '{cells[0]}'): alla värden för sjukfranvaro i "
                            f"filen ligger mellan 0 och 1, men indikatorn mäts i procent: är det andelar (0,85) i "
                            f"stället för procent (85)? Skriv 85 eller 85 %, eller bekräfta varningen om värdena "
                            f"stämmer."]


def test_a_formula_without_a_cached_value_is_an_error_never_a_dropped_row(seeded_db, tmp_path, capsys):
    def formula(ws):
        ws["C3"] = "=C2+1"

    path = tmp_path / "f.xlsx"
    path.write_bytes(xlsx([["indikator", "period", "Värde"], ["hushall_ekb", "2025-09", 399],
                           ["hushall_ekb", "2025-08"]], formula))
    before = dump(seeded_db)
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 2
    assert out["errors"] == [{"row": 3, "column": "Värde", "value": "=C2+1", "message":
                              "formeln saknar sparat värde – öppna filen i Excel och spara den igen"}]
    assert dump(seeded_db) == before


def test_an_ignored_column_is_not_read_so_its_formulas_and_merges_do_not_matter(seeded_db, tmp_path, capsys):
    """A 'Summa' column (ignored, see docs/data.md) written by a program: its formula has no cached value
    and a merged range sits in it — neither is a value of the upload."""
    def edit(ws):
        ws["F2"] = "=D2+E2"
        ws.merge_cells("F3:F4")

    path = tmp_path / "s.xlsx"
    path.write_bytes(xlsx([["indikator", "enhet", "år", "jan", "feb", "Summa"],
                           ["hushall_ekb", "Vuxenenheten", 2025, 5, 6],
                           ["hushall_ekb", "Försörjningsstödsenheten", 2025, 7, 8],
                           ["hushall_ekb", "Barn- och ungdomsenheten", 2025, 1, 2]], edit))
    code, out = run(seeded_db, path, "--accept-warnings", capsys=capsys)
    assert code == 0, out["errors"]
    assert stored(seeded_db, "hushall_ekb", "vuxenenheten", "2025-02")["value"] == 6
    assert stored(seeded_db, "hushall_ekb", "barn_unga", "2025-01")["value"] == 1


MERGED = ("cellen ingår i de sammanfogade cellerna {ref} och läses som tom (Excel sparar värdet bara i den "
          "första cellen); dela upp sammanfogningen och skriv värdet i varje cell")


def test_merged_cells_over_data_are_errors_never_empty_cells(seeded_db, tmp_path, capsys):
    """Excel keeps a merged range's value in its first cell: the unit merged over two rows would
    leave the second row's unit empty — the whole administration — and a value merged over two
    months would leave the second month missing."""
    def merge(ws):
        ws.merge_cells("B2:B3")  # one unit for two rows
        ws.merge_cells("D4:E4")  # one value over 'värde' and 'kommentar'
        ws.merge_cells("A6:D6")  # a blank band under the table: nothing hidden
        ws.merge_cells("F1:G1")  # the header: no data hidden

    path = tmp_path / "m.xlsx"
    path.write_bytes(xlsx([["indikator", "enhet", "period", "värde", "kommentar"],
                           ["hushall_ekb", "Vuxenenheten", "2025-09", 7],
                           ["hushall_ekb", None, "2025-08", 8],
                           ["hushall_ekb", "Vuxenenheten", "2025-07", 9]], merge))
    before = dump(seeded_db)
    code, out = run(seeded_db, path, "--accept-warnings", capsys=capsys)
    assert code == 2
    assert out["errors"] == [{"row": 3, "column": "enhet", "value": "", "message": MERGED.format(ref="B2:B3")},
                             {"row": 4, "column": "kommentar", "value": "", "message": MERGED.format(ref="D4:E4")}]
    assert dump(seeded_db) == before


def test_blanks_and_case_in_names_are_read_the_same_from_csv_and_xlsx(seeded_db):
    rows = [["  Indikator\t", "ENHET", "period ", "Va\u0308rde"],  # ä decomposed (a + combining diaeresis)
            ["\tHUSHALL_EKB\u00a0", "Försörjningsstöds\u00adenheten".replace("\u00ad", ""), "2025-09", "399"],
            ["Antal  barnfamiljer med\u00a0ekonomiskt bistånd", " försörjningsstödsenheten  ", " 2025-08", " 130 "],
            ["sjukfranvaro", "Barn-  och\tungdomsenheten", "mars\u00a02025", "5,5\u00a0%"],
            ["Antal hushåll med ekonomiskt bistånd".replace("å", "a\u030a"), "Fo\u0308rso\u0308rjningssto\u0308dsenheten",
             "2025-07", "398"]]
    as_csv = csv_bytes("\n".join(";".join(r) for r in rows) + "\n")
    as_xlsx = xlsx(rows)
    s = open_store(seeded_db)
    try:
        results = []
        for name, data in (("n.csv", as_csv), ("n.xlsx", as_xlsx)):
            analysis = ingest.analyse(s, name, data)
            assert analysis.ok, [e.text(name) for e in analysis.errors]
            results.append(analysis.changes[["row", "indicator_id", "unit_id", "period", "value"]].values.tolist())
            analysis.close()
    finally:
        s.close()
    assert results[0] == results[1]
    assert [r[1:] for r in results[0]] == [["hushall_ekb", "forsorjningsstod", "2025-09", 399.0],
                                           ["barnfamiljer_ekb", "forsorjningsstod", "2025-08", 130.0],
                                           ["sjukfranvaro", "barn_unga", "2025-03", 5.5],
                                           ["hushall_ekb", "forsorjningsstod", "2025-07", 398.0]]


# --- export → re-ingest --------------------------------------------------------------------------

ROUND_TRIP = (
    "indikator;enhet;period;värde;kommentar\n"
    "kostnad_konsulter;;2025-06;1234,567;\"Konsult; se \"\"avtal\"\" och\nrad två\"\n"
    "kostnad_konsulter;;2025-07;0,1;\n"
    "kostnad_konsulter;;2025-05;1,2340;\n"
    "sjukfranvaro;Vuxenenheten;2025-09;5,69 %;'=inte en formel\n"
    "sjukfranvaro_kort;Vuxenenheten;2025-09;4.27;-minus först\n"
    "budgetavvikelse_pct;;2025-06;−1,5 %;\n"
    "nettokostnad_asn;;2024;-308 853;\n"
    "U28487;;2024;Nej;\n"
    "U28487;;2023;Ja;\n"
    "vald_fragor;;2025-T2;\"=HYPERLINK(\"\"x\"\"); och \"\"citat\"\"\";\"Text; med\nradbrytning\"\n"
    "vald_fragor;;2025-T1;'+46 8 123 456;\n"
)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_ingest_round_trips_decimals_percent_text_yes_no_and_comments(fmt, seeded_db, seeded_template,
                                                                                   tmp_path, capsys):
    upload = tmp_path / "upload.csv"
    upload.write_bytes(csv_bytes(ROUND_TRIP))
    code, out = run(seeded_db, upload, "--accept-warnings", capsys=capsys)
    assert code == 0, out
    assert stored(seeded_db, "kostnad_konsulter", "aos", "2025-05")["value"] == 1.234
    assert stored(seeded_db, "vald_fragor", "aos", "2025-T2")["text_value"] == '=HYPERLINK("x"); och "citat"'
    assert stored(seeded_db, "vald_fragor", "aos", "2025-T1")["text_value"] == "+46 8 123 456"
    exported = tmp_path / f"export.{fmt}"
    keys = ["kostnad_konsulter", "sjukfranvaro", "sjukfranvaro_kort", "budgetavvikelse_pct", "nettokostnad_asn",
            "U28487", "vald_fragor"]
    assert cli.main(["export", "--format", fmt, "-o", str(exported), "--db", str(seeded_db), "--indicator", *keys]) == 0
    capsys.readouterr()
    before = dump_values(seeded_db)
    code, out = run(seeded_db, exported, capsys=capsys)
    assert code == 0 and (out["inserted"], out["updated"]) == (0, 0), out
    assert dump_values(seeded_db) == before  # only the upload log and audit log record the unchanged upload
    # into a store that has never seen the upload: the same values and comments
    fresh = tmp_path / "fresh.duckdb"
    fresh.write_bytes(seeded_template.read_bytes())
    code, out = run(fresh, exported, "--accept-warnings", capsys=capsys)
    assert code == 0, out

    def uploaded(db):
        s = open_store(db)
        try:
            values = s.con.execute("SELECT indicator_id, unit_id, period, value, text_value FROM observations WHERE "
                                   "list_contains(?, indicator_id) ORDER BY ALL", [keys]).fetchall()
            comments = s.query("SELECT indicator_id, unit_id, period, text FROM comments WHERE list_contains(?, "
                               "indicator_id) AND source = 'uppladdning' ORDER BY ALL", [keys]).values.tolist()
            return values, comments
        finally:
            s.close()

    original, copy = uploaded(seeded_db), uploaded(fresh)
    assert original[0] == copy[0]
    assert sorted(map(tuple, original[1])) == sorted(map(tuple, copy[1]))
    assert ["vald_fragor", "aos", "2025-T2", "Text; med\nradbrytning"] in original[1]
    assert ["sjukfranvaro", "vuxenenheten", "2025-09", "=inte en formel"] in original[1]


# --- a battery of awkward files: loaded correctly or refused precisely, never half ----------------

def _bomb() -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx([["indikator", "period", "värde"]])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<sheetData>", b"<!--" + b" " * (110 << 20) + b"--><sheetData>")
            out.writestr(item, content)
    return buf.getvalue()


AWKWARD = [
    # (name, content, None = loads | the start of the refusal)
    ("only-bom.csv", b"\xef\xbb\xbf", "only-bom.csv: filen är tom."),
    ("header-only.csv", H.encode(), "header-only.csv: filen innehåller inga värden att läsa in"),
    ("cr-only.csv", (H + "hushall_ekb;;2025-09;399\n").replace("\n", "\r").encode(), None),
    ("mixed-endings.csv", b"indikator;period;v\xc3\xa4rde\r\nhushall_ekb;2025-09;399\nhushall_ekb;2025-08;398\r", None),
    ("unicode.txt", (H.replace(";", "\t") + "hushall_ekb\t\t2025-09\t399\n").replace("\n", "\r\n").encode("utf-16"),
     None),
    ("utf16be.txt", b"\xfe\xff" + (H.replace(";", "\t") + "hushall_ekb\t\t2025-09\t399\n").encode("utf-16-be"), None),
    ("excel-sep.csv", ("sep=;\n" + H + "hushall_ekb;;2025-09;399\n").encode(), None),
    ("csv-named.xlsx", (H + "hushall_ekb;;2025-09;399\n").encode(), None),
    ("nul.csv", b"indikator;period\x00;v\n", "nul.csv: filen är varken CSV eller Excel"),
    ("data.gz", b"\x1f\x8b\x08\x00" + os.urandom(64), "data.gz: filen är varken CSV eller Excel"),
    ("report.pdf", b"%PDF-1.4\n", "report.pdf: filen är varken CSV eller Excel (det är en PDF)."),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old.xls: det gamla Excel-formatet .xls"),
    ("unbalanced.csv", (H + 'hushall_ekb;;2025-09;"399\nhushall_ekb;;2025-08;398\n').encode(),
     'unbalanced.csv, rad 2: ett citattecken (") öppnas men stängs aldrig'),
    ("unbalanced-wide.csv", 'indikator;år;jan\nhushall_ekb;2024;"390\n'.encode(),
     'unbalanced-wide.csv, rad 2: ett citattecken (") öppnas men stängs aldrig'),
    ("two-values.csv", "indikator;period;Värde;värde\nhushall_ekb;2025-09;1;2\n".encode(),
     "two-values.csv, rad 1: kolumnen 'Värde' (kolumn C) finns två gånger (även kolumn D); ta bort eller byt namn"),
    ("utfall-and-value.csv", "indikator;period;Utfall;Värde\nhushall_ekb;2025-09;1;2\n".encode(),
     "utfall-and-value.csv, rad 1: två kolumner betyder 'värde': 'Utfall' (kolumn C) och 'Värde' (kolumn D)"),
    ("two-periods.csv", "indikator;Period;Månad;värde\nhushall_ekb;2025-09;2025-08;2\n".encode(),
     "two-periods.csv, rad 1: två kolumner betyder 'period': 'Period' (kolumn B) och 'Månad' (kolumn C)"),
    ("wide-10000.csv", (";".join(["indikator"] + [f"k{i}" for i in range(9999)]) + "\n").encode(),
     "wide-10000.csv, rad 1: rubrikraden har 10\u00a0000 kolumner; högst 512 går att läsa in."),
    ("very-long-line.csv", (H + "hushall_ekb;;2025-09;" + "1" * 5_000_000 + "\n").encode(),
     "very-long-line.csv, rad 2: talet är för stort"),
    ("bomb.xlsx", _bomb(), "bomb.xlsx: Excel-filen packas upp till 110,0 MB"),
    # a system that ends each data line with separators: empty cells right of the header carry
    # nothing, read the same on DuckDB's path and (with a blank line) on the Python reader's
    ("trailing-separators.csv", (H + "hushall_ekb;;2025-09;399;;;\n").encode(), None),
    ("trailing-separators-blank-line.csv", (H + "\nhushall_ekb;;2025-09;399;;;\n").encode(), None),
    ("trailing-blank-cell.csv", (H + "hushall_ekb;;2025-09;399; \n").encode(), None),
    # a broken row gets the same (precise) message on both paths
    ("value-after-empties.csv", (H + "hushall_ekb;;2025-09;399;;;x\n").encode(),
     "value-after-empties.csv, rad 2: raden har 7 kolumner men rubrikraden har 4"),
    ("text-after-quote.csv", (H + 'hushall_ekb;;2025-09;"399"x\n').encode(),
     "text-after-quote.csv, rad 2: fel citattecken: text direkt efter ett avslutande citattecken"),
    ("text-after-quote-blank-line.csv", (H + '\nhushall_ekb;;2025-09;"399"x\n').encode(),
     "text-after-quote-blank-line.csv, rad 3: fel citattecken: text direkt efter ett avslutande citattecken"),
]


@pytest.mark.parametrize("name, content, refusal", AWKWARD, ids=[a[0] for a in AWKWARD])
def test_awkward_files_load_or_are_refused_precisely(name, content, refusal, seeded_db, tmp_path, capsys):
    path = tmp_path / name
    path.write_bytes(content)
    before = dump(seeded_db)
    code, out = run(seeded_db, path, "--accept-warnings", capsys=capsys)
    if refusal is None:
        assert code == 0, out
        assert stored(seeded_db, "hushall_ekb", "aos", "2025-09")["value"] == 399
        return
    messages = [e["message"] if e["row"] is None else f"{name}, rad {e['row']}: {e['message']}"
                for e in out["errors"]]
    assert code == 2 and messages[0].startswith(refusal), messages
    assert dump(seeded_db) == before
