"""The Ladda upp page in AppTest: errors, preview, confirmation, commit, undo."""


import io

import pandas as pd
import pytest

from .apptest import open_page, shown
from .ingest_helpers import csv_bytes, dump


@pytest.fixture
def page(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = open_page("pages/ladda_upp.py")
    assert not at.exception
    return at


def upload(at, name, text):
    at.file_uploader(key="upload_file").set_value((name, csv_bytes(text), "text/csv")).run()
    assert not at.exception


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_format_help_and_templates(page):
    labels = [b.label for b in page.get("download_button")]
    assert labels == ["Mall, långt format (CSV)", "Mall, brett format (CSV)", "Mall (Excel)"]
    assert any("Två format fungerar" in m.value for m in page.markdown)


def test_templates_are_valid_uploads(seeded_db):
    from asn_dash.store.setup import open_store
    from asn_dash.uploads import ingest, templates

    s = open_store(seeded_db)
    try:
        for name, data in (("l.csv", templates.long_csv()), ("w.csv", templates.wide_csv()),
                           ("m.xlsx", templates.xlsx())):
            assert ingest.analyse(s, name, data).ok, name
    finally:
        s.close()


def test_errors_are_listed_and_nothing_loads(page, seeded_db):
    before = dump(seeded_db)
    upload(page, "fel.csv", "indikator;period;värde\nokand;2025-03;1\nhushall_ekb;2025-13;2\n")
    assert page.error[0].value.startswith("2 fel i fel\\.csv. Inget har lästs in")  # the name as escaped Markdown
    errors = page.dataframe[0].value
    assert list(errors.columns) == ["Rad", "Kolumn", "Värde", "Fel"]
    assert errors["Rad"].tolist() == [2, 3]
    assert not [b for b in page.button if b.label == "Läs in"]
    assert dump(seeded_db) == before


def test_preview_confirm_commit_and_undo(page, seeded_db):
    before = dump(seeded_db)
    upload(page, "ok.csv", "indikator;period;värde\nhushall_ekb;2025-09;4000\ncai_sjalvforsorjande;2025-09;12\n")
    assert [m.value for m in page.metric] == ["1", "1", "0"]
    changed = page.dataframe[1].value
    assert changed[["Tidigare", "Nytt"]].values.tolist() == [["383", "4\u00a0000"]]
    assert "avviker kraftigt" in page.text[0].value
    assert button(page, "Läs in").disabled
    page.checkbox(key="confirm_warnings").check().run()
    button(page, "Läs in").click().run()
    assert not page.exception
    assert page.success[0].value == "Uppladdning 1 är inläst: 1 nya och 1 ändrade värden."
    log = page.dataframe[-1].value
    assert log.iloc[0][["Nr", "Av", "Fil", "Status"]].tolist() == [1, "demo", "ok.csv", "inläst"]
    button(page, "Ångra uppladdningen").click().run()
    assert page.success[0].value == "Uppladdning 1 är ångrad: 1 värden borttagna, 1 återställda."
    assert dump(seeded_db)["observations"] == before["observations"]


def upload_bytes(at, name, data, mime="text/csv"):
    at.file_uploader(key="upload_file").set_value((name, data, mime)).run()
    assert not at.exception


def test_a_file_over_the_limit_is_refused_with_both_sizes(page, seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_MAX_UPLOAD_MB", "0,001")
    before = dump(seeded_db)
    upload_bytes(page, "stor.csv", csv_bytes("indikator;period;värde\n" + "hushall_ekb;2025-09;399\n" * 60))
    assert "stor.csv: filen är 1,5 kB (1\u00a0525 byte); gränsen är 1,0 kB (1\u00a0048 byte)" in shown(page.error[0].value)
    assert dump(seeded_db) == before


def test_a_bad_size_setting_is_shown_as_a_configuration_error(page, monkeypatch):
    monkeypatch.setenv("ASN_MAX_UPLOAD_MB", "tjugo")
    upload(page, "ok.csv", "indikator;period;värde\nhushall_ekb;2025-09;399\n")
    assert "Inställningen ASN_MAX_UPLOAD_MB är ogiltig ('tjugo')" in shown(page.error[0].value)


def test_a_binary_file_is_neither_csv_nor_excel(page, seeded_db):
    before = dump(seeded_db)
    upload_bytes(page, "data.csv", b"\x1f\x8b\x08\x00" + bytes(range(200)))
    assert "data.csv: filen är varken CSV eller Excel" in shown(page.error[0].value)
    assert not [b for b in page.button if b.label == "Läs in"]
    assert dump(seeded_db) == before


def test_the_error_list_stops_at_200_and_says_how_many_more(page):
    rows = "".join(f"hushall_ekb;2024-{m % 12 + 1:02d};x{m}\n" for m in range(250))
    upload(page, "many.csv", "indikator;period;värde\n" + rows)
    assert page.error[0].value.startswith("250 fel i many\\.csv")
    assert len(page.dataframe[0].value) == 200
    assert any(c.value == "Visar de första 200 av 250 fel (50 till)." for c in page.caption)


def test_an_excel_percent_cell_is_previewed_as_percent_from_the_sheet_read(page):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "Mars"
    ws.append(["indikator", "enhet", "period", "värde"])
    ws.append(["sjukfranvaro", "Vuxenenheten", "2025-09", 0.0569])
    ws["D2"].number_format = "0.00%"
    buf = io.BytesIO()
    book.save(buf)
    upload_bytes(page, "andel.xlsx", buf.getvalue(),
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "Läste bladet Mars." in [c.value for c in page.caption]
    shown = pd.concat([d.value for d in page.dataframe[:3]])
    assert shown["Nytt"].tolist() == ["5,69"]


def test_a_file_name_is_never_rendered_as_markdown(page):
    upload(page, "[klicka](http://example.org).csv", "indikator;period;värde\nokand;2025-09;1\n")
    assert "1 fel i \\[klicka\\]\\(http\\:\\/\\/example\\.org\\)\\.csv." in page.error[0].value


def test_the_preview_says_which_administration_totals_change(page):
    upload(page, "enhet.csv", "indikator;enhet;period;värde\nhushall_ekb;Försörjningsstödsenheten;2025-08;444\n")
    assert [h.value for h in page.subheader] == ["Summor för hela förvaltningen"]
    [line] = [t.value for t in page.text if "summan av enhet" in t.value]
    assert line.startswith("Antal hushåll med ekonomiskt bistånd: den lagrade totalen ändras inte – aug 2025: "
                           "summan av enheten är 444")


def test_a_percentage_upload_changes_no_sum(page):
    upload(page, "andel.csv", "indikator;enhet;period;värde\nsjukfranvaro;Vuxenenheten;2025-08;5,5\n")
    assert "Summor för hela förvaltningen" not in [h.value for h in page.subheader]


def test_preview_shows_the_value_kind_when_the_file_has_more_than_utfall(page):
    upload(page, "kinds.csv", "indikator;period;typ;värde\nhushall_ekb;2025-09;prognos;400\n"
                              "hushall_ekb;2025-09;;390\n")
    new = page.dataframe[0].value
    assert new[["Indikator", "Period", "Typ", "Nytt"]].values.tolist() == [["hushall_ekb", "2025-09", "prognos", "400"]]
    changed = page.dataframe[1].value
    assert changed["Typ"].tolist() == ["utfall"]
    upload(page, "plain.csv", "indikator;period;värde\nhushall_ekb;2025-09;390\n")
    assert "Typ" not in page.dataframe[1].value.columns
