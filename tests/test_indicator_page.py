"""The Indikator page in AppTest: linkable views, the chart, comments and overrides."""

import json

import pytest

from asn_dash.store.setup import open_store

from .apptest import new_app, shown


@pytest.fixture
def page(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app()

    def open_(indikator, planar="2025", period="2025-T2"):
        at.query_params.update({"indikator": indikator, "planar": planar, "period": period})
        at.run()
        at.switch_page("pages/indikator.py").run()
        assert not at.exception
        return at
    return open_


def button(at, label):
    return next(b for b in at.button if b.label == label)


def figure(at, n=0):
    return json.loads(at.get("plotly_chart")[n].proto.spec)


def test_query_parameters_open_the_indicator(page):
    at = page("hushall_ekb")
    assert at.title[0].value == "Antal hushåll med ekonomiskt bistånd"
    assert at.selectbox(key="indikator").value == "hushall_ekb"
    assert any(m.value.startswith("389 jan–aug 2025 mot 374 samma period 2024") for m in at.markdown)
    assert at.query_params["indikator"] == "hushall_ekb"


def test_chart_has_this_year_last_year_and_the_baseline(page):
    fig = figure(page("hushall_ekb"))
    names = [t["name"] for t in fig["data"]]
    assert names[:2] == ["Utfall 2025", "Samma månader 2024"]
    assert names[2:] == ["Prognos 2025, övre gräns", "80 % intervall", "Prognos 2025"]  # tests/test_forecast.py
    assert len(fig["data"][0]["x"]) == 8  # jan–aug for T2
    shapes = fig["layout"]["shapes"]
    assert shapes[0]["y0"] == 374
    assert "Jämförelse: 374 (jan–aug 2024)" in [a["text"] for a in fig["layout"]["annotations"]]
    assert fig["layout"]["separators"] == ", "
    assert "circle-open" in fig["data"][0]["marker"]["symbol"]  # exempeldata points


def test_r12_line_and_per_unit_breakdown_for_sick_leave(page):
    at = page("sjukfranvaro")
    fig = figure(at, 0)
    assert "Rullande 12 månader (R12)" in [t["name"] for t in fig["data"]]
    units = figure(at, 1)
    assert len(units["data"]) == 10  # the ten units with their own series


def test_placements_show_the_budgeted_volume(page):
    at = page("plac_hvb_unga", planar="2019", period="2019-T1")
    fig = figure(at)
    assert [s["y0"] for s in fig["layout"]["shapes"]] == [7, 7]  # målnivå högst 7 and budget 7/month
    assert any("4\u00a0613\u00a0kr/dygn" in c.value for c in at.caption)


def test_changing_indicator_updates_the_url(page):
    at = page("hushall_ekb")
    at.selectbox(key="indikator").set_value("barnfamiljer_ekb").run()
    assert at.query_params["indikator"] == "barnfamiljer_ekb"
    assert at.title[0].value == "Antal barnfamiljer med ekonomiskt bistånd"


def test_comments_are_listed_and_can_be_written(page, seeded_db):
    at = page("hushall_ekb")
    assert any("Kommentar (2025-08-31)" in m.value for m in at.markdown)
    button(at, "Spara kommentar").click().run()
    assert shown(at.error[0].value) == "Kommentaren saknas."
    at.text_area[0].input("Ökningen följer av fler nyanlända hushåll i juni.")
    button(at, "Spara kommentar").click().run()
    assert not at.exception
    assert any("Demoanvändare" in m.value for m in at.markdown)
    assert any("Ökningen följer av fler nyanlända" in t.value for t in at.text)


def test_override_needs_a_comment_and_is_shown_as_such(page, seeded_db):
    at = page("hushall_ekb")
    at.radio(key="override_colour").set_value("Gul")
    button(at, "Spara ändrad bedömning").click().run()
    assert "minst 10 tecken" in at.error[0].value
    at.text_area(key="override_comment").input("Engångshändelse: ett stort ärende i juni.")
    button(at, "Spara ändrad bedömning").click().run()
    assert not at.exception
    assert "(ändrad av analytiker)" in at.get("html")[0].proto.body
    assert any(m.value.startswith("Ändrad till Gul av Demoanvändare") for m in at.markdown)
    at.switch_page("pages/oversikt.py").run()
    assert any("(ändrad)" in h.proto.body for h in at.get("html"))


def test_status_text_is_rendered_as_text(page, seeded_db):
    s = open_store(seeded_db)
    s.con.execute("UPDATE comments SET text = '<script>alert(1)</script> **fet**' WHERE indicator_id = 'hushall_ekb'")
    s.close()
    at = page("hushall_ekb")
    assert any(t.value == "<script>alert(1)</script> **fet**" for t in at.text)


def test_kolada_indicator_shows_tyreso_against_riket_over_years(page):
    at = page("U31402", planar="2021", period="2021")
    names = [t["name"] for t in figure(at)["data"]]
    assert names == ["Tyresö", "Stockholms län (medel)"]  # Kolada has no riket value for U31402
    assert any("Källa: Kolada" in c.value for c in at.caption)


def test_kpi_that_left_kolada_says_so(page):
    at = page("U33400", planar="2019", period="2019-T1")
    assert any("finns inte längre i Kolada" in i.value for i in at.info)
    assert not at.get("plotly_chart")
