"""Uploads that should load: every encoding and separator, long and wide, XLSX, round trips,
undo to the exact previous state, idempotency, and two processes at once."""

import json
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from asn_dash import cli
from asn_dash.auth import PermissionDenied, User
from asn_dash.rules.periods import parse_key
from asn_dash.store.setup import open_store
from asn_dash.uploads import history as uploads
from asn_dash.uploads import ingest
from asn_dash.uploads.readers import read_csv

from .ingest_helpers import csv_bytes, dump, dump_values, update_values

ROOT = Path(__file__).resolve().parent.parent
ANNA = User("anna", "Anna", "analytiker")


def value(db, indicator, unit, period):
    s = open_store(db)
    try:
        return s.query("SELECT value, text_value, source FROM observations WHERE indicator_id = ? AND unit_id = ?"
                       " AND period = ?", [indicator, unit, period]).to_dict("records")
    finally:
        s.close()


def run(db, path, *extra, capsys=None):
    code = cli.main(["ingest", str(path), "--db", str(db), "--user", "Anna", "--json", *extra])
    out = json.loads(capsys.readouterr().out) if capsys else None
    return code, out


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_every_encoding_and_separator(encoding, sep, seeded_db, tmp_path, capsys):
    rows = [["indikator", "enhet", "period", "värde", "kommentar"],
            ["hushall_ekb", "Försörjningsstödsenheten", "mars 2025", "397", "Ökning — se text"],
            ["sjukfranvaro", "Barn- och ungdomsenheten", "2025-03-31", "5,5 %", ""],
            ["Antal barnfamiljer med ekonomiskt bistånd", "", "2025-03", "\u00a0131", ""]]
    def quote(c: str) -> str:
        return f'"{c}"' if sep == "," and "," in c else c

    text = "\n".join(sep.join(quote(c) for c in row) for row in rows) + "\n"
    path = tmp_path / "fil.csv"
    path.write_bytes(csv_bytes(text, encoding))
    code, out = run(seeded_db, path, "--accept-warnings", capsys=capsys)
    assert code == 0, out
    assert value(seeded_db, "hushall_ekb", "forsorjningsstod", "2025-03")[0]["value"] == 397
    assert value(seeded_db, "sjukfranvaro", "barn_unga", "2025-03")[0]["value"] == 5.5
    assert value(seeded_db, "barnfamiljer_ekb", "aos", "2025-03")[0]["value"] == 131
    s = open_store(seeded_db)
    assert s.scalar("SELECT text FROM comments WHERE upload_id IS NOT NULL") == "Ökning — se text"
    s.close()


def test_thousands_and_decimal_conventions(seeded_db, tmp_path, capsys):
    path = tmp_path / "tal.csv"
    path.write_bytes(csv_bytes("indikator;period;värde\nnettokostnad_asn;2024;-308 853\n"
                               "budgetavvikelse_pct;2025-02;−1,5 %\nkostnad_konsulter;2025-02;1\u202f234,5\n"
                               "kostnad_konsulter;2025-03;1234.25\nkostnad_konsulter;2025-04;0,125\n"
                               "U28487;2024;Ja\n"))
    code, out = run(seeded_db, path, "--accept-warnings", capsys=capsys)
    assert code == 0, out
    assert value(seeded_db, "nettokostnad_asn", "aos", "2024")[0]["value"] == -308853
    assert value(seeded_db, "budgetavvikelse_pct", "aos", "2025-02")[0]["value"] == -1.5
    assert value(seeded_db, "kostnad_konsulter", "aos", "2025-02")[0]["value"] == 1234.5
    assert value(seeded_db, "kostnad_konsulter", "aos", "2025-03")[0]["value"] == 1234.25
    assert value(seeded_db, "kostnad_konsulter", "aos", "2025-04")[0]["value"] == 0.125
    assert value(seeded_db, "U28487", "aos", "2024")[0]["value"] == 1


