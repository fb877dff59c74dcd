"""The upload readers on their own: what a file is, its encoding and line endings, CSV quoting,
and XLSX — number formats, formulas, sheets and the limits that refuse a hostile workbook before
it is unpacked or materialised."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from asn_dash.uploads import readers
from asn_dash.uploads.readers import ReadError, read_csv, read_upload, read_xlsx

ROOT = Path(__file__).resolve().parent.parent
TEXT = "indikator;enhet;period;värde;kommentar\nhushall_ekb;Försörjningsstödsenheten;mars 2025;397;Ökning på " \
       "Vuxenenheten\nsjukfranvaro;Barn- och ungdomsenheten;2025-03;5,5;Två långtidssjukskrivningar\n"
ROWS = [["hushall_ekb", "Försörjningsstödsenheten", "mars 2025", "397", "Ökning på Vuxenenheten"],
        ["sjukfranvaro", "Barn- och ungdomsenheten", "2025-03", "5,5", "Två långtidssjukskrivningar"]]


def cells(table) -> list[list[str]]:
    return table.cells.values.tolist()


def refused(name: str, data: bytes, sheet: str | None = None) -> str:
    with pytest.raises(ReadError) as info:
        read_upload(name, data, sheet)
    return info.value.sv


# --- what kind of file ---------------------------------------------------------------------------

@pytest.mark.parametrize("data, reason", [
    (gzip.compress(TEXT.encode()), "filen är varken CSV eller Excel (det är en gzip-komprimerad fil; packa upp den"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 ...", "filen är varken CSV eller Excel (det är en PDF)"),
    (b"\x89PNG\r\n\x1a\n....", "filen är varken CSV eller Excel (det är en bild)"),
    (b"indikator;period;v\x00rde\n", "filen är varken CSV eller Excel (den innehåller binära data, t.ex. ett "
                                     "NUL-tecken vid byte 18)"),
    (bytes(range(256)) * 4, "filen är varken CSV eller Excel"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "det gamla Excel-formatet .xls (eller en lösenordsskyddad "
                                                        "Excel-fil) stöds inte"),
])
def test_files_that_are_neither_csv_nor_excel_are_named_as_such(data, reason):
    for name in ("f.csv", "f.xlsx", "f.txt"):  # the content decides, not the name
        assert refused(name, data).startswith(f"{name}: {reason}")


def zipped(members: dict[str, bytes | str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buf.getvalue()


def test_zips_that_are_not_workbooks():
    assert refused("f.xlsx", zipped({"data.csv": TEXT})) == \
        "f.xlsx: filen är varken CSV eller Excel (det är ett zip-arkiv, inte en Excel-arbetsbok)."
    ods = zipped({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})
    assert refused("f.ods", ods) == "f.ods: OpenDocument-kalkylblad (.ods) stöds inte; spara som .xlsx eller CSV."
    xlsb = zipped({"[Content_Types].xml": "<x/>", "xl/workbook.bin": b"\0"})
    assert refused("f.xlsb", xlsb) == "f.xlsb: binära Excel-arbetsböcker (.xlsb) stöds inte; spara som .xlsx eller CSV."
    assert refused("f.xlsx", b"PK\x03\x04 broken").startswith("f.xlsx: filen är inte en läsbar Excel-fil (.xlsx)")


def xlsx(rows, *, sheet="Blad1", edit=None) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if edit:
        edit(book, ws)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_a_csv_named_xlsx_and_a_workbook_named_csv_are_read_for_what_they_are():
    as_xlsx = read_upload("fel-namn.xlsx", TEXT.encode())
    assert as_xlsx.encoding == "utf-8" and cells(as_xlsx) == ROWS
    book = xlsx([["indikator", "period", "värde"], ["hushall_ekb", "2025-03", 390]])
    as_csv = read_upload("fel-namn.csv", book)
    assert as_csv.encoding == "xlsx" and cells(as_csv) == [["hushall_ekb", "2025-03", "390"]]


# --- encodings and line endings ------------------------------------------------------------------

@pytest.mark.parametrize("encoding, label", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("cp1252", "cp1252"), ("utf-16", "utf-16"),
    ("utf-16-le", "utf-16"), ("utf-16-be", "utf-16"), ("cp850", "cp850"), ("mac_roman", "mac_roman"),
])
def test_encodings(encoding, label):
    data = TEXT.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # Excel's "Unicode text" always has its BOM
    table = read_csv("f.csv", data)
    assert table.encoding == label
    assert cells(table) == ROWS


def test_excel_unicode_text_is_utf16_with_tabs_and_crlf():
    text = TEXT.replace(";", "\t").replace("\n", "\r\n")
    table = read_csv("unicode.txt", text.encode("utf-16"))
    assert (table.encoding, table.separator) == ("utf-16", "\t")
    assert cells(table) == ROWS


def test_a_short_cp1252_file_is_read_as_cp1252():
    table = read_csv("f.csv", "indikator;period;värde\nhushall_ekb;2025-03;Ökning\n".encode("cp1252"))
    assert table.encoding == "cp1252" and cells(table) == [["hushall_ekb", "2025-03", "Ökning"]]


def test_utf8_mixed_with_another_encoding_is_refused():
    data = "indikator;period;värde\n".encode() + "hushall_ekb;2025-03;Ökning\n".encode("cp1252")
    assert refused("f.csv", data) == ("f.csv: filen blandar teckenkodningar: den har tecken i UTF-8 men byte 44 är "
                                      "inte UTF-8; spara filen som CSV UTF-8 från Excel.")


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n", "mixed"])
def test_line_endings(newline):
    lines = TEXT.splitlines()
    if newline == "mixed":
        text = lines[0] + "\r\n" + lines[1] + "\r" + lines[2] + "\n"
    else:
        text = newline.join(lines) + newline
    assert cells(read_csv("f.csv", text.encode())) == ROWS


def test_empty_files():
    assert refused("f.csv", b"") == "f.csv: filen är tom."
    assert refused("f.csv", b"\xef\xbb\xbf") == "f.csv: filen är tom."
    assert refused("f.csv", "\ufeff".encode("utf-16")) == "f.csv: filen är tom."
    assert refused("f.csv", b" \r\n\t\r\n") == "f.csv: filen är tom."
    assert refused("f.csv", b"\r\nindikator;period\n") == "f.csv, rad 1: första raden ska vara rubrikraden (den är tom)."


# --- CSV structure -------------------------------------------------------------------------------

def test_excel_separator_line_is_honoured_and_not_counted():
    table = read_csv("f.csv", b"sep=,\r\nindikator,period,v\xc3\xa4rde\r\nhushall_ekb,2025-03,\"1 234,5\"\r\n")
    assert table.separator == "," and table.columns == ["indikator", "period", "värde"]
    assert cells(table) == [["hushall_ekb", "2025-03", "1 234,5"]] and table.rows == [2]


def test_quoted_fields_keep_separators_quotes_and_line_breaks():
    text = 'indikator;period;värde;kommentar\nhushall_ekb;2025-03;390;"rad 1\n\nrad 2; med ""citat"""\n' \
           'hushall_ekb;2025-04;391;\n'
    table = read_csv("f.csv", text.encode())
    assert cells(table) == [["hushall_ekb", "2025-03", "390", 'rad 1\n\nrad 2; med "citat"'],
                            ["hushall_ekb", "2025-04", "391", ""]]
    assert table.rows == [2, 3]  # Excel's rows: a record with line breaks is one row


