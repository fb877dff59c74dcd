"""Smoke test in a real browser: the app starts on an empty store and shows seeded data."""

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, StreamlitServer, screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def test_oversikt_shows_seeded_data_on_first_start(server, page):
    assert not server.db.exists()
    page.goto(f"{server.url}/?planar=2025&period=2025-T2")
    wait_for_app(page, "Översikt")
    assert server.db.exists(), "the store is created and seeded on first start"
    body = page.locator("[data-testid='stMain']")
    expect(body.get_by_role("heading", name="Hållbarhet")).to_be_visible(timeout=30_000)
    row = body.locator("tr", has_text="Antal hushåll med ekonomiskt bistånd")
    expect(row).to_contain_text("389", timeout=30_000)
    assert "✖ Röd" in row.inner_text()
    assert "mot 374 samma period 2024" in row.inner_text()
    assert page.get_by_role("combobox", name="Planår").input_value() == "2025"
    assert page.get_by_role("combobox", name="Period").input_value() == "T2 2025"
    assert "Traceback" not in page.content()
    screenshot(page, "oversikt")


def test_clicking_an_indicator_opens_its_page(server, page):
    page.goto(f"{server.url}/?planar=2025&period=2025-T2")
    wait_for_app(page, "Översikt")
    page.get_by_role("link", name="Antal hushåll med ekonomiskt bistånd").click()
    wait_for_app(page, "Antal hushåll med ekonomiskt bistånd")
    assert "indikator=hushall_ekb" in page.url
    page.locator(".js-plotly-plot").first.wait_for()
    assert page.get_by_role("combobox", name="Period").input_value() == "T2 2025"
    screenshot(page, "indikator")


def test_changing_period_updates_url_and_table(server, page):
    page.goto(f"{server.url}/?planar=2025&period=2025-T2")
    wait_for_app(page, "Översikt")
    page.get_by_role("combobox", name="Period").click()
    page.get_by_role("option", name="Mar 2025").click()
    page.wait_for_url("**period=2025-03**")
    wait_for_app(page, "Översikt")
    row = page.locator("[data-testid='stMain'] tr", has_text="Antal hushåll med ekonomiskt bistånd")
    expect(row).to_contain_text("mar 2025", timeout=30_000)  # the rerun replaces the table
    assert "(⚠ exempeldata)" in row.inner_text()


def test_deep_link_as_first_request_runs_inside_the_app(tmp_path, browser):
    srv = StreamlitServer(tmp_path / "asn.duckdb").start()
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        pg.goto(f"{srv.url}/om_data?planar=2021")
        wait_for_app(pg, "Om data")
        assert pg.get_by_role("combobox", name="Planår").input_value() == "2021"
        assert "Lagrade värden per källa" in pg.locator("[data-testid='stMain']").inner_text()
        context.close()
    finally:
        srv.stop()


def test_cli_ingest_while_the_app_is_open(server, page, tmp_path):
    """The app holds the store only during a run, so an analyst's CLI ingest gets in between clicks."""
    import subprocess
    import sys

    page.goto(f"{server.url}/indikator?indikator=hushall_ekb&planar=2025&period=2025-09")
    wait_for_app(page, "Antal hushåll med ekonomiskt bistånd")
    upload = tmp_path / "sep.csv"
    upload.write_text("indikator;period;värde\nhushall_ekb;2025-09;377\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "asn_dash", "ingest", str(upload), "--db", str(server.db),
                             "--user", "e2e"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    page.reload()
    wait_for_app(page, "Antal hushåll med ekonomiskt bistånd")
    expect(page.locator("[data-testid='stMain']")).to_contain_text("Uppladdad", timeout=30_000)


def test_html_in_a_comment_is_shown_as_text(server, page):
    """User text never becomes markup: script and event handlers in a comment stay inert."""
    from asn_dash.store.store import connect, while_locked

    page.goto(f"{server.url}/?planar=2025&period=2025-T2")
    wait_for_app(page, "Översikt")  # the store exists
    con = while_locked(lambda: connect(server.db), wait=60)  # until no run of the app holds it
    con.execute("INSERT INTO comments (indicator_id, period, author, written_on, text) VALUES "
                "('barnfamiljer_ekb', '2025-T2', '<b>Mallory</b>](javascript:alert(1))', current_date, "
                "'<img src=x onerror=\"document.title=''XSS''\"><script>window.__xss = 1</script>')")
    con.close()
    page.goto(f"{server.url}/indikator?indikator=barnfamiljer_ekb&planar=2025&period=2025-T2")
    wait_for_app(page, "Antal barnfamiljer med ekonomiskt bistånd")
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("<script>window.__xss = 1</script>", timeout=30_000)
    expect(main).to_contain_text("<b>Mallory</b>")
    assert page.evaluate("() => window.__xss") is None
    assert page.title() != "XSS"
    assert main.locator("img[src='x']").count() == 0


def test_sign_in_in_a_real_browser(tmp_path, browser):
    """Signed out: only the sign-in, no page list; signed in: the role's pages."""
    from asn_dash import auth

    users = tmp_path / "users.toml"
    auth.add_user(users, "lisa", "Lisa Läsare", "läsare", "lasare-losen-1")
    srv = StreamlitServer(tmp_path / "asn.duckdb", env={"ASN_USERS": str(users)}).start()
    try:
        pg = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        pg.goto(f"{srv.url}/ladda_upp")
        pg.get_by_role("heading", name="Logga in", level=1).wait_for(timeout=60_000)
        assert pg.locator("[data-testid='stSidebarNav']").count() == 0
        assert "Översikt" not in pg.locator("body").inner_text()
        pg.get_by_role("textbox", name="Användarnamn").fill("lisa")
        pg.get_by_role("textbox", name="Lösenord").fill("lasare-losen-1")
        pg.get_by_role("button", name="Logga in").click()
        nav = pg.locator("[data-testid='stSidebarNav']")
        expect(nav).to_contain_text("Översikt", timeout=60_000)
        assert "Ladda upp" not in nav.inner_text()  # a läsare has no upload page
        screenshot(pg, "inloggad-lasare")
    finally:
        srv.stop()
