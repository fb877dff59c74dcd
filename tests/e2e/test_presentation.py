"""Presentation mode in a real browser at projector sizes: no sidebar or header, the title and
chart on screen, stepped with the keyboard; every screen fits 1280 × 720 and 1920 × 1080 without
scrolling, with no text under 18 px at 1280 × 720 and every button label whole. The running
order through the real controls, the downloads with their file names, and Översikt printed."""

import io
import re

import pytest
from playwright.sync_api import expect

from .conftest import module_server, screenshot, settled, wait_for_app

pytestmark = pytest.mark.e2e


server = module_server("presentation")  # the shared one must stay unused for the first-start smoke test

LAYOUT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const scrolling = [document.scrollingElement, main,
                     document.querySelector('[data-testid="stAppViewContainer"]')].filter(Boolean)
                    .map(e => e.scrollHeight - e.clientHeight);
  let smallest = 1e9, where = '';
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim()) continue;
    const box = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden' || style.opacity === '0') continue;
    const size = parseFloat(style.fontSize);
    if (size < smallest) { smallest = size; where = node.textContent.trim().slice(0, 60); }
  }
  const cut = Array.from(main.querySelectorAll('button')).filter(b => b.offsetParent).filter(b => {
    const label = b.querySelector('p') || b;
    return label.scrollWidth > label.clientWidth + 1 || b.scrollWidth > b.clientWidth + 1;
  }).map(b => b.innerText);
  return {scrolling, smallest, where, cut, bottom: Math.max(...Array.from(main.querySelectorAll(
    '[data-testid="stElementContainer"]')).filter(e => e.offsetParent).map(e => e.getBoundingClientRect().bottom))};
}"""


def choose_order(pg, names: list[str]) -> None:
    """Replace the running order through the page's controls: empty it, then add each by typing."""
    main = pg.get_by_test_id("stMain")
    pg.get_by_role("button", name="Töm dagordningen").click()
    expect(main).to_contain_text("Dagordningen är tom", timeout=30_000)
    for n, name in enumerate(names, start=1):
        add = pg.get_by_role("combobox", name="Lägg till en indikator")
        add.click()
        add.fill(name.split(" (")[0])
        pg.get_by_role("option", name=name).first.click()
        expect(main).to_contain_text(f"{n}. {name}", timeout=30_000)
    # the rerun has drawn the downloads for this order (a download registered earlier would
    # still carry the previous order)
    expect(main).to_contain_text(f"i dagordningen ({len(names)} st)", timeout=30_000)
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")


def start(pg, server, size: str, names: list[str]) -> None:
    pg.goto(f"{server.url}/presentation?planar=2025&period=2025-T2")
    wait_for_app(pg, "Presentation och export")
    choose_order(pg, names)
    pg.get_by_text(size, exact=True).click()
    pg.get_by_role("button", name="Starta presentation").click()
    wait_for_app(pg, "Målområden – jan–aug 2025")


def layout(pg) -> dict:
    """Measured once the run has finished and the previous screen's elements are gone."""
    settled(pg)
    return pg.evaluate(LAYOUT)


def test_presentation_at_1920x1080(browser, server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="sv-SE")
    pg = context.new_page()
    try:
        start(pg, server, "1920 × 1080",
              ["Antal hushåll med ekonomiskt bistånd (Hållbarhet)", "Placeringar LVM (Verksamhetsmått)"])
        expect(pg.get_by_test_id("stSidebar")).to_be_hidden()
        expect(pg.get_by_test_id("stHeader")).to_be_hidden()
        assert all(s <= 0 for s in layout(pg)["scrolling"])
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
        fit = layout(pg)
        assert all(s <= 0 for s in fit["scrolling"]) and fit["bottom"] <= 1080 and not fit["cut"], fit
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