@pytest.mark.parametrize("text, reason", [
    ('indikator;period;värde\nhushall_ekb;2025-03;"390\nhushall_ekb;2025-04;391\n',
     'f.csv, rad 2: ett citattecken (") öppnas men stängs aldrig; kontrollera citattecknen.'),
    ('indikator;period;värde\nhushall_ekb;2025-03;"390"x\n',
     'f.csv, rad 2: fel citattecken: text direkt efter ett avslutande citattecken ("); skriv citattecken i ett '
     'värde som två ("") och sätt hela värdet inom citattecken.'),
    ("indikator;period;värde\nhushall_ekb;2025-03\n",
     "f.csv, rad 2: raden har 2 kolumner men rubrikraden har 3; kontrollera avgränsare och citattecken."),
    ("indikator\nhushall_ekb\n",
     "f.csv, rad 1: rubrikraden har bara en kolumn; avgränsa kolumnerna med semikolon, komma eller tabb."),
    (";".join(f"k{i}" for i in range(10_000)) + "\n",
     "f.csv, rad 1: rubrikraden har 10\u00a0000 kolumner; högst 512 går att läsa in."),
])
def test_broken_csv_structure_is_named_with_its_row(text, reason):
    assert refused("f.csv", text.encode()) == reason


def test_a_very_long_field_is_read_not_a_csv_error():
    long = "9" * 300_000  # beyond the csv module's default field limit (128 KiB)
    table = read_csv("f.csv", f"indikator;period;värde\nhushall_ekb;2025-03;{long}\n".encode())
    assert cells(table)[0][2] == long


