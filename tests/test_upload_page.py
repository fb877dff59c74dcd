"""The Ladda upp page in AppTest: errors, preview, confirmation, commit, undo."""


import pytest

from .apptest import open_page
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
