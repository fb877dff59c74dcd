"""Ekonomi page (pages/ekonomi.py) through AppTest on a real seeded store; the figures are 004's
Ekonomisk tabell (tkr) for T2 2025, copied from the report text."""

import pytest

from asn_dash.store.setup import open_store

from .apptest import new_app
from .htmltables import links, tables

PAGE = "pages/ekonomi.py"


@pytest.fixture
def page(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))

    def run(planar: str, period: str):
        at = new_app()
        at.query_params.update({"planar": planar, "period": period})
        at.run()
        at.switch_page(PAGE).run()
        assert not at.exception
        return at

    return run


def economy_tables(at) -> list[list[list[str]]]:
    return [t for h in at.get("html") for t in tables(h.proto.body) if t and t[0][0] == "Verksamhet"]


def test_t2_2025_shows_the_printed_table_with_kinds_as_headers(page):
    at = page("2025", "2025-T2")
    assert at.title[0].value == "Ekonomi per verksamhet"
    # inside app.py's navigation, with the shared sidebar selection
    assert [s.key for s in at.selectbox if s.key in ("planar", "period")] == ["planar", "period"]
    [table] = economy_tables(at)
    assert table[0] == ["Verksamhet", "Utfall jan–aug 2025", "Budget jan–aug 2025", "Avvikelse jan–aug 2025",
                        "Prognos helår", "Budget helår", "Avvikelse mot budget"]
    rows = {r[0]: r[1:] for r in table[1:]}
    assert rows["Nettokostnad avdelning barn och unga"] == ["−137 761", "−86 809", "−50 952", "−192 741",
                                                            "−130 775", "−61 966"]
    assert rows["Nettokostnad ASN"] == ["−272 615", "−202 488", "−70 127", "−358 590", "−303 921", "−54 669"]
    assert rows["Omvärldsbuffert"] == ["—", "—", "—", "24 000", "—", "—"]
    assert "Källa: 004 Tertialrapport T2 2025, Ekonomisk tabell (tkr). Publicerad rapport." in [c.value for c in at.caption]
    # every verksamhet opens its Indikator page in-app (a local sign-in stays), keeping the view
    found = {p.proto.label: p.proto for p in at.get("page_link")}
    vuxen = found["Nettokostnad avdelning vuxen"]
    assert (vuxen.page, vuxen.query_string) == ("indikator", "indikator=nettokostnad_avdelning_vuxen&planar=2025&"
                                                             "period=2025-T2")
    assert not [h for x in at.get("html") for h in links(x.proto.body)], "no <a href>: a reload loses the sign-in"
    assert not [w for w in at.warning if "Exempeldata" in w.value]  # no exempeldata among these figures


def test_a_month_shows_the_tertial_before_it_and_says_so(page):
    at = page("2025", "2025-03")
    assert "utfallet" not in " ".join(i.value for i in at.info)
    assert any("Inget ekonomiskt utfall" in i.value for i in at.info)
    [table] = economy_tables(at)
    assert table[0][1:] == ["Prognos helår", "Budget helår", "Avvikelse mot budget"]  # never an utfall column


def test_a_year_without_published_economy_says_so(page, seeded_db):
    s = open_store(seeded_db)
    with s.writing() as cur:
        cur.execute("DELETE FROM observation_values WHERE period_code // 100 = 2020 AND indicator_key IN "
                    "(SELECT k.key FROM indicator_keys k JOIN indicators i ON i.id = k.id WHERE i.unit = 'tkr')")
    s.close()
    at = page("2020", "2020")
    assert not economy_tables(at)
    assert any("Det finns ingen publicerad eller uppladdad ekonomi för 2020" in i.value for i in at.info)


def test_the_overview_drills_down_to_economy_keeping_year_and_period(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app()
    at.query_params.update({"planar": "2025", "period": "2025-T2"})
    at.run()
    [link] = [p.proto for p in at.get("page_link") if p.proto.label.startswith("Ekonomi per verksamhet")]
    assert (link.page, link.query_string) == ("ekonomi", "planar=2025&period=2025-T2")
    at.switch_page(PAGE).run()
    assert at.title[0].value == "Ekonomi per verksamhet"