# --- XLSX -----------------------------------------------------------------------------------------

def test_percent_formatted_cells_read_as_percent_and_literal_percent_signs_do_not_scale():
    def formats(book, ws):
        ws["C2"].number_format = "0%"
        ws["C3"].number_format = "0.00%"
        ws["C4"].number_format = '0.00" %"'  # shows a % sign but holds 5.69: not scaled
        ws["C5"].number_format = "#,##0"

    table = read_xlsx("p.xlsx", xlsx([["indikator", "period", "värde"], ["a", "2025-03", 0.85],
                                      ["b", "2025-03", 0.0569], ["c", "2025-03", 5.69], ["d", "2025-03", 1234.5]],
                                     edit=formats))
    assert [r[2] for r in cells(table)] == ["85 %", "5,69 %", "5,69", "1234,5"]


def test_numbers_are_read_exactly_and_never_ambiguously():
    table = read_xlsx("n.xlsx", xlsx([["indikator", "period", "värde"], ["a", "2025-03", 1.234], ["b", 2025, 0.1],
                                      ["c", "2025-03", 1e-7], ["d", "2025-03", True], ["e", "2025-03", -308853]]))
    assert cells(table) == [["a", "2025-03", "1,2340"], ["b", "2025", "0,1"], ["c", "2025-03", "0,0000001"],
                            ["d", "2025-03", "Ja"], ["e", "2025-03", "-308853"]]


def test_formula_without_a_cached_value_is_a_row_problem_not_an_empty_cell():
    def formulas(book, ws):
        ws["C3"] = "=C2*2"  # openpyxl writes formulas without computing them, like many programs

    table = read_xlsx("f.xlsx", xlsx([["indikator", "period", "Värde"], ["a", "2025-03", 1], ["b", "2025-04"]],
                                     edit=formulas))
    assert table.problems == [(3, "Värde", "=C2*2", readers.FORMULA_WITHOUT_VALUE)]
    assert readers.FORMULA_WITHOUT_VALUE == "formeln saknar sparat värde – öppna filen i Excel och spara den igen"


def sheet_xml(rows_xml: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'{dim}<sheetData>{rows_xml}</sheetData></worksheet>')


