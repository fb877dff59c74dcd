"""A battery of malformed uploads: each gives its exact message, exit code 2, and leaves
every table of the store exactly as it was (a full dump before and after)."""

import io
import json
from datetime import date

import pytest
from openpyxl import Workbook

from asn_dash import cli

from .ingest_helpers import csv_bytes, dump

H = "indikator;enhet;period;värde\n"
NEXT = date.today().year + 1


def xlsx(rows, sheet="Blad1") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


CASES = [
    # (id, file name, content, expected first message)
    ("unknown-indicator", "f.csv", H + "husall_ekb;;2025-03;390\n",
     "f.csv, rad 2, kolumn 'indikator' (värde 'husall_ekb'): okänd indikator; menade du 'hushall_ekb' eller "
     "'hushall_ekb_10man' eller 'barn_i_hushall_ekb'?"),
    ("unknown-indicator-name", "f.csv", H + "Antal hushåll med bistånd;;2025-03;390\n",
     "f.csv, rad 2, kolumn 'indikator' (värde 'Antal hushåll med bistånd'): okänd indikator; menade du "
     "'Antal hushåll med ekonomiskt bistånd' eller 'Antal barn i hushåll med ekonomiskt bistånd' eller "
     "'Antal hushåll med försörjningsstöd i mer än 10 månader'?"),
    ("missing-indicator", "f.csv", H + ";;2025-03;390\n",
     "f.csv, rad 2, kolumn 'indikator' (värde ''): indikator saknas."),
    ("unknown-unit", "f.csv", H + "hushall_ekb;Försörjningsstödenheten;2025-03;390\n",
     "f.csv, rad 2, kolumn 'enhet' (värde 'Försörjningsstödenheten'): okänd enhet; menade du "
     "'Försörjningsstödsenheten' eller 'Förvaltningsstöd'?"),
    ("bad-period", "f.csv", H + "hushall_ekb;;våren 2025;390\n",
     "f.csv, rad 2, kolumn 'period' (värde 'våren 2025'): okänd period; skriv t.ex. 2025-03, mars 2025, "
     "2025-03-31, T1 2025 eller 2025."),
    ("future-period", "f.csv", H + f"hushall_ekb;;{NEXT}-12;390\n",
     f"f.csv, rad 2, kolumn 'period' (värde '{NEXT}-12'): perioden dec {NEXT} är inte slut förrän 31 dec {NEXT}; "
     f"ett utfall kan bara laddas upp för en avslutad period – ladda upp värdet som prognos (kolumnen typ: "
     f"prognos) eller vänta tills perioden är slut."),
    ("year-after-next", "f.csv", H + f"hushall_ekb;;{NEXT + 1}-01;390\n",
     f"f.csv, rad 2, kolumn 'period' (värde '{NEXT + 1}-01'): året {NEXT + 1} ligger utanför det tillåtna "
     f"intervallet 2000–{NEXT}."),
    ("year-before-2000", "f.csv", H + "hushall_ekb;;1999-12-31;390\n",
     f"f.csv, rad 2, kolumn 'period' (värde '1999-12-31'): året 1999 ligger utanför det tillåtna intervallet "
     f"2000–{NEXT}."),
    ("year-one", "f.csv", H + "hushall_ekb;;0001-01;390\n",
     f"f.csv, rad 2, kolumn 'period' (värde '0001-01'): året 1 ligger utanför det tillåtna intervallet 2000–{NEXT}."),
    ("impossible-date", "f.csv", H + "hushall_ekb;;2025-02-30;390\n",
     "f.csv, rad 2, kolumn 'period' (värde '2025-02-30'): ogiltigt datum."),
    ("month-13", "f.csv", H + "hushall_ekb;;2025-13;390\n",
     "f.csv, rad 2, kolumn 'period' (värde '2025-13'): okänd period; skriv t.ex. 2025-03, mars 2025, "
     "2025-03-31, T1 2025 eller 2025."),
    ("r12-period", "f.csv", H + "sjukfranvaro;;2025-08-R12;5,7\n",
     "f.csv, rad 2, kolumn 'period' (värde '2025-08-R12'): R12-perioder räknas fram av panelen och laddas "
     "inte upp; ladda upp månadsvärden."),
    ("duplicate-key", "f.csv", H + "hushall_ekb;;2025-03;390\nhushall_ekb;;mars 2025;391\n",
     "f.csv, rad 3, kolumn 'period' (värde 'mars 2025'): samma indikator, enhet och period finns redan på rad 2."),
    ("duplicate-key-of-a-kind", "f.csv", "indikator;period;Typ;värde\nnettokostnad_asn;2025;prognos;300 000\n"
     "nettokostnad_asn;2025;utfall;299 000\nnettokostnad_asn;helår 2025;Prognos;301 000\n",
     "f.csv, rad 4, kolumn 'period' (värde 'helår 2025'): samma indikator, enhet, period och värdetyp finns redan "
     "på rad 2."),
    ("unknown-kind", "f.csv", "indikator;period;värde;Värdetyp\nnettokostnad_asn;2025;300 000;prognos helår\n",
     "f.csv, rad 2, kolumn 'Värdetyp' (värde 'prognos helår'): okänd värdetyp; skriv utfall, prognos eller budget "
     "(tom cell = utfall)."),
    ("unknown-kind-wide-once-per-row", "f.csv", "indikator;år;jan;feb;mar;kind\nplac_lvm;2024;1;2;3;progn\n",
     "f.csv, rad 2, kolumn 'kind' (värde 'progn'): okänd värdetyp; skriv utfall, prognos eller budget "
     "(tom cell = utfall)."),
    ("not-a-number", "f.csv", H + "hushall_ekb;;2025-03;tre hundra\n",
     "f.csv, rad 2, kolumn 'värde' (värde 'tre hundra'): inte ett tal; skriv t.ex. 1234, 1 234,5, 1234.5, -2 "
     "eller 5,5 %."),
    ("two-commas", "f.csv", H + 'hushall_ekb;;2025-03;"12,5,3"\n',
     "f.csv, rad 2, kolumn 'värde' (värde '12,5,3'): flera punkter eller komman; skriv tusental med mellanslag "
     "och högst ett decimaltecken, t.ex. 1 234 567,5."),
    ("infinity", "f.csv", H + "hushall_ekb;;2025-03;inf\n",
     "f.csv, rad 2, kolumn 'värde' (värde 'inf'): inte ett tal; skriv t.ex. 1234, 1 234,5, 1234.5, -2 eller "
     "5,5 %."),
    ("negative-count", "f.csv", H + "plac_lvm;;2025-03;-1\n",
     "f.csv, rad 2, kolumn 'värde' (värde '-1'): ett antal kan inte vara negativt."),
    ("fractional-count", "f.csv", H + "plac_lvm;;2025-03;1,5\n",
     "f.csv, rad 2, kolumn 'värde' (värde '1,5'): ett antal måste vara ett heltal."),
    ("percent-over-100", "f.csv", H + "sjukfranvaro;;2025-03;105 %\n",
     "f.csv, rad 2, kolumn 'värde' (värde '105 %'): en andel i procent måste ligga mellan 0 och 100."),
    ("percent-negative", "f.csv", H + "sjukfranvaro;;2025-03;-2\n",
     "f.csv, rad 2, kolumn 'värde' (värde '-2'): en andel i procent måste ligga mellan 0 och 100."),
    ("budget-deviation-out-of-range", "f.csv", H + "budgetavvikelse_pct;;2025-03;-140\n",
     "f.csv, rad 2, kolumn 'värde' (värde '-140'): en procentsats måste ligga mellan −100 och 100."),
    ("percent-sign-on-count", "f.csv", H + "hushall_ekb;;2025-03;12 %\n",
     "f.csv, rad 2, kolumn 'värde' (värde '12 %'): procent (tecken eller cellformat i Excel), men indikatorn "
     "mäts i antal."),
    ("yes-no-maybe", "f.csv", H + "U28487;;2024;kanske\n",
     "f.csv, rad 2, kolumn 'värde' (värde 'kanske'): Ja/Nej-indikator: skriv Ja, Nej, 1 eller 0."),
    ("negative-days", "f.csv", H + "U31402;;2024;-3\n",
     "f.csv, rad 2, kolumn 'värde' (värde '-3'): antal dagar kan inte vara negativt."),
    ("wide-bad-year", "f.csv", "indikator;år;jan;feb\nhushall_ekb;tjugo;390;391\n",
     "f.csv, rad 2, kolumn 'år' (värde 'tjugo'): okänt år; skriv året med fyra siffror, t.ex. 2025."),
    ("wide-bad-cell", "f.csv", "indikator;2025-01;2025-02\nhushall_ekb;390;x\n",
     "f.csv, rad 2, kolumn '2025-02' (värde 'x'): inte ett tal; skriv t.ex. 1234, 1 234,5, 1234.5, -2 eller "
     "5,5 %."),
    ("wide-months-without-year", "f.csv", "indikator;jan;feb\nhushall_ekb;390;391\n",
     "f.csv, rad 1: månadskolumnerna jan … dec kräver en kolumn 'år' (eller skriv rubrikerna som 2025-01, "
     "2025-02 …)."),
    ("no-indicator-column", "f.csv", "enhet;period;värde\n;2025-03;390\n",
     "f.csv, rad 1: kolumnen 'indikator' saknas. Rubrikraden har: enhet, period, värde. Se formatbeskrivningen "
     "på sidan Ladda upp."),
    ("unknown-column", "f.csv", "indikator;period;värde;belopp\nhushall_ekb;2025-03;390;1\n",
     "f.csv, rad 1: okänd kolumn 'belopp'. Tillåtna rubriker: indikator, enhet, period, värde, typ, kommentar "
     "(långt format) eller indikator, enhet, år, jan … dec / 2025-01 … (brett format), med valfri kolumn typ."),
    ("no-period-or-value", "f.csv", "indikator;enhet\nhushall_ekb;\n",
     "f.csv, rad 1: hittar inga kolumner för period och värde. Använd 'period' och 'värde' (långt format) "
     "eller månadskolumner jan … dec med 'år' (brett format)."),
    ("both-layouts", "f.csv", "indikator;period;värde;jan\nhushall_ekb;2025-03;390;1\n",
     "f.csv, rad 1: filen har både kolumnerna period/värde och månadskolumner; använd ett av formaten."),
    ("empty-file", "f.csv", "", "f.csv: filen är tom."),
    ("blank-first-line", "f.csv", "\n" + H + "hushall_ekb;;2025-03;390\n",
     "f.csv, rad 1: första raden ska vara rubrikraden (den är tom)."),
    ("separators-only-first-line", "f.csv", ";;;\n" + H + "hushall_ekb;;2025-03;390\n",
     "f.csv, rad 1: första raden ska vara rubrikraden (den är tom)."),
    ("header-only", "f.csv", H, "f.csv: filen innehåller inga värden att läsa in (alla celler är tomma eller '---')."),
    ("only-not-reported", "f.csv", H + "hushall_ekb;;2025-03;---\nhushall_ekb;;2025-04;—\nhushall_ekb;;2025-05;..\n",
     "f.csv: filen innehåller inga värden att läsa in (alla celler är tomma eller '---')."),
    ("too-many-fields", "f.csv", H + "hushall_ekb;;2025-03;390\nhushall_ekb;;2025-04;391;extra\n",
     "f.csv, rad 3: raden har 5 kolumner men rubrikraden har 4; kontrollera avgränsare och citattecken."),
    ("one-column", "f.csv", "indikator\nhushall_ekb\n",
     "f.csv, rad 1: rubrikraden har bara en kolumn; avgränsa kolumnerna med semikolon, komma eller tabb."),
    ("mixed-encodings", "f.csv", "indikator;period;värde\nx;2025-03;1\n".encode() + b"\xf6\n",
     "f.csv: filen blandar teckenkodningar: den har tecken i UTF-8 men byte 36 är inte UTF-8; spara filen som "
     "CSV UTF-8 från Excel."),
    ("old-excel", "f.xls", b"\xd0\xcf\x11\xe0 old excel",
     "f.xls: det gamla Excel-formatet .xls (eller en lösenordsskyddad Excel-fil) stöds inte; spara som .xlsx "
     "utan lösenord eller som CSV."),
    ("broken-xlsx", "f.xlsx", b"PK\x03\x04 not really a zip",
     "f.xlsx: filen är inte en läsbar Excel-fil (.xlsx) (zip-arkivet är trasigt: BadZipFile)."),
    ("xlsx-missing-sheet", "f.xlsx", "SHEET", "f.xlsx: bladet 'Mars' finns inte; filen har Blad1."),
    ("xlsx-unknown-indicator", "f.xlsx", "XLSX",
     "f.xlsx, rad 3, kolumn 'Indikator' (värde 'okand'): okänd indikator."),
]