def test_wide_layout_with_month_names_and_year(seeded_db, tmp_path, capsys):
    # the layout of 002's placement tables: one row per indicator, jan … dec
    path = tmp_path / "brett.csv"
    path.write_bytes(csv_bytes("Indikator;Enhet;År;Jan;Feb;Mar;Apr;Maj;Jun;Jul;Aug;Sep;Okt;Nov;Dec;Summa\n"
                               "plac_hvb_unga;Barn- och ungdomsenheten;2024;3;2;;---;2;2;2;2;2;2;2;2;21\n"))
    code, out = run(seeded_db, path, "--accept-warnings", capsys=capsys)
    assert code == 0, out
    assert out["inserted"] + out["updated"] + out["unchanged"] == 10  # empty and '---' are not values
    assert value(seeded_db, "plac_hvb_unga", "barn_unga", "2024-02")[0]["value"] == 2
    assert value(seeded_db, "plac_hvb_unga", "barn_unga", "2024-03")[0]["source"] == "exempeldata"  # untouched


def test_wide_layout_with_period_headers_in_xlsx(seeded_db, tmp_path, capsys):
    book = Workbook()
    ws = book.active
    ws.title = "Placeringar"
    book.create_sheet("Annat")
    ws.append(["indikator", "enhet", "2025-01", "2025-02"])
    ws.append(["plac_lvm", "Vuxenenheten", 2, 3])
    path = tmp_path / "brett.xlsx"
    book.save(path)
    code, out = run(seeded_db, path, "--sheet", "Placeringar", "--accept-warnings", capsys=capsys)
    assert code == 0, out
    assert value(seeded_db, "plac_lvm", "vuxenenheten", "2025-02")[0]["value"] == 3


def test_xlsx_long_with_excel_dates(seeded_db, tmp_path, capsys):
    from datetime import datetime

    book = Workbook()
    ws = book.active
    ws.append(["Indicator", "Unit", "Month", "Value"])
    ws.append(["hushall_ekb", None, datetime(2025, 9, 30), 398])
    path = tmp_path / "lang.xlsx"
    book.save(path)
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 0, out
    assert value(seeded_db, "hushall_ekb", "aos", "2025-09")[0]["value"] == 398


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_ingest_changes_nothing(fmt, seeded_db, tmp_path, capsys):
    out_file = tmp_path / f"export.{fmt}"
    assert cli.main(["export", "--format", fmt, "-o", str(out_file), "--db", str(seeded_db)]) == 0
    capsys.readouterr()
    before = dump_values(seeded_db)
    code, out = run(seeded_db, out_file, "--accept-warnings", capsys=capsys)
    assert code == 0
    assert (out["inserted"], out["updated"]) == (0, 0) and out["unchanged"] > 6000
    assert dump_values(seeded_db) == before
    assert_logged_unchanged(seeded_db, out["upload_id"], out["unchanged"])


def test_export_filters_and_protects_text_cells(seeded_db, tmp_path, capsys):
    s = open_store(seeded_db)
    update_values(s.con, "text_value = '=HYPERLINK(\"x\")'", "v.indicator_id = 'vald_fragor'")
    s.close()
    out_file = tmp_path / "e.xlsx"
    assert cli.main(["export", "--format", "xlsx", "-o", str(out_file), "--db", str(seeded_db),
                     "--indicator", "vald_fragor", "hushall_ekb", "--unit", "aos", "--from", "2025-01",
                     "--to", "2025-08"]) == 0
    rows = list(load_workbook(out_file).active.iter_rows(values_only=True))
    assert rows[0] == ("indikator", "enhet", "period", "värde", "kommentar")
    assert {r[0] for r in rows[1:]} == {"vald_fragor", "hushall_ekb"}
    assert ("vald_fragor", "Arbetsmarknads- och socialförvaltningen", "2025-T2", "'=HYPERLINK(\"x\")") in [
        r[:4] for r in rows]
    assert all(date(2025, 1, 1) <= parse_key(r[2]).end <= date(2025, 8, 31) for r in rows[1:])
    capsys.readouterr()
    before = dump_values(seeded_db)
    assert run(seeded_db, out_file, capsys=capsys)[1]["unchanged"] == len(rows) - 1
    assert dump_values(seeded_db) == before


