"""The Indikator page in AppTest: linkable views, the chart, comments and overrides."""

import json

import pytest

from asn_dash import cli
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


def opened(at, expander: str):
    """Open one of the page's expanders as a click does: its form is drawn only then."""
    at.session_state[expander] = True
    at.run()
    assert not at.exception
    return at


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
    units = figure(at, 2)  # after this year's chart and the multi-year one
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
    assert not at.text_area  # the form is drawn only in the opened expander
    opened(at, "indikator-comment-open")
    button(at, "Spara kommentar").click().run()
    assert shown(at.error[0].value) == "Kommentaren saknas."
    at.text_area[0].input("Ökningen följer av fler nyanlända hushåll i juni.")
    button(at, "Spara kommentar").click().run()
    assert not at.exception
    assert any("Demoanvändare" in m.value for m in at.markdown)
    assert any("Ökningen följer av fler nyanlända" in t.value for t in at.text)


def test_override_needs_a_comment_and_is_shown_beside_the_computed_one(page, seeded_db):
    at = opened(page("hushall_ekb"), "indikator-verdict-open")
    at.radio(key="verdict_colour").set_value("Gul")
    button(at, "Spara bedömning").click().run()
    assert "minst 10 synliga tecken" in at.error[0].value
    at.text_area(key="verdict_text").input("Engångshändelse: ett stort ärende i juni.")
    button(at, "Spara bedömning").click().run()
    assert not at.exception
    assert "✔" not in at.get("html")[0].proto.body and "(förvaltningens bedömning)" in at.get("html")[0].proto.body
    reason = next(m.value for m in at.markdown if m.value.startswith("Förvaltningens bedömning"))
    assert shown(reason).startswith("Förvaltningens bedömning (Demoanvändare (demo) ")
    assert shown(reason).endswith("Engångshändelse: ett stort ärende i juni. Beräknad: Röd – 389 jan–aug 2025 mot "
                                  "374 samma period 2024, +4\u00a0%; målet är minskning → Röd")
    history = at.dataframe[-1].value
    assert history[["Bedömning", "Status"]].values.tolist() == [["Gul", "gäller"]]
    button(at, "Återta bedömningen").click().run()
    assert at.get("html")[0].proto.body.count("Röd") == 1 and "(förvaltningens bedömning)" not in at.get("html")[0].proto.body
    assert at.dataframe[-1].value["Status"].str.startswith("återtagen av Demoanvändare").all()


def test_a_manuell_indicator_gets_the_forvaltnings_bedomning(page):
    at = page("vald_fragor")
    assert "Förvaltningens bedömning för T2 2025 saknas ännu." in [shown(m.value) for m in at.markdown]
    opened(at, "indikator-verdict-open")
    at.radio(key="verdict_colour").set_value("Grön")
    at.text_area(key="verdict_text").input("Ställs i alla ärenden.")
    button(at, "Spara bedömning").click().run()
    assert shown(next(m.value for m in at.markdown if m.value.startswith("Förvaltningens"))).endswith(
        ": Ställs i alla ärenden.")


def test_an_unknown_indicator_says_so_instead_of_showing_another(page):
    at = page("finns_inte")
    assert shown(at.main.warning[0].value) == "Indikatorn 'finns_inte' finns inte i katalogen. Välj en indikator i listan."
    assert at.selectbox(key="indikator").value is None and not at.main.title
    at.selectbox(key="indikator").set_value("sjukfranvaro").run()
    assert at.main.title[0].value == "Sjukfrånvaro (R12)" and not at.main.warning
    assert at.query_params["indikator"] == "sjukfranvaro"


def test_every_catalogue_indicator_is_reachable_grouped_plan_and_verksamhetsmatt(page, seeded_db):
    at = page("hushall_ekb")
    box = at.selectbox(key="indikator")
    s = open_store(seeded_db)
    try:
        catalogue = set(s.query("SELECT id FROM indicators")["id"])
        plan = s.query("SELECT DISTINCT indicator_id FROM plan_indicators WHERE plan_year = 2025")["indicator_id"]
    finally:
        s.close()
    assert set(box.options) == {box.format_func(i) for i in catalogue}
    groups = [o.split(" › ")[0] for o in box.options]
    assert groups == ["Planens indikatorer"] * len(set(plan)) + ["Verksamhetsmått"] * (len(catalogue) - len(set(plan)))
    assert "Verksamhetsmått › Placeringar HVB 13–20 år (antal)" in box.options or any(
        o.startswith("Verksamhetsmått › ") and "HVB" in o for o in box.options)
    box.set_value("plac_hvb_unga").run()
    assert not at.exception
    assert "ingår inte i planen för 2025; den visas som verksamhetsmått" in at.info[0].value
    assert not at.radio  # no target, no bedömning


