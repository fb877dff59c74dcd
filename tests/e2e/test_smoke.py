"""Smoke test in a real browser: the app starts on an empty store and shows seeded data."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, StreamlitServer, accounts_server, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

# a row of Översikt's report table: the indicator's in-app link and its cells (pages/oversikt.py)
REPORT_ROW = "tr.asn-row"  # a report table row (asn_dash/app/render.py: report_table)


def test_oversikt_shows_seeded_data_on_first_start(server, page):
    assert not server.db.exists()
    page.goto(f"{server.url}/?planar=2025&period=2025-T2")
    wait_for_app(page, "Översikt")
    assert server.db.exists(), "the store is created and seeded on first start"
    body = page.locator("[data-testid='stMain']")
    expect(body.get_by_role("heading", name="Hållbarhet")).to_be_visible(timeout=30_000)
    row = body.locator(REPORT_ROW, has_text="Antal hushåll med ekonomiskt bistånd")
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
    row = page.locator("[data-testid='stMain']").locator(REPORT_ROW, has_text="Antal hushåll med ekonomiskt bistånd")
    link = row.get_by_role("link", name="Antal hushåll med ekonomiskt bistånd")
    expect(link).to_have_attribute("href", re.compile(r"period=2025-03"), timeout=30_000)  # the rerun replaced it
    expect(row).to_contain_text("mar 2025")
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


# --- sign-in --------------------------------------------------------------------------------

# an app with local accounts; the tests add users to its file while it runs
signin_server = accounts_server("signin", ("lisa", "Lisa Läsare", "läsare", "lasare-losen-1"))


def sign_in(pg, srv, username: str, password: str, path: str = "/") -> None:
    pg.goto(f"{srv.url}{path}")
    wait_for_app(pg, "Logga in")  # idle: a first request reruns once, which would empty the fields
    pg.get_by_role("textbox", name="Användarnamn").fill(username)
    pg.get_by_role("textbox", name="Lösenord").fill(password)
    pg.get_by_role("button", name="Logga in").click()


def nav_to(pg, title: str) -> None:
    """In-app navigation through the sidebar (the session, and its sign-in, stay)."""
    pg.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title).click()


def test_sign_in_in_a_real_browser(signin_server, browser):
    """Signed out: only the sign-in, no page list; signed in: the role's pages."""
    pg = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(pg, signin_server, "lisa", "lasare-losen-1", path="/ladda_upp")
    nav = pg.locator("[data-testid='stSidebarNav']")
    expect(nav).to_contain_text("Översikt", timeout=60_000)
    assert "Ladda upp" not in nav.inner_text()  # a läsare has no upload page
    screenshot(pg, "inloggad-lasare")
    pg.context.close()


class ImageServer:
    """A local HTTP server that records every path asked of it (and answers with a 1×1 PNG)."""

    PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.paths: list[str] = []
        self.arrived = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                with outer.arrived:
                    outer.paths.append(self.path)
                    outer.arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(ImageServer.PNG)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def wait_for(self, path: str) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: path in self.paths, timeout=30)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_a_name_with_an_image_link_loads_nothing(signin_server, browser):
    """A display name with a Markdown image and an HTML <img> is shown as text wherever it appears
    (sidebar, the comment box's label, the comment list, Logg), and the browser asks the image
    server for nothing but the control image requested at the end."""
    from asn_dash import auth

    images = ImageServer()
    try:
        name = f"![spår]({images.url}/markdown.png) <img src=\"{images.url}/html.png\"> **Eve**"
        auth.add_user(signin_server.users, "eve", name, "admin", "eve-losenord-1")
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        pg = context.new_page()
        asked: list[str] = []
        pg.on("request", lambda request: asked.append(request.url) if request.url.startswith(images.url) else None)
        sign_in(pg, signin_server, "eve", "eve-losenord-1")
        sidebar = pg.locator("[data-testid='stSidebar']")
        expect(sidebar).to_contain_text(f"Inloggad: {name} (eve) · admin", timeout=60_000)
        wait_for_app(pg, "Översikt")

        nav_to(pg, "Indikator")
        main = pg.locator("[data-testid='stMain']")
        pg.get_by_role("heading", name="Kommentarer").wait_for(timeout=60_000)
        main.get_by_text("Skriv en kommentar").click()
        expect(main).to_contain_text(f"Kommentar ({name})", timeout=30_000)  # the text area's label
        main.get_by_role("textbox").last.fill("Skriven av Eve.")
        main.get_by_role("button", name="Spara kommentar").click()
        expect(main).to_contain_text(f"{name} (eve)", timeout=30_000)  # the new comment's author

        nav_to(pg, "Logg")
        wait_for_app(pg, "Logg")
        expect(main.locator("[data-testid='stDataFrame']")).to_be_visible(timeout=30_000)
        screenshot(pg, "namn-som-text")

        # Control: an image the page does ask for arrives, so the check below could fail.
        pg.evaluate(f"() => {{ new Image().src = '{images.url}/control.png'; }}")
        images.wait_for("/control.png")
        assert images.paths == ["/control.png"]
        assert asked == [f"{images.url}/control.png"]
        assert pg.locator("img[src*='markdown.png'], img[src*='html.png']").count() == 0
        context.close()
    finally:
        images.close()


def test_a_role_change_takes_effect_on_the_next_click(signin_server, browser):
    """An administrator changes the users file with the command line while the user has the app
    open: the next click shows the new role's pages; removal signs the session out."""
    import subprocess
    import sys

    from asn_dash import auth

    def users(*args):
        result = subprocess.run([sys.executable, "-m", "asn_dash", "users", *args, "--file", str(signin_server.users)],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr

    auth.add_user(signin_server.users, "rolf", "Rolf Roll", "läsare", "rolf-losenord-1")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    sign_in(pg, signin_server, "rolf", "rolf-losenord-1")
    wait_for_app(pg, "Översikt")
    nav = pg.locator("[data-testid='stSidebarNav']")
    assert "Ladda upp" not in nav.inner_text()

    users("update", "rolf", "--role", "analytiker")
    nav_to(pg, "Om data")
    wait_for_app(pg, "Om data")
    expect(nav).to_contain_text("Ladda upp", timeout=30_000)
    expect(pg.locator("[data-testid='stSidebar']")).to_contain_text("Rolf Roll (rolf) · analytiker")

    users("remove", "rolf")
    nav_to(pg, "Översikt")
    pg.get_by_role("heading", name="Logga in", level=1).wait_for(timeout=60_000)
    expect(pg.locator("[data-testid='stMain']")).to_contain_text("Ditt konto finns inte längre")
    assert pg.locator("[data-testid='stSidebarNav']").count() == 0
    context.close()