@pytest.mark.parametrize("case, name, content, expected", CASES, ids=[c[0] for c in CASES])
def test_malformed_upload_is_rejected_with_its_message_and_nothing_changes(
        case, name, content, expected, seeded_db, tmp_path, capsys):
    if content == "SHEET":
        content = xlsx([["indikator", "period", "värde"], ["hushall_ekb", "2025-03", 390]])
    elif content == "XLSX":
        content = xlsx([["Indikator", "Period", "Värde"], ["hushall_ekb", "2025-03", 390], ["okand", "2025-04", 1]])
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else csv_bytes(content))
    before = dump(seeded_db)
    args = ["ingest", str(path), "--db", str(seeded_db), "--json", "--accept-warnings", "--user", "Test"]
    if case == "xlsx-missing-sheet":
        args += ["--sheet", "Mars"]
    code = cli.main(args)
    out = json.loads(capsys.readouterr().out)
    assert code == 2
    first = out["errors"][0]
    text = first["message"] if first["row"] is None else (
        f"{name}, rad {first['row']}, kolumn '{first['column']}' (värde '{first['value']}'): {first['message']}"
        + ("" if first["message"].endswith(("?", ".")) else "."))
    assert text == expected
    assert (out["inserted"], out["updated"]) == (0, 0)
    assert dump(seeded_db) == before


