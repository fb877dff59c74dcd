"""Presentation mode in a real browser at projector sizes: no sidebar or header, the title and
chart on screen, stepped with the keyboard."""

import pytest
from playwright.sync_api import expect

from .conftest import module_server, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

server = module_server("presentation")  # the shared one must stay unused for the first-start smoke test


def choose_order(pg, names: list[str]) -> None:
    """Replace the running order through the real multiselect: clear it, then type each name."""
    box = pg.get_by_test_id("stMultiSelect")
    box.get_by_role("button", name="Clear all").click()
    for name in names:
        box.locator("input").click()
        box.locator("input").fill(name)
        pg.get_by_role("option", name=name).first.click()
        expect(box).to_contain_text(name.split(" (")[0], timeout=10_000)
    pg.keyboard.press("Escape")
    # the rerun has drawn the buttons for this order (a download registered earlier would
    # still carry the previous order)
    expect(pg.get_by_test_id("stMain")).to_contain_text(f"i dagordningen ({len(names)} st)", timeout=30_000)
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")


def test_presentation_at_1920x1080(browser, server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="sv-SE")
    pg = context.new_page()
    try:
        pg.goto(f"{server.url}/presentation?planar=2025&period=2025-T2")
        wait_for_app(pg, "Presentation och export")
        choose_order(pg, ["Antal hushåll med ekonomiskt bistånd (Hållbarhet)", "Placeringar LVM (Verksamhetsmått)"])
        pg.get_by_role("button", name="Starta presentation").click()
        wait_for_app(pg, "Målområden – jan–aug 2025")
        expect(pg.get_by_test_id("stSidebar")).to_be_hidden()
        expect(pg.get_by_test_id("stHeader")).to_be_hidden()
        screenshot(pg, "presentation-1-malomraden-1920")

        pg.keyboard.press("ArrowRight")
        wait_for_app(pg, "Antal hushåll med ekonomiskt bistånd")
        title = pg.get_by_role("heading", name="Antal hushåll med ekonomiskt bistånd", level=1)
        box = title.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] < 120  # at the top, on screen
        chart = pg.locator(".js-plotly-plot").first
        expect(chart).to_be_visible(timeout=20_000)
        chart_box = chart.bounding_box()
        assert chart_box["y"] + chart_box["height"] <= 1080 and chart_box["height"] > 700  # one chart fills it
        expect(pg.get_by_text("Utfall jan–aug 2025:")).to_be_visible()
        expect(pg.get_by_text("✖ Röd").first).to_be_visible()
        expect(pg.get_by_test_id("stSidebar")).to_be_hidden()
        screenshot(pg, "presentation-2-indikator-1920")

        pg.keyboard.press("ArrowRight")
        wait_for_app(pg, "Placeringar LVM")
        expect(pg.get_by_text("1–3").first).to_be_visible()  # masked on the wall
        screenshot(pg, "presentation-3-maskerad-1920")

        pg.keyboard.press("ArrowLeft")
        wait_for_app(pg, "Antal hushåll med ekonomiskt bistånd")
        pg.keyboard.press("Escape")
        wait_for_app(pg, "Presentation och export")
        expect(pg.get_by_test_id("stSidebar")).to_be_visible()
    finally:
        context.close()


def test_downloads_through_the_browser(browser, server, tmp_path):
    """The deferred downloads run after the page's run has closed its store: real clicks prove they work."""
    import io

    from openpyxl import load_workbook
    from PIL import Image
    from pptx import Presentation

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE", accept_downloads=True)
    pg = context.new_page()
    try:
        pg.goto(f"{server.url}/presentation?planar=2025&period=2025-T2")
        wait_for_app(pg, "Presentation och export")
        choose_order(pg, ["Antal hushåll med ekonomiskt bistånd (Hållbarhet)", "Placeringar SiS (barn och unga) (Verksamhetsmått)"])
        with pg.expect_download(timeout=60_000) as info:
            pg.get_by_role("button", name="Ladda ner bildspel (PPTX)").click()
        deck = Presentation(io.BytesIO(open(info.value.path(), "rb").read()))
        assert info.value.suggested_filename == "asn-2025-T2-2025.pptx" and len(deck.slides) == 4
        with pg.expect_download(timeout=60_000) as info:
            pg.get_by_role("button", name="Ladda ner indikatortabell (XLSX)").click()
        assert load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).sheetnames == ["Indikatorer", "Målområden"]

        pg.goto(f"{server.url}/indikator?indikator=hushall_ekb&planar=2025&period=2025-T2")
        wait_for_app(pg, "Antal hushåll med ekonomiskt bistånd")
        with pg.expect_download(timeout=60_000) as info:
            pg.get_by_role("button", name="Bild (PNG)").first.click()
        assert Image.open(info.value.path()).size == (1600, 900)
        with pg.expect_download(timeout=60_000) as info:
            pg.get_by_role("button", name="Bild (SVG)").first.click()
        assert open(info.value.path(), encoding="utf-8").read().startswith("<svg")
    finally:
        context.close()