def test_same_file_twice_changes_nothing(seeded_db, tmp_path, capsys):
    path = tmp_path / "en.csv"
    path.write_bytes(csv_bytes("indikator;period;värde;kommentar\nhushall_ekb;2025-09;399;Ny rutin\n"))
    assert run(seeded_db, path, capsys=capsys)[0] == 0
    after_first = dump_values(seeded_db)
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 0 and out["unchanged"] == 1
    assert dump_values(seeded_db) == after_first
    assert_logged_unchanged(seeded_db, out["upload_id"], 1)
    assert cli.main(["uploads", "undo", str(out["upload_id"]), "--db", str(seeded_db)]) == 2  # nothing to undo
    assert "ändrade ingenting" in capsys.readouterr().err


def assert_logged_unchanged(db, upload_id, unchanged):
    """An upload that changed nothing is still in the upload log and the audit log, with its counts."""
    s = open_store(db)
    try:
        row = s.query("SELECT status, inserted, updated, unchanged FROM uploads WHERE id = ?", [upload_id]).iloc[0]
        assert (row.status, row.inserted, row.updated, row.unchanged) == ("oförändrad", 0, 0, unchanged)
        detail = s.scalar("SELECT detail FROM audit_log WHERE target = ?", [f"uppladdning {upload_id}"])
        assert f"inget ändrat ({unchanged} oförändrade)" in detail
    finally:
        s.close()


def test_undo_restores_exactly_what_was_there(seeded_db, tmp_path, capsys):
    before = dump(seeded_db)
    path = tmp_path / "u.csv"
    path.write_bytes(csv_bytes("indikator;enhet;period;värde;kommentar\n"
                               "hushall_ekb;;2025-09;399;Ny rutin\n"           # changes a demo value
                               "hushall_ekb;;2019-03;260;\n"                   # changes a published value
                               "cai_sjalvforsorjande;;2025-09;14;\n"           # creates a value
                               "vald_fragor;;2025-09;Frågor ställs i alla ärenden;\n"))
    code, out = run(seeded_db, path, "--accept-warnings", capsys=capsys)
    assert code == 0 and (out["inserted"], out["updated"]) == (2, 2)
    assert value(seeded_db, "hushall_ekb", "aos", "2019-03")[0] == {"value": 260, "text_value": None,
                                                                      "source": "uppladdning"}
    assert cli.main(["uploads", "undo", str(out["upload_id"]), "--db", str(seeded_db), "--user", "Anna"]) == 0
    restored = dump(seeded_db)
    for table in ("observations", "comments", "indicators", "plan_indicators"):
        assert restored[table] == before[table], table
    s = open_store(seeded_db)
    try:
        assert s.scalar("SELECT status FROM uploads WHERE id = ?", [out["upload_id"]]) == "ångrad"
        assert list(s.query("SELECT action FROM audit_log ORDER BY id")["action"]) == ["uppladdning", "ångrad uppladdning"]
    finally:
        s.close()
    assert cli.main(["uploads", "undo", str(out["upload_id"]), "--db", str(seeded_db)]) == 2
    assert "är redan ångrad" in capsys.readouterr().err


def test_undo_refuses_when_a_later_upload_changed_the_values(seeded_db, tmp_path, capsys):
    before = dump(seeded_db)
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_bytes(csv_bytes("indikator;period;värde\nhushall_ekb;2025-09;399\n"))
    second.write_bytes(csv_bytes("indikator;period;värde\nhushall_ekb;2025-09;402\n"))
    a = run(seeded_db, first, capsys=capsys)[1]["upload_id"]
    b = run(seeded_db, second, capsys=capsys)[1]["upload_id"]
    assert cli.main(["uploads", "undo", str(a), "--db", str(seeded_db), "--user", "x"]) == 2
    assert f"en del värden har ändrats sedan dess (av uppladdning {b})" in capsys.readouterr().err
    assert cli.main(["uploads", "undo", str(b), "--db", str(seeded_db), "--user", "x"]) == 0
    assert cli.main(["uploads", "undo", str(a), "--db", str(seeded_db), "--user", "x"]) == 0
    assert dump(seeded_db)["observations"] == before["observations"]