def test_file_over_the_size_limit(seeded_db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ASN_MAX_UPLOAD_MB", "0.01")
    path = tmp_path / "stor.csv"
    path.write_bytes(csv_bytes(H + "hushall_ekb;;2025-03;390\n" * 1000))
    before = dump(seeded_db)
    assert cli.main(["ingest", str(path), "--db", str(seeded_db)]) == 2
    err = capsys.readouterr().err
    assert "Fel: stor.csv: filen är 25,4 kB (26\u00a0031 byte); gränsen är 10,2 kB (10\u00a0485 byte)." in err
    assert "Dela upp filen eller be en administratör höja gränsen (ASN_MAX_UPLOAD_MB)." in err
    assert dump(seeded_db) == before


def test_every_bad_row_is_reported_and_nothing_is_loaded(seeded_db, tmp_path, capsys):
    rows = "".join(f"hushall_ekb;;2024-{m:02d};{390 + m}\n" for m in range(1, 13))
    bad = "plac_lvm;;2025-03;-1\nhushall_ekb;;2025-13;5\nokand;;2025-03;1\n"
    path = tmp_path / "many.csv"
    path.write_bytes(csv_bytes(H + rows + bad))
    before = dump(seeded_db)
    assert cli.main(["ingest", str(path), "--db", str(seeded_db)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("many.csv, rad 14, kolumn 'värde' (värde '-1')")
    assert err[1].startswith("many.csv, rad 15, kolumn 'period' (värde '2025-13')")
    assert err[2].startswith("many.csv, rad 16, kolumn 'indikator' (värde 'okand')")
    assert err[-1] == "3 fel. Inget har lästs in."
    assert dump(seeded_db) == before


def test_unconfirmed_warning_rejects_and_writes_nothing(seeded_db, tmp_path, capsys):
    path = tmp_path / "jump.csv"
    path.write_bytes(csv_bytes(H + "hushall_ekb;;2025-09;4000\n"))
    before = dump(seeded_db)
    assert cli.main(["ingest", str(path), "--db", str(seeded_db)]) == 2
    err = capsys.readouterr().err
    assert "Varning: jump.csv, rad 2, kolumn 'värde' (värde '4\u00a0000'): avviker kraftigt från medianen" in err
    assert "kör igen med --accept-warnings" in err
    assert dump(seeded_db) == before
    assert cli.main(["ingest", str(path), "--db", str(seeded_db), "--accept-warnings", "--user", "Anna"]) == 0
    assert dump(seeded_db) != before