def with_sheet(xml: str) -> bytes:
    """A real workbook whose first sheet's XML is replaced."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([["x"]])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename))
    return buf.getvalue()


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = '<row r="1">' + inline("A1", "indikator") + inline("B1", "period") + inline("C1", "värde") + "</row>"


def test_a_cached_formula_value_is_read_and_an_empty_text_result_is_empty():
    rows = HEADER_ROW + '<row r="2">' + inline("A2", "a") + inline("B2", "2025-03") + \
        '<c r="C2"><f>1+1</f><v>2</v></c></row><row r="3">' + inline("A3", "b") + inline("B3", "2025-04") + \
        '<c r="C3" t="str"><f>IF(1,"","x")</f><v></v></c></row>'
    table = read_xlsx("c.xlsx", with_sheet(sheet_xml(rows)))
    assert cells(table) == [["a", "2025-03", "2"], ["b", "2025-04", ""]] and table.problems == []


def test_dates_and_excel_serials():
    def formats(book, ws):
        ws["B3"].number_format = "yyyy-mm-dd"  # a date stored as its number with a date format

    table = read_xlsx("d.xlsx", xlsx([["indikator", "period", "värde"], ["a", datetime(2025, 9, 30), 1],
                                      ["b", 45747, 2], ["c", 45747, 3]], edit=formats))
    assert [r[1] for r in cells(table)] == ["2025-09-30", "2025-03-31", "45747"]  # the plain number: see parse_period


def test_the_first_visible_sheet_is_read_unless_one_is_named():
    def sheets(book, ws):
        ws.sheet_state = "hidden"
        for title, value in (("Mars", 1), ("April", 2)):
            extra = book.create_sheet(title)
            extra.append(["indikator", "period", "värde"])
            extra.append(["a", "2025-03", value])

    data = xlsx([["gömt"]], sheet="Dolt", edit=sheets)
    first = read_xlsx("s.xlsx", data)
    assert first.sheet == "Mars" and cells(first) == [["a", "2025-03", "1"]]
    assert read_xlsx("s.xlsx", data, "april").sheet == "April"  # names match without case
    assert refused("s.xlsx", data, "Maj") == "s.xlsx: bladet 'Maj' finns inte; filen har Dolt, Mars, April."


def test_values_right_of_the_header_and_merged_cells_are_reported_not_guessed():
    def edits(book, ws):
        ws["E2"] = "utanför"
        ws.merge_cells("A2:A3")

    table = read_xlsx("m.xlsx", xlsx([["indikator", "period", "värde"], ["a", "2025-03", 1], [None, "2025-04", 2]],
                                     edit=edits))
    assert table.columns == ["indikator", "period", "värde", "", ""]
    assert cells(table) == [["a", "2025-03", "1", "", "utanför"], ["", "2025-04", "2", "", ""]]
    assert table.problems == [(3, "indikator", "", readers.MERGED.format(ref="A2:A3"))]


@pytest.mark.parametrize("ref, hidden", [
    ("B2:B4", [(3, "period")]),  # down: the first row below
    ("A2:B2", [(2, "period")]),  # across: right of the first cell
    ("C2:E3", [(3, "värde")]),  # partly right of the table: the hidden cell inside it
    ("D2:E3", []),  # entirely right of the table
    ("A5:C9", []),  # below the table
    ("A1:C1", []),  # the header row
    ("A2:A2", []),  # one cell: nothing hidden
])
def test_a_merged_range_is_reported_at_the_first_cell_it_hides(ref, hidden):
    table = read_xlsx("m.xlsx", xlsx([["indikator", "period", "värde"], ["a", "2025-03", 1], ["b", "2025-04", 2],
                                      ["c", "2025-05", 3]], edit=lambda book, ws: ws.merge_cells(ref)))
    assert [p[:2] for p in table.problems] == hidden


def test_more_merged_ranges_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(readers, "XLSX_MAX_MERGES", 3)
    merges = "".join(f'<mergeCell ref="D{r}:E{r}"/>' for r in range(2, 6))
    xml = sheet_xml(HEADER_ROW).replace("</worksheet>", f'<mergeCells count="4">{merges}</mergeCells></worksheet>')
    assert refused("m.xlsx", with_sheet(xml)) == \
        "m.xlsx: bladet 'Blad1' har fler än 3 sammanfogade cellområden; dela upp dem eller spara bladet som CSV."


# --- XLSX limits ----------------------------------------------------------------------------------

def test_a_sheet_declaring_column_xfd_is_refused_before_its_cells_are_read():
    rows = "".join(f'<row r="{r}">{inline(f"A{r}", "x")}</row>' for r in range(1, 3))
    data = with_sheet(sheet_xml(rows, "A1:XFD30000"))
    assert len(data) < 10_000
    assert refused("xfd.xlsx", data) == \
        "xfd.xlsx: bladet 'Blad1' har 16\u00a0384 kolumner (till kolumn XFD); högst 512 går att läsa in."


def test_a_cell_far_right_without_a_dimension_is_refused_on_its_row():
    rows = HEADER_ROW + "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(2, 30_001))
    assert refused("xfd.xlsx", with_sheet(sheet_xml(rows))) == \
        "xfd.xlsx, rad 2: bladet 'Blad1' har värden i kolumn XFD; högst 512 kolumner går att läsa in."


def test_rows_beyond_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(readers, "XLSX_MAX_ROWS", 50)
    rows = [["indikator", "period", "värde"]] + [["a", "2025-03", i] for i in range(60)]
    assert refused("r.xlsx", xlsx(rows)) == ("r.xlsx: bladet 'Blad1' har 61 rader; högst 50 går att läsa från "
                                            "Excel. Spara bladet som CSV (UTF-8) och ladda upp det.")
    without_dimension = HEADER_ROW + "".join(f'<row r="{r}">{inline(f"A{r}", "a")}</row>' for r in range(2, 60))
    assert "har 51 rader; högst 50" in refused("r.xlsx", with_sheet(sheet_xml(without_dimension)))


def test_cells_beyond_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(readers, "XLSX_MAX_CELLS", 100)
    rows = [["indikator", "period", "värde"] + [f"x{i}" for i in range(20)]] + [["a"] * 23 for _ in range(10)]
    assert "högst 100 celler går att läsa från Excel" in refused("c.xlsx", xlsx(rows))


def bomb(unpacked: int) -> bytes:
    """A workbook whose sheet unpacks to ``unpacked`` bytes of XML comment."""
    pad = "<!--" + " " * unpacked + "-->"
    return with_sheet(sheet_xml(HEADER_ROW).replace("<sheetData>", pad + "<sheetData>"))


def test_a_zip_bomb_is_refused_from_the_declared_sizes():
    data = bomb(150 * 1024 * 1024)
    assert len(data) < 400_000
    message = refused("bomb.xlsx", data)
    assert message.startswith("bomb.xlsx: Excel-filen packas upp till 150,0 MB (157\u00a0")
    assert message.endswith("byte); gränsen är 50 MB (52\u00a0428\u00a0800 byte). Spara bladet som CSV (UTF-8) och "
                            "ladda upp det.")


def peak_rss_mb(path: Path, db: Path) -> tuple[int, str]:
    """Peak RSS of a CLI ingest in its own process."""
    code = ("import sys; from asn_dash import cli; from asn_dash.bench.memory import peak_rss_mb; "
            "code = cli.main(sys.argv[1:]); print(int(peak_rss_mb()))")
    done = subprocess.run([sys.executable, "-c", code, "ingest", str(path), "--db", str(db), "--dry-run"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    return int(done.stdout.strip().splitlines()[-1]), done.stderr


def test_refusals_of_hostile_workbooks_use_no_more_memory_than_a_tiny_upload(seeded_db, tmp_path):
    tiny = tmp_path / "tiny.csv"
    tiny.write_bytes("indikator;period;värde\nhushall_ekb;2025-03;390\n".encode())
    base, _ = peak_rss_mb(tiny, seeded_db)
    hostile = {
        "xfd.xlsx": with_sheet(sheet_xml("".join(f'<row r="{r}">{inline(f"A{r}", "x")}</row>' for r in (1, 2)),
                                         "A1:XFD30000")),
        "rows.xlsx": with_sheet(sheet_xml(HEADER_ROW + "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>'
                                                               for r in range(2, 30_001)))),
        "bomb.xlsx": bomb(120 * 1024 * 1024),
    }
    for name, data in hostile.items():
        path = tmp_path / name
        path.write_bytes(data)
        peak, err = peak_rss_mb(path, seeded_db)
        assert "Fel:" in err and "Traceback" not in err, err
        assert peak < base + 60, (name, peak, base)


def test_binary_data_after_the_first_64_kib_is_refused_too():
    data = ("indikator;period;värde\n" + "hushall_ekb;2025-03;390\n" * 4000).encode() + b"\x00\x01\x02"
    assert refused("f.csv", data).startswith("f.csv: filen är varken CSV eller Excel (den innehåller binära data, "
                                             "t.ex. ett NUL-tecken vid tecken ")
