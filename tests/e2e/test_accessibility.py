"""axe-core (through axe-playwright-python) on every page, signed in as an admin, and in
presentation mode at 1280 × 720: no serious or critical violation, and no heading out of order.

Only what Streamlit itself causes and the app cannot fix is left out, rule by rule and selector
by selector (docs/meetings.md, "Accessibility"); everything else fails the test."""

from contextlib import contextmanager

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .conftest import StreamlitServer, screenshot, settled, wait_for_app

pytestmark = pytest.mark.e2e


FAILING = {"serious", "critical"}
ALSO_FAILING = {"heading-order"}  # "moderate" for axe; heading levels in order are asked for on every page
# rule id → selectors of Streamlit's own markup that break it (see docs/meetings.md, Accessibility). Keep
# this exactly as narrow as the list in docs/meetings.md.
STREAMLIT_OWN: dict[str, list[str]] = {}

# (link in the sidebar, the page's heading; None: the first indicator's name)
PAGES = [("Översikt", "Översikt"), ("Indikator", None), ("Ekonomi", "Ekonomi per verksamhet"), ("Jämförelser", "Jämförelser"),
         ("Presentation", "Presentation och export"), ("Ladda upp", "Ladda upp"), ("Logg", "Logg"),
         ("Om data", "Om data")]


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory):
    from asn_dash import auth

    folder = tmp_path_factory.mktemp("a11y")
    users = folder / "users.toml"
    auth.add_user(users, "ada", "Ada Admin", auth.ADMIN, "admin-losen-1")
    srv = StreamlitServer(folder / "asn.duckdb", env={"ASN_USERS": str(users)}).start()
    yield srv
    srv.stop()


def problems(pg) -> list[str]:
    """Serious and critical violations and headings out of order, minus Streamlit's own documented ones."""
    context = {"exclude": [[sel] for sels in STREAMLIT_OWN.values() for sel in sels]} if STREAMLIT_OWN else None
    results = Axe().run(pg, context=context)
    found = []
    for v in results.response["violations"]:
        if v["impact"] in FAILING or v["id"] in ALSO_FAILING:
            for node in v["nodes"]:
                found.append(f"{v['id']} ({v['impact']}): {node['target']} – {node.get('failureSummary', '')}")
    return found


def sign_in(pg, url: str) -> None:
    pg.goto(url)
    pg.get_by_role("heading", name="Logga in", level=1).wait_for(timeout=60_000)
    settled(pg)
    # Signed out, the app lists no pages, so a deep link may raise Streamlit's own "Page not
    # found" dialog over the sign-in (it makes the form inert): close it as a user would.
    dialog = pg.get_by_test_id("stDialog")
    if dialog.count():
        dialog.get_by_role("button", name="Close").click()
        expect(dialog).to_have_count(0)
    assert problems(pg) == []  # the sign-in page too
    pg.get_by_role("textbox", name="Användarnamn").fill("ada")
    pg.get_by_role("textbox", name="Lösenord").fill("admin-losen-1")
    pg.get_by_role("button", name="Logga in").click()
    expect(pg.get_by_test_id("stSidebarNav")).to_contain_text("Logg", timeout=60_000)


@contextmanager
def admin_page(browser, server, width: int = 1400, height: int = 1000):
    """A signed-in admin's page. Signed in once: a page load would start a new, signed-out
    session, so the tests move through the sidebar's links."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="sv-SE")
    try:
        pg = context.new_page()
        sign_in(pg, f"{server.url}/om_data?planar=2025&period=2025-T2")
        settled(pg)
        yield pg
    finally:
        context.close()


def test_every_page_has_no_serious_violation(browser, admin_server):
    with admin_page(browser, admin_server) as pg:
        found = {}
        for link, heading in PAGES:
            pg.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
            if heading:
                wait_for_app(pg, heading)
            else:
                pg.wait_for_url("**/indikator**")
                pg.get_by_test_id("stMain").get_by_role("heading", level=1).wait_for()
            settled(pg)
            found[link] = problems(pg)
        assert found == {link: [] for link, _ in PAGES}


def test_presentation_mode_at_1280x720_has_no_serious_violation(browser, admin_server):
    with admin_page(browser, admin_server, 1280, 720) as pg:
        pg.get_by_test_id("stSidebarNav").get_by_role("link", name="Presentation").click()
        wait_for_app(pg, "Presentation och export")
        pg.get_by_text("1280 × 720", exact=True).click()
        pg.get_by_role("button", name="Starta presentation").click()
        wait_for_app(pg, "Målområden – jan–aug 2025")
        settled(pg)
        assert problems(pg) == []
        chart = pg.locator(".js-plotly-plot")
        for n in range(2, 12):  # the default order's slides up to the first with a chart
            pg.keyboard.press("ArrowRight")
            expect(pg.get_by_test_id("stMain")).to_contain_text(f"{n} / ", timeout=60_000)
            settled(pg)
            # a chart loads after the run: wait for it or for the text that replaces it
            expect(chart.or_(pg.get_by_text("Indikatorn har inga värden att visa i diagram.")).or_(
                pg.get_by_text("Diagrammet visas inte.")).first).to_be_visible(timeout=20_000)
            assert problems(pg) == [], n
            if chart.count():
                break
        screenshot(pg, "tillganglighet-presentation-1280")
        assert pg.locator(".js-plotly-plot").count() == 1


def test_keyboard_focus_is_visible_in_the_sidebar(browser, admin_server):
    """Tabbing onto a page link draws a 3 px ring that contrasts with the sidebar."""
    from asn_dash.colours import contrast

    with admin_page(browser, admin_server) as pg:
        link = pg.locator("[data-testid='stSidebarNavLink']").nth(1)
        link.focus()
        pg.keyboard.press("Shift+Tab")
        pg.keyboard.press("Tab")  # focus that came from the keyboard (:focus-visible)
        ring = pg.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
            const bg = getComputedStyle(document.querySelector('[data-testid="stSidebarContent"]')).backgroundColor;
            return {testid: e.dataset.testid, style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                    colour: s.outlineColor, background: bg}; }""")
        assert ring["testid"] == "stSidebarNavLink" and ring["style"] == "solid" and ring["width"] >= 2, ring

        def hex_of(rgb: str) -> str:
            parts = [int(float(x)) for x in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
            return "#" + "".join(f"{p:02X}" for p in parts)

        assert contrast(hex_of(ring["colour"]), hex_of(ring["background"])) >= 3  # WCAG 1.4.11