def test_undo_of_created_values_that_later_uploads_replaced(seeded_db, tmp_path, capsys):
    """A value an upload created has no history row of its own: a later upload that replaced it
    (even if a third replaced it again) still blocks the undo, naming the value's current writer."""
    before = dump(seeded_db)
    paths = []
    for name, rows in (("a", "cai_sjalvforsorjande;2025-09;14\nhushall_ekb;2025-09;399\n"),  # creates, replaces
                       ("b", "cai_sjalvforsorjande;2025-09;15\n"), ("c", "cai_sjalvforsorjande;2025-09;16\n")):
        paths.append(tmp_path / f"{name}.csv")
        paths[-1].write_bytes(csv_bytes("indikator;period;värde\n" + rows))
    a, b, c = (run(seeded_db, p, capsys=capsys)[1]["upload_id"] for p in paths)
    s = open_store(seeded_db)
    try:  # only the replaced values are in the history: a's hushall_ekb, b's and c's cai_sjalvforsorjande
        assert s.con.execute("SELECT upload_id, old_upload_id FROM upload_changes ORDER BY 1").fetchall()[1:] == [
            (b, a), (c, b)]
    finally:
        s.close()
    for blocked, by in ((a, c), (b, c)):
        assert cli.main(["uploads", "undo", str(blocked), "--db", str(seeded_db), "--user", "x"]) == 2
        assert f"en del värden har ändrats sedan dess (av uppladdning {by})" in capsys.readouterr().err
    assert cli.main(["uploads", "undo", str(c), "--db", str(seeded_db), "--user", "x"]) == 0
    assert value(seeded_db, "cai_sjalvforsorjande", "aos", "2025-09")[0]["value"] == 15
    assert cli.main(["uploads", "undo", str(a), "--db", str(seeded_db), "--user", "x"]) == 2
    assert f"(av uppladdning {b})" in capsys.readouterr().err
    assert cli.main(["uploads", "undo", str(b), "--db", str(seeded_db), "--user", "x"]) == 0
    s = open_store(seeded_db)
    try:
        assert uploads.undo(s, a, User("x", "x", "admin")) == {"removed": 1, "restored": 1}
    finally:
        s.close()
    assert dump(seeded_db)["observations"] == before["observations"]


def test_undo_reads_history_rows_of_created_values_written_before(seeded_db, tmp_path, capsys):
    """Stores written before created values went without history rows hold rows with existed
    false for them: undo deletes those values all the same, and nothing else."""
    before = dump(seeded_db)
    path = tmp_path / "old.csv"
    path.write_bytes(csv_bytes("indikator;period;värde\ncai_sjalvforsorjande;2025-09;14\nhushall_ekb;2025-09;399\n"))
    upload_id = run(seeded_db, path, capsys=capsys)[1]["upload_id"]
    s = open_store(seeded_db)
    try:  # what the earlier ingest wrote for the created value
        s.con.execute("INSERT INTO upload_changes SELECT upload_id, indicator_key, unit_key, period_code, kind, false,"
                      " NULL, NULL, NULL, NULL, NULL, NULL FROM observation_values WHERE upload_id = ?"
                      " AND period_code = 202509 AND indicator_key = (SELECT key FROM indicator_keys"
                      " WHERE id = 'cai_sjalvforsorjande')", [upload_id])
        assert uploads.undo(s, upload_id, User("Anna", "Anna", "analytiker")) == {"removed": 1, "restored": 1}
    finally:
        s.close()
    assert dump(seeded_db)["observations"] == before["observations"]


