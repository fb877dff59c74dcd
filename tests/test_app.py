"""Page logic through Streamlit's AppTest, against a real seeded DuckDB file."""

import subprocess
import sys
import textwrap

import pytest

from .apptest import new_app, shown
from .htmltables import links, tables

PAGES = ["pages/oversikt.py", "pages/indikator.py", "pages/jamforelser.py", "pages/presentation.py", "pages/ladda_upp.py",
         "pages/om_data.py"]


@pytest.fixture
def app(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    return new_app()


def html_bodies(at) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def report_rows(at) -> dict[str, list[str]]:
    """Indicator name → [Utfall, Målnivå, Bedömning, (Prognos helår,) Trend] from every report table on the page."""
    rows = {}
    for body in html_bodies(at):
        for table in tables(body):
            if table and table[0][:2] == ["Indikator", "Utfall"]:
                rows.update({row[0]: row[1:] for row in table[1:]})
    return rows


def test_every_page_renders_without_exception(app):
    app.run()
    assert not app.exception
    for page in PAGES:
        app.switch_page(page).run()
        assert not app.exception, page
        # the page ran inside app.py's navigation: the shared sidebar is there
        assert [s.key for s in app.selectbox if s.key in ("planar", "period")] == ["planar", "period"], page


def test_overview_report_table_for_t2_2025(app):
    app.query_params["planar"] = "2025"
    app.query_params["period"] = "2025-T2"
    app.run()
    assert app.title[0].value == "Översikt"
    assert [h.value for h in app.header][2:] == ["Trygghet", "Hållbarhet", "Ekonomi", "Kvalitet", "Medarbetare"]
    assert "Nämndmål: Nämnden ska verka för att fler ska vara självförsörjande" in [s.value for s in app.subheader]
    value, target, assessment, forecast, trend = report_rows(app)["Antal hushåll med ekonomiskt bistånd"]
    assert (value, target, trend) == ("389", "minska jämfört med 2024", "↑ sämre")
    assert forecast == "Prognos: ✖ nås troligen inte (⚠ Exempeldata)"  # Prognos helår, tests/test_forecast.py
    assert assessment.startswith("✖ Röd 389 jan–aug 2025 mot 374 samma period 2024")
    assert report_rows(app)["Sjukfrånvaro (R12)"][0] == "5,69 %"  # whitespace normalised
    assert report_rows(app)["Frågor om våld ställs i alla ärenden"][2].startswith("– Ej bedömd")


def test_overview_grid_and_cards_for_2021_match_the_report(app, seeded_db):
    app.query_params["planar"] = "2021"
    app.query_params["period"] = "2021"
    app.run()
    grid = next(t for b in html_bodies(app) for t in tables(b) if t[0][0] == "Målområde")
    assert grid[0][1:] == ["Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec"]
    ekonomi = next(row for row in grid if row[0].startswith("Hållbar ekonomi"))
    # 001 "Måluppfyllelse/månad", målområde 4
    assert [cell.split()[-1] for cell in ekonomi[1:]] == ["Grön", "Gul"] + ["Röd"] * 7 + ["Gul"] * 3
    cards = html_bodies(app)[0]
    assert "Rapportens bedömning" in cards and "✔ Grön" in cards


def test_indicator_links_carry_the_view(app):
    app.query_params["planar"] = "2025"
    app.query_params["period"] = "2025-T2"
    app.run()
    hrefs = [h for b in html_bodies(app) for h in links(b)]
    assert "indikator?indikator=hushall_ekb&planar=2025&period=2025-T2" in hrefs


def test_demo_values_are_marked(app):
    app.query_params["planar"] = "2025"
    app.query_params["period"] = "2025-10"
    app.run()
    assert report_rows(app)["Antal hushåll med ekonomiskt bistånd"][0].endswith("(⚠ exempeldata)")
    assert any("påhittade demovärden" in i.value for i in app.info)


def test_plan_year_and_period_round_trip_through_the_url(app):
    app.query_params["planar"] = "2021"
    app.query_params["period"] = "2021-T1"
    app.run()
    assert app.selectbox(key="planar").value == 2021
    assert app.selectbox(key="period").value == "2021-T1"
    assert "Motiverade medarbetare hos Sveriges bästa offentliga arbetsgivare" in [h.value for h in app.header]
    app.selectbox(key="period").set_value("2021-03").run()
    assert not app.exception
    assert app.query_params["period"] == "2021-03"
    app.selectbox(key="planar").set_value(2024).run()
    assert app.query_params["planar"] == "2024"
    assert app.selectbox(key="period").value.startswith("2024")
    assert app.query_params["period"] == app.selectbox(key="period").value


def test_unknown_url_values_fall_back_to_newest(app):
    app.query_params["planar"] = "1999"
    app.query_params["period"] = "nonsense"
    app.run()
    assert not app.exception
    assert app.selectbox(key="planar").value == 2025


def test_broken_catalogue_shows_a_message_not_a_traceback(tmp_path, monkeypatch, catalogue_copy):
    path = catalogue_copy / "indicators.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("unit: procent", "unit: procentenheter", 1),
                    encoding="utf-8")
    monkeypatch.setenv("ASN_CATALOGUE", str(catalogue_copy))
    monkeypatch.setenv("ASN_DB", str(tmp_path / "new.duckdb"))
    at = new_app().run()
    assert not at.exception
    assert "Katalogfilen" in shown(at.error[0].value) and "indicators.yaml" in shown(at.error[0].value)
    assert "ogiltigt värde 'procentenheter'" in shown(at.error[0].value)
    assert not (tmp_path / "new.duckdb").exists()


def test_locked_store_shows_a_message(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys
            con = duckdb.connect({str(seeded_db)!r})
            print("ready", flush=True)
            sys.stdin.read()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        at = new_app().run()
        assert not at.exception
        assert "används av en annan process" in at.error[0].value
        assert at.button[0].label == "Försök igen"
    finally:
        holder.communicate("", timeout=30)


def test_unwritable_store_path_shows_a_message(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("ASN_DB", str(blocker / "asn.duckdb"))
    at = new_app().run()
    assert not at.exception
    assert "kan inte skapas eller skrivas" in at.error[0].value
