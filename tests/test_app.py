"""Page logic through Streamlit's AppTest, against a real seeded DuckDB file."""

import html
import re
import subprocess
import sys
import textwrap
from html.parser import HTMLParser

import pytest

from asn_dash.store.setup import open_store

from .apptest import new_app, shown, sign_in
from .htmltables import links, tables

PAGES = ["pages/oversikt.py", "pages/indikator.py", "pages/ekonomi.py", "pages/jamforelser.py", "pages/presentation.py",
         "pages/ladda_upp.py",
         "pages/om_data.py"]


@pytest.fixture
def app(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    return new_app()


def html_bodies(at) -> list[str]:
    return [h.proto.body for h in at.get("html")]


class _Links(HTMLParser):
    """The in-app links of an HTML fragment, and the "not assessed" groups they are listed in."""

    def __init__(self):
        super().__init__()
        self.links, self.groups, self._into = [], {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.links.append([attrs.get("class"), attrs.get("href"), ""])
            self._into = self.links[-1]
        elif tag == "div" and attrs.get("class") == "asn-cause-name":
            self._into = ["", "", ""]
            self.groups[id(self._into)] = self._into

    def handle_endtag(self, tag):
        if tag == "a" and self._into is not None and self._into[0] == "asn-nav" and self.groups:
            list(self.groups.values())[-1].append(self._into[2])
        if tag in ("a", "div"):
            self._into = None

    def handle_data(self, data):
        if self._into is not None:
            self._into[2] += data


def in_app_links(at) -> dict[str, str]:
    """Indicator name → the address of its in-app link, over all of the page's HTML."""
    out = {}
    for body in html_bodies(at):
        parser = _Links()
        parser.feed(body)
        out.update({text: href for cls, href, text in parser.links if cls == "asn-nav"})
    return out


def area_headings(at) -> list[str]:
    """The målområde headings, in order (each in its målområde's HTML)."""
    heading = r'<h2 id="[^"]*" class="asn-area"[^>]*>([^<]*)</h2>'
    return [html.unescape(h) for b in html_bodies(at) for h in re.findall(heading, b)]


def report_rows(at) -> dict[str, list[str]]:
    """Indicator name → [Utfall, Målnivå, Bedömning, (Prognos helår,) Trend] from every report table on
    the page (the name is the row's in-app link)."""
    rows = {}
    for body in html_bodies(at):
        for table in tables(body):
            if table and table[0][0] == "Indikator":
                rows.update({row[0]: row[1:] for row in table[1:]})
    return rows


def not_assessed(at, area: str) -> dict[str, list[str]]:
    """Cause → the indicators listed under it for one målområde (by name)."""
    body = next(b for b in html_bodies(at) if f"Ej bedömda i {html.escape(area)}:" in b)
    parser = _Links()
    parser.feed(body)
    return {group[2].rsplit(" (", 1)[0]: group[3:] for group in parser.groups.values()}


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
    assert [h.value for h in app.header] == ["Målområden", "Måluppfyllelse per månad"]
    assert area_headings(app) == ["Trygghet", "Hållbarhet", "Ekonomi", "Kvalitet", "Medarbetare"]
    assert any('<h3 class="asn-goal"' in b and "Nämndmål: Nämnden ska verka för att fler ska vara självförsörjande</h3>"
               in b for b in html_bodies(app))
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
    trygghet = not_assessed(app, "Trygghet")
    assert list(trygghet) == ["Förvaltningens bedömning saknas", "Saknar utfall", "Ingen målnivå"]
    assert "Frågor om våld ställs i alla ärenden" in trygghet["Förvaltningens bedömning saknas"]
    assert trygghet["Saknar utfall"] == ["Svarsfrekvens i brukarundersökningar"]
    assert trygghet["Ingen målnivå"] == ["Antal enheter som når sina mål – trygghet (11)"]  # its value shown
    assert sum(len(v) for area in ("Trygghet", "Hållbarhet", "Ekonomi", "Kvalitet", "Medarbetare")
               for v in not_assessed(app, area).values()) == 30  # of 35
    assert any("<strong>Ej bedömda i Trygghet: 7 av 7 indikatorer</strong>" in b for b in html_bodies(app))


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


def test_indicator_links_are_in_app_links_carrying_the_view(app):
    app.query_params["planar"] = "2025"
    app.query_params["period"] = "2025-T2"
    app.run()
    found = in_app_links(app)
    assert found["Antal hushåll med ekonomiskt bistånd"] == "indikator?indikator=hushall_ekb&planar=2025&period=2025-T2"
    assert found["Frågor om våld ställs i alla ärenden"].startswith("indikator?indikator=vald_fragor&")
    # every link of the page's HTML is an in-app one, and the page runs the script that keeps a click
    # in the session (a full reload would lose a local sign-in; tests/e2e/test_ledning.py clicks one)
    assert all(links(b) == [h for h in links(b) if h.startswith("indikator?")] for b in html_bodies(app))
    assert [h.proto.unsafe_allow_javascript for h in app.get("html")].count(True) == 1
    app.selectbox(key="period").set_value("2025-08").run()  # the links follow the period picked on the page
    assert in_app_links(app)["Antal hushåll med ekonomiskt bistånd"] == \
        "indikator?indikator=hushall_ekb&planar=2025&period=2025-08"


def test_an_analytikers_forms_are_drawn_only_when_opened(app):
    app.query_params.update({"planar": "2025", "period": "2025-T2"})
    app.run()
    labels = [e.label for e in app.expander]
    assert "Sätt förvaltningens bedömning för T2 2025: målområdet eller en ej bedömd indikator" in labels
    assert not app.get("form") and not app.radio and not app.text_area  # closed: nothing sent
    app.session_state["asn-forms-ekonomi"] = True  # as a click on the expander does
    app.run()
    assert [r.key for r in app.radio] == ["asn-area-ekonomi-colour", "asn-set-ekonomi-colour"]


def set_bedomning(at, form: str, colour: str, text: str, indicator: str | None = None):
    at.session_state[f"asn-forms-{form.split('-', 2)[2]}"] = True  # open its expander (drawn only then)
    at.run()
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
    assert "Frågor om våld ställs i alla ärenden" not in not_assessed(app, "Trygghet")["Förvaltningens bedömning saknas"]
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
    assert "Motiverade medarbetare hos Sveriges bästa offentliga arbetsgivare" in area_headings(app)
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