def test_changing_plan_year_keeps_the_indicator_or_says_it_is_not_in_that_plan(page):
    at = page("sjukfranvaro")
    at.selectbox(key="planar").set_value(2024).run()
    assert at.selectbox(key="indikator").value == "sjukfranvaro" and at.title[0].value == "Sjukfrånvaro (R12)"
    assert not any("ingår inte i planen" in i.value for i in at.info)
    at = page("hushall_ekb")
    at.selectbox(key="planar").set_value(2021).run()
    assert at.selectbox(key="indikator").value == "hushall_ekb"
    assert any("ingår inte i planen för 2021; den visas som verksamhetsmått" in i.value for i in at.info)
    assert at.title[0].value == "Antal hushåll med ekonomiskt bistånd"
    assert at.query_params["indikator"] == "hushall_ekb" and at.query_params["planar"] == "2021"


def test_every_stored_year_as_a_multi_year_line_with_a_note_that_the_axis_does_not_start_at_zero(page):
    at = page("hushall_ekb")
    assert [t.label for t in at.tabs] == ["2025 mot 2024", "Alla år 2019–2025"]
    history = figure(at, 1)
    [line] = history["data"]
    assert line["name"] == "Månadsvärde"
    assert (line["x"][0], line["x"][-1], len(line["x"])) == ("jan 2019", "aug 2025", 80)
    axis = history["layout"]["yaxis"]
    assert axis["title"]["text"] == "Axeln börjar inte på noll" and axis["range"][0] > 0
    assert axis["tickformat"] == ",d" and axis["dtick"] == int(axis["dtick"]) >= 1  # whole households
    assert history["layout"]["xaxis"]["ticktext"] == [str(y) for y in range(2019, 2026)]
    years = at.dataframe[0].value
    assert years[["År", "Värde"]].values.tolist()[-2:] == [["2024", "374"], ["2025", "389"]]


def test_r12_over_the_years_with_the_published_figures(page):
    history = figure(page("sjukfranvaro"), 1)
    names = [t["name"] for t in history["data"]]
    assert names == ["Månadsvärde", "Rullande 12 månader (R12)", "Per tertial och år (publicerat)"]
    published = dict(zip(history["data"][2]["x"], history["data"][2]["y"]))
    assert published == {"aug 2024": 7.35, "aug 2025": 5.69}
    assert history["layout"]["yaxis"].get("tickformat") is None  # percentages keep their decimals


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
    [chart] = at.get("plotly_chart")  # only the years the reports printed, no Kolada chart
    assert [t["name"] for t in json.loads(chart.proto.spec)["data"]] == ["Per tertial och år (publicerat)"]



def test_units_that_do_not_add_up_to_the_stored_total_are_flagged(page, seeded_db):
    """Issue 13, units and totals: an upload for one unit is shown beside the published total."""
    at = page("hushall_ekb", period="2025-08")
    assert not [w for w in at.warning if "summerar inte" in w.value]  # seeded: the one unit equals the total
    upload = seeded_db.parent / "enhet.csv"  # an upload for the unit only, through the real ingest
    upload.write_text("indikator;enhet;period;värde\nhushall_ekb;Försörjningsstödsenheten;2025-08;444\n",
                      encoding="utf-8")
    assert cli.main(["ingest", str(upload), "--db", str(seeded_db), "--user", "anna", "--accept-warnings"]) == 0
    at = page("hushall_ekb", period="2025-08")
    [warning] = [shown(w.value) for w in at.warning if "summerar inte" in w.value]
    assert warning.endswith("- aug 2025: summan av enheten är 444, förvaltningens lagrade total 373 (+71)")