def test_uploads_list(seeded_db, tmp_path, capsys):
    path = tmp_path / "l.csv"
    path.write_bytes(csv_bytes("indikator;period;värde\nhushall_ekb;2025-09;399\n"))
    run(seeded_db, path, capsys=capsys)
    assert cli.main(["uploads", "list", "--db", str(seeded_db)]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert "Anna" in line and "l.csv" in line and "nya 0, ändrade 1, oförändrade 0" in line and "inläst" in line


def test_dry_run_writes_nothing(seeded_db, tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_bytes(csv_bytes("indikator;period;värde\nhushall_ekb;2025-09;399\n"))
    before = dump(seeded_db)
    code, out = run(seeded_db, path, "--dry-run", capsys=capsys)
    assert code == 0 and out["updated"] == 1
    assert dump(seeded_db) == before


def _ingest_process(db, path, wait="30"):
    return subprocess.Popen([sys.executable, "-m", "asn_dash", "ingest", str(path), "--db", str(db), "--user", "p",
                             "--wait", wait, "--json"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_two_processes_at_once_both_land(seeded_db, tmp_path):
    files = []
    for n, month in enumerate(("2025-09", "2025-10")):
        path = tmp_path / f"p{n}.csv"
        rows = "".join(f"sjukfranvaro;{unit};{month};{5 + k / 10}\n" for k, unit in enumerate(
            ["Barn- och ungdomsenheten", "Vuxenenheten", "Resursenheten"]))
        path.write_bytes(csv_bytes("indikator;enhet;period;värde\n" + rows))
        files.append(path)
    procs = [_ingest_process(seeded_db, f) for f in files]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    s = open_store(seeded_db)
    try:
        assert s.scalar("SELECT count(*) FROM uploads") == 2
        assert s.scalar("SELECT count(*) FROM observations WHERE source = 'uppladdning'") == 6
        assert s.scalar("SELECT count(*) FROM upload_changes") == 6
    finally:
        s.close()


def test_store_held_too_long_is_refused_with_try_again(seeded_db, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes("indikator;period;värde\nhushall_ekb;2025-09;399\n"))
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, sys
        con = duckdb.connect({str(seeded_db)!r})
        print("ready", flush=True)
        sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        proc = _ingest_process(seeded_db, path, wait="1")
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 1
        message = json.loads(out)["errors"][0]["message"]
        assert "används av en annan process" in message and "försök igen" in message
    finally:
        holder.communicate("", timeout=30)
    s = open_store(seeded_db)
    try:
        assert s.scalar("SELECT count(*) FROM uploads") == 0
    finally:
        s.close()


def test_library_commit_refuses_unconfirmed_warnings_and_errors(seeded_db):
    s = open_store(seeded_db)
    try:
        analysis = ingest.analyse(s, "w.csv", csv_bytes("indikator;period;värde\nhushall_ekb;2025-09;4000\n"))
        with pytest.raises(ingest.WarningsNotConfirmed):
            ingest.commit(s, analysis, ANNA)
        bad = ingest.analyse(s, "b.csv", csv_bytes("indikator;period;värde\nhushall_ekb;2025-09;x\n"))
        with pytest.raises(ingest.UploadError, match="har 1 fel; inget har lästs in"):
            ingest.commit(s, bad, ANNA)
        with pytest.raises(PermissionDenied, match="har rollen läsare och får inte ladda upp"):
            ingest.commit(s, analysis, User("lisa", "Lisa", "läsare"), accept_warnings=True)
        assert uploads.list_uploads(s).empty
    finally:
        s.close()


CSV_WITHOUT_PANDAS = """
import builtins, sys, types
from pathlib import Path
from asn_dash.auth import cli_user
from asn_dash.store.setup import open_store
from asn_dash.uploads import ingest
from asn_dash.uploads.readers import read_csv

loaded = [name for name, module in vars(ingest).items() if isinstance(module, types.ModuleType)
          and module.__name__.split(".")[0] in ("pandas", "numpy")]
assert not loaded, loaded
real_import = builtins.__import__

def guarded(name, globals=None, *args, **kwargs):  # ingest may import neither from here on
    if name.split(".")[0] in ("pandas", "numpy") and (globals or {}).get("__name__") == ingest.__name__:
        raise ImportError(f"ingest imports {name}")
    return real_import(name, globals, *args, **kwargs)

builtins.__import__ = guarded
store = open_store(Path(sys.argv[1]))
analysis = ingest.analyse(store, "fil.csv", Path(sys.argv[2]).read_bytes())
assert analysis.ok and analysis.warning_count == 0, analysis.summary()
print(ingest.commit(store, analysis, cli_user("Anna")), analysis.counts())
try:
    analysis.changes
except ImportError:
    print("the preview table needs pandas")
store.close()
"""


def test_a_csv_upload_needs_neither_pandas_nor_numpy(seeded_db, tmp_path):
    """The command line's CSV path runs without ingest importing pandas or numpy (only the preview
    table the Ladda upp page shows needs pandas, built when read), nor does ingest at module level.
    (The modules it uses, such as the readers and the store, are another matter.)"""
    path = tmp_path / "fil.csv"
    path.write_bytes(csv_bytes("indikator;enhet;period;värde;kommentar\n"
                               "hushall_ekb;;2025-09;399;Ny rutin\ncai_sjalvforsorjande;;2025-09;14;\n"))
    proc = subprocess.run([sys.executable, "-c", CSV_WITHOUT_PANDAS, str(seeded_db), str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-2:] == ["1 {'inserted': 1, 'updated': 1, 'unchanged': 0}",
                                             "the preview table needs pandas"]
    assert value(seeded_db, "cai_sjalvforsorjande", "aos", "2025-09")[0]["value"] == 14


@pytest.mark.parametrize("between, python_reader", [
    (";;;;\n", False),   # a row of empty cells: DuckDB reads it (a row, skipped as blank)
    (" ;\u00a0; ;\t ; \n", False),  # a row of blank cells
    ("  \t\n", True),    # a line of only blanks: DuckDB refuses it, the Python reader takes over
    ("\n", True),        # an empty line: DuckDB would skip it without counting it, so it is not asked
])
def test_rows_are_numbered_as_the_spreadsheet_shows_them(between, python_reader, s, monkeypatch):
    """A quoted cell over two lines is one row; blank rows and lines count: the error names row 4
    and the preview row 2 whichever reader staged the file."""
    calls = []
    monkeypatch.setattr(ingest, "read_csv", lambda *a: calls.append(a) or read_csv(*a))
    data = csv_bytes('indikator;enhet;period;värde;kommentar\nhushall_ekb;;2025-09;399;"två\nrader"\n' + between
                     + "okand_x;;2025-09;1;\n")
    analysis = ingest.analyse(s, "f.csv", data)
    try:
        assert [(p.row, p.column, p.value) for p in analysis.errors] == [(4, "indikator", "okand_x")]
        assert bool(calls) == python_reader
    finally:
        analysis.close()
    data = data.replace(b"okand_x", b"hushall_ekb").replace(b"2025-09;1;", b"2025-08;398;")
    analysis = ingest.analyse(s, "f.csv", data)
    try:
        assert analysis.ok, analysis.summary()
        comments = [c if isinstance(c, str) else None for c in analysis.changes["comment"]]
        assert list(zip(analysis.changes["row"], comments)) == [(2, "två\nrader"), (4, None)]
    finally:
        analysis.close()


def test_rows_are_numbered_without_insertion_order_too(s):
    """The fast path takes the row from the staged table's rowid only while DuckDB keeps the
    file's order; with that setting off it numbers the rows itself."""
    s.con.execute("SET preserve_insertion_order = false")
    rows = "".join(f"hushall_ekb;;{2000 + n // 12}-{n % 12 + 1:02d};{300 + n % 7}\n" for n in range(300))
    analysis = ingest.analyse(s, "f.csv", csv_bytes("indikator;enhet;period;värde\n" + rows + "okand_x;;2025-09;1\n"))
    try:
        assert [(p.row, p.value) for p in analysis.errors] == [(302, "okand_x")]
    finally:
        analysis.close()
