"""Page logic through Streamlit's AppTest, against a real seeded DuckDB file."""

import html
import re
import subprocess
import sys
import textwrap

import pytest

from asn_dash.store.setup import open_store

from .apptest import new_app, shown, sign_in
from .htmltables import links, tables

PAGES = ["pages/oversikt.py", "pages/indikator.py", "pages/ekonomi.py", "pages/jamforelser.py", "pages/presentation.py", "pages/ladda_upp.py",
         "pages/om_data.py"]


@pytest.fixture
def app(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    return new_app()


def html_bodies(at) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def blocks(node):
    """Every container of the page, in order."""
    for child in getattr(node, "children", {}).values():
        if type(child).__name__ == "Block":
            yield child
            yield from blocks(child)


def keyed(at, prefix: str) -> list:
    """The containers whose key starts with ``prefix`` (Streamlit ends a keyed block's id with its key)."""
    return [b for b in blocks(at.main) if f"-{prefix}" in getattr(b.proto, "id", "")]


def report_rows(at) -> dict[str, list[str]]:
    """Indicator name → [Utfall, Målnivå, Bedömning, (Prognos helår,) Trend] from every report table row on
    the page: the name is the row's in-app link, the rest one table row."""
    rows = {}
    for row in keyed(at, "asn-row-"):
        [[cells]] = tables(row.get("html")[0].proto.body)
        rows[shown(row.get("page_link")[0].proto.label)] = cells
    return rows


def not_assessed(at, area_id: str) -> dict[str, list[str]]:
    """Cause → the indicators listed under it for one målområde."""
    groups = {}
    for group in keyed(at, f"asn-cause-{area_id}-"):
        cause = group.get("caption")[0].value.rsplit(" (", 1)[0]
        groups[cause] = [shown(link.proto.label) for link in group.get("page_link")]
    return groups


def cards(at) -> dict[str, str]:
    """Målområde → the text of its card."""
    body = next(b for b in html_bodies(at) if 'class="asn-cards"' in b)
    out = {}
    for card in body.split('<div class="asn-card"')[1:]:
        text = " ".join(re.sub(r"<[^>]+>", " ", "<div " + card).split())
        out[re.search(r'aria-label="([^"]+)"', card)[1]] = html.unescape(text)
    return out


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
    assert set(report_rows(app)) == {  # only the assessed ones; the rest are grouped by cause
        "Antal hushåll med ekonomiskt bistånd", "Antal barnfamiljer med ekonomiskt bistånd",
        "Antal hushåll med försörjningsstöd i mer än 10 månader", "Sjukfrånvaro (R12)", "Personalomsättning (extern)"}


def cards_for(at, year: str, period: str) -> dict[str, str]:
    at.selectbox(key="planar").set_value(int(year)).run()
    at.selectbox(key="period").set_value(period).run()
    return cards(at)


def test_cards_show_the_official_verdict_with_the_computed_one_beside_it(app):
    app.query_params["planar"] = "2025"
    app.query_params["period"] = "2025-T2"
    app.run()
    shown_cards = cards(app)
    assert list(shown_cards) == ["Trygghet", "Hållbarhet", "Ekonomi", "Kvalitet", "Medarbetare"]
    shown_verdicts = [text.removeprefix(name).split()[1] for name, text in shown_cards.items()]
    assert shown_verdicts == ["Grön", "Grön", "Röd", "Grön", "Grön"]  # as 004 prints them
    hallbarhet = shown_cards["Hållbarhet"]
    assert "Förvaltningens bedömning · 004 Tertialrapport T2 2025" in hallbarhet
    assert "≠ Skiljer sig från beräkningen Beräknad: ▲ Gul – 1 av 3 bedömda indikatorer röd, 2 gröna" in hallbarhet
    assert "Förvaltningen prognostiserar ett betydande underskott" in shown_cards["Ekonomi"]  # why Ekonomi is red
    assert "Beräknad: – Ej bedömd – ingen av 4 indikatorer är bedömd" in shown_cards["Ekonomi"]
    assert "≠" not in cards_for(app, "2021", "2021")["Kvalitetsförbättringar skapar vi tillsammans, hela tiden"]
    assert "Beräknad: – Ej bedömd – ingen av 7 indikatorer är bedömd" in shown_cards["Trygghet"]
    assert "≠" not in shown_cards["Trygghet"]  # the rule gives no colour to differ from
    assert "Rapportens bedömning" not in hallbarhet and "Ej bedömd" not in hallbarhet.split("Beräknad")[0]


def test_what_is_not_assessed_is_grouped_by_cause_with_links(app):
    app.query_params["planar"] = "2025"
    app.query_params["period"] = "2025-T2"
    app.run()
    trygghet = not_assessed(app, "trygghet")
    assert list(trygghet) == ["Förvaltningens bedömning saknas", "Saknar utfall", "Ingen målnivå"]
    assert "Frågor om våld ställs i alla ärenden" in trygghet["Förvaltningens bedömning saknas"]
    assert trygghet["Saknar utfall"] == ["Svarsfrekvens i brukarundersökningar"]
    assert trygghet["Ingen målnivå"] == ["Antal enheter som når sina mål – trygghet (11)"]  # its value shown
    assert sum(len(v) for area in ("trygghet", "hallbarhet", "ekonomi", "kvalitet", "medarbetare")
               for v in not_assessed(app, area).values()) == 30  # of 35
    assert any(m.value.startswith("**Ej bedömda i Trygghet: 7 av 7 indikatorer") for m in app.markdown)


def test_grid_and_cards_for_2021_are_the_reports(app, seeded_db):
    app.query_params["planar"] = "2021"
    app.query_params["period"] = "2021"
    app.run()
    grid = next(t for b in html_bodies(app) for t in tables(b) if t[0][0] == "Målområde")
    assert grid[0][1:] == ["Jan", "Feb", "Mar", "Apr", "Maj", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dec"]
    ekonomi = next(row for row in grid if row[0].startswith("Hållbar ekonomi"))
    # 001 "Måluppfyllelse/månad", målområde 4
    assert [cell.split()[-1] for cell in ekonomi[1:]] == ["Grön", "Gul"] + ["Röd"] * 7 + ["Gul"] * 3
    assert "*" not in str(grid)  # every month is the report's own
    assert all("Förvaltningens bedömning · 001 Verksamhetsberättelse 2021" in c for c in cards(app).values())


def test_indicator_links_are_in_app_page_links_carrying_the_view(app):
    app.query_params["planar"] = "2025"
    app.query_params["period"] = "2025-T2"
    app.run()
    found = {shown(p.proto.label): p.proto for p in app.get("page_link")}
    link = found["Antal hushåll med ekonomiskt bistånd"]
    assert (link.page, link.query_string) == ("indikator", "indikator=hushall_ekb&planar=2025&period=2025-T2")
    assert found["Frågor om våld ställs i alla ärenden"].query_string.startswith("indikator=vald_fragor&")
    assert not [h for b in html_bodies(app) for h in links(b)], "no <a href>: a full reload would lose a local sign-in"
    app.selectbox(key="period").set_value("2025-08").run()  # the links follow the period picked on the page
    found = {shown(p.proto.label): p.proto for p in app.get("page_link")}
    assert found["Antal hushåll med ekonomiskt bistånd"].query_string == \
        "indikator=hushall_ekb&planar=2025&period=2025-08"


def set_bedomning(at, form: str, colour: str, text: str, indicator: str | None = None):
    if indicator:
        at.selectbox(key=f"{form}-indikator").set_value(indicator)
    at.radio(key=f"{form}-colour").set_value(colour)
    at.text_area(key=f"{form}-text").input(text)
    at.button(key=f"{form}-save").click().run()
    assert not at.exception
    return at


def test_an_analytiker_sets_a_missing_bedomning_in_one_step_from_the_overview(app, seeded_db):
    app.query_params["planar"] = "2025"
    app.query_params["period"] = "2025-T2"
    app.run()
    set_bedomning(app, "asn-set-trygghet", "Grön", "Frågor om våld ställs i alla nya ärenden sedan maj.",
                  indicator="vald_fragor")
    assert app.success[0].value == "Bedömningen av indikatorn för T2 2025 är sparad."
    row = report_rows(app)["Frågor om våld ställs i alla ärenden"]
    assert row[2].startswith("✔ Grön Förvaltningens bedömning · Demoanvändare (demo) ")
    assert row[2].endswith(": Frågor om våld ställs i alla nya ärenden sedan maj.")
    assert "Frågor om våld ställs i alla ärenden" not in not_assessed(app, "trygghet")["Förvaltningens bedömning saknas"]
    assert "Grön 1" in cards(app)["Trygghet"].replace("✔ ", "")
    s = open_store(seeded_db)
    try:
        assert s.query("SELECT level, target_id, period, colour, author FROM verdicts WHERE origin = 'analytiker'"
                       ).values.tolist() == [["indikator", "vald_fragor", "2025-T2", "Grön", "demo"]]
    finally:
        s.close()


def test_an_analytiker_changes_a_malomrades_verdict_and_text(app):
    app.query_params["planar"] = "2025"
    app.query_params["period"] = "2025-T2"
    app.run()
    set_bedomning(app, "asn-area-ekonomi", "Röd", "Underskottet ökar trots åtgärder.\nPrognosen är −25 mnkr.")
    ekonomi = cards(app)["Ekonomi"]
    assert ekonomi.startswith("Ekonomi ✖ Röd Förvaltningens bedömning · Demoanvändare (demo) ")
    assert "Underskottet ökar trots åtgärder." in ekonomi
    block = next(b for b in html_bodies(app) if 'class="asn-verdict"' in b and "Underskottet" in b)
    assert "Prognosen är −25 mnkr." in html.unescape(block)  # the whole text under the heading
    app.button(key="asn-withdraw-ekonomi").click().run()  # withdrawn: the report's verdict counts again
    assert app.success[0].value == "Bedömningen av målområdet för T2 2025 är återtagen."
    assert cards(app)["Ekonomi"].startswith("Ekonomi ✖ Röd Förvaltningens bedömning · 004 Tertialrapport T2 2025")
    assert not [b for b in app.button if b.key == "asn-withdraw-ekonomi"]


def test_a_lasare_sees_the_verdicts_but_no_form(seeded_db, tmp_path, monkeypatch):
    from asn_dash import auth

    users = tmp_path / "users.toml"
    auth.add_user(users, "lisa", "Lisa Läsare", "läsare", "lasare-losen-1")
    monkeypatch.setenv("ASN_USERS", str(users))
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app()
    at.query_params.update({"planar": "2025", "period": "2025-T2"})
    sign_in(at, "lisa", "lasare-losen-1")
    assert at.title[0].value == "Översikt"
    assert list(cards(at)) == ["Trygghet", "Hållbarhet", "Ekonomi", "Kvalitet", "Medarbetare"]
    assert not at.get("form") and not at.radio and not at.text_area
    assert not any("bedömning" in e.label for e in at.expander)


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


def test_the_default_view_is_the_latest_reported_period(app):
    app.run()
    assert (app.selectbox(key="planar").value, app.selectbox(key="period").value) == (2025, "2025-T2")
    assert app.query_params["period"] == "2025-T2"  # not helår 2025, which only exempeldata reaches
    app.selectbox(key="planar").set_value(2021).run()
    assert app.selectbox(key="period").value == "2021"  # a plan year opens on its own latest reported period


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