def test_every_screen_fits_1280x720_with_large_type_and_whole_button_labels(browser, server):
    """The longest indicator name of the plan, a masked count and a long comment included."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="sv-SE")
    pg = context.new_page()
    names = ["Antal hushåll med ekonomiskt bistånd (Hållbarhet)",
             "Andel av personer med ekonomiskt bistånd som är i aktivitet i förhållande till bedömd arbetsförmåga "
             "(Hållbarhet)",
             "Sjukfrånvaro (R12) (Medarbetare)", "Placeringar SiS (barn och unga) (Verksamhetsmått)"]
    titles = ["Målområden – jan–aug 2025", *(n.rsplit(" (", 1)[0] for n in names)]
    try:
        start(pg, server, "1280 × 720", names)
        for n, title in enumerate(titles):
            if n:
                pg.keyboard.press("ArrowRight")
                wait_for_app(pg, title)
            if n and title != titles[2]:
                expect(pg.locator(".js-plotly-plot").first).to_be_visible(timeout=20_000)
            fit = layout(pg)
            screenshot(pg, f"presentation-1280-{n}")
            assert all(s <= 0 for s in fit["scrolling"]) and fit["bottom"] <= 720, (title, fit)
            assert fit["smallest"] >= 18, (title, fit)
            assert not fit["cut"], (title, fit)
    finally:
        context.close()


def test_downloads_through_the_browser_are_named_after_the_report(browser, server, tmp_path):
    """The deferred downloads run after the page's run has closed its store: real clicks prove they work."""
    from docx import Document
    from openpyxl import load_workbook
    from PIL import Image
    from pptx import Presentation
    from pypdf import PdfReader

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE", accept_downloads=True)
    pg = context.new_page()
    try:
        pg.goto(f"{server.url}/presentation?planar=2025&period=2025-T2")
        wait_for_app(pg, "Presentation och export")
        choose_order(pg, ["Antal hushåll med ekonomiskt bistånd (Hållbarhet)",
                          "Placeringar SiS (barn och unga) (Verksamhetsmått)"])

        def download(label: str):
            with pg.expect_download(timeout=120_000) as info:
                pg.get_by_role("button", name=label).click()
            return info.value.suggested_filename, open(info.value.path(), "rb").read()

        name, data = download("Bildspel (PPTX)")
        assert name == "ASN-tertialrapport-T2-2025.pptx" and len(Presentation(io.BytesIO(data)).slides) == 4
        name, data = download("Indikatortabell (XLSX)")
        assert name == "ASN-tertialrapport-T2-2025.xlsx"
        assert load_workbook(io.BytesIO(data)).sheetnames == ["Indikatorer", "Målområden"]
        name, data = download("Rapportavsnitt (Word)")
        assert name == "ASN-tertialrapport-T2-2025.docx" and len(Document(io.BytesIO(data)).inline_shapes) == 2
        name, data = download("Rapportavsnitt (PDF)")
        assert name == "ASN-tertialrapport-T2-2025.pdf"
        assert "Tertialrapport T2 2025" in PdfReader(io.BytesIO(data)).pages[0].extract_text()

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


def test_the_running_order_is_changed_in_its_editor(browser, server):
    """The order is listed as text; its buttons appear when "Ändra ordningen" is opened, and stay
    through a click (the expander reruns the page to draw them)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE")
    pg = context.new_page()
    try:
        pg.goto(f"{server.url}/presentation?planar=2025&period=2025-T2")
        wait_for_app(pg, "Presentation och export")
        names = ["Antal hushåll med ekonomiskt bistånd (Hållbarhet)", "Placeringar LVM (Verksamhetsmått)"]
        choose_order(pg, names)
        main = pg.get_by_test_id("stMain")
        expect(main.get_by_role("button", name="↑ Upp")).to_have_count(0)
        pg.get_by_text("Ändra ordningen").click()
        expect(main.get_by_role("button", name="↑ Upp")).to_have_count(2, timeout=30_000)
        main.get_by_role("button", name="↑ Upp").nth(1).click()  # LVM first
        expect(main).to_contain_text(f"1. {names[1]}", timeout=30_000)
        expect(main.get_by_role("button", name="↑ Upp").first).to_be_disabled(timeout=30_000)
        pg.get_by_text("Ändra ordningen").click()
        expect(main.get_by_role("button", name="↑ Upp")).to_have_count(0, timeout=30_000)
        expect(main).to_contain_text(re.compile(rf"1\. {re.escape(names[1])}\s*2\. {re.escape(names[0])}"))  # listed
    finally:
        context.close()


def test_oversikt_prints_without_chrome_and_keeps_the_month_grid_on_one_page(browser, server):
    """Chromium's own print to PDF: no sidebar or controls, the whole page, the grid unbroken."""
    from pypdf import PdfReader

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    pg = context.new_page()
    try:
        pg.goto(f"{server.url}/?planar=2025&period=2025-T2")
        wait_for_app(pg, "Översikt")
        expect(pg.get_by_test_id("stMain")).to_contain_text("Personalomsättning (extern)", timeout=30_000)
        pg.emulate_media(media="print")
        expect(pg.get_by_test_id("stSidebar")).to_be_hidden()
        pages = [p.extract_text() for p in PdfReader(io.BytesIO(pg.pdf(format="A4", print_background=True))).pages]
        text = "\n".join(pages)
        assert "Planår" not in text and "ASN-panelen" not in text  # the sidebar's picker and title
        # the page's end is on paper, not only the first screen (a name may wrap in its table cell)
        assert "Personalomsättning (extern)" in " ".join(text.split())
        grid = next(p for p in pages if "Måluppfyllelse per månad" in p)
        grid_part = grid.split("Måluppfyllelse per månad", 1)[1]
        for word in ("Trygghet", "Hållbarhet", "Ekonomi", "Kvalitet", "Medarbetare", "Jan", "Aug"):
            assert word in grid_part, word  # every row and month on the grid's page
    finally:
        context.close()
