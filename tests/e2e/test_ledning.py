"""Ledning's questions in a real browser, answered from the page itself: where do we stand at
T2 2025 (the official verdicts, with the computed ones beside them), why is Ekonomi red (the
report's own reason), and what is the trend of hushåll med ekonomiskt bistånd over the last years
(the multi-year chart's data). Signed in with a local account, the indicator is opened from the
Översikt table by in-app navigation, so the sign-in stays."""

import pytest
from playwright.sync_api import expect

from .conftest import accounts_server, screenshot, wait_for_app
from .test_smoke import sign_in

pytestmark = pytest.mark.e2e

HOUSEHOLDS = "Antal hushåll med ekonomiskt bistånd"


ledning_server = accounts_server("ledning", ("lena", "Lena Ledning", "läsare", "ledning-losen-1"))


def cards(pg) -> dict[str, tuple[str, str]]:
    """Målområde → (the verdict's badge, the whole card's text), as shown."""
    out = {}
    for card in pg.locator(".asn-card").all():
        name = card.locator(".asn-card-name").inner_text()
        out[name] = (card.locator(".asn-badge-big").inner_text(), card.inner_text())
    return out


def test_where_we_stand_why_ekonomi_is_red_and_the_trend_of_households(ledning_server, browser):
    pg = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE").new_page()
    main = pg.locator("[data-testid='stMain']")
    sidebar = pg.locator("[data-testid='stSidebar']")
    signed_in = "Inloggad: Lena Ledning (lena) · läsare"

    # 1. signed in, the app opens on the latest reported period: T2 2025
    sign_in(pg, ledning_server, "lena", "ledning-losen-1")
    wait_for_app(pg, "Översikt")
    expect(sidebar).to_contain_text(signed_in, timeout=60_000)
    pg.wait_for_url("**period=2025-T2**")
    pg.locator(".asn-card").first.wait_for(timeout=60_000)

    # 2. where do we stand: the report's verdicts, each with the computed suggestion beside it
    shown = cards(pg)
    assert list(shown) == ["Trygghet", "Hållbarhet", "Ekonomi", "Kvalitet", "Medarbetare"]
    assert [badge.split()[-1] for badge, _ in shown.values()] == ["Grön", "Grön", "Röd", "Grön", "Grön"]
    assert all("Beräknad:" in text for _, text in shown.values())
    hallbarhet = shown["Hållbarhet"][1]
    assert "Förvaltningens bedömning · 004 Tertialrapport T2 2025" in hallbarhet
    assert "Skiljer sig från beräkningen" in hallbarhet and "Gul" in hallbarhet.split("Beräknad:")[1]

    # 3. why is Ekonomi red: the report's reason, on the card and in full under the heading
    assert "Förvaltningen prognostiserar ett betydande underskott" in shown["Ekonomi"][1]
    ekonomi = main.locator(".asn-verdict", has_text="prognostiserar ett betydande underskott").first  # målområde
    expect(ekonomi).to_contain_text("✖ Röd Förvaltningens bedömning · 004 Tertialrapport T2 2025")
    assert main.get_by_role("button", name="Spara bedömning för T2 2025").count() == 0  # a läsare sets nothing
    screenshot(pg, "ledning-1-oversikt-t2")

    # 4. the indicator from the table: in-app navigation, still signed in, the view in the URL
    row = main.locator("tr.asn-row", has_text=HOUSEHOLDS)
    expect(row).to_contain_text("389")
    row.get_by_role("link", name=HOUSEHOLDS).click()
    wait_for_app(pg, HOUSEHOLDS)
    pg.wait_for_url("**/indikator?**indikator=hushall_ekb**")
    assert "planar=2025" in pg.url and "period=2025-T2" in pg.url
    expect(sidebar).to_contain_text(signed_in)
    assert pg.get_by_role("heading", name="Logga in").count() == 0

    # 5. the trend over the years, read from the multi-year chart
    pg.get_by_role("tab", name="Alla år 2019–2025").click()
    chart = pg.get_by_role("tabpanel", name="Alla år 2019–2025").locator(".js-plotly-plot")
    chart.wait_for(timeout=30_000)
    data = chart.evaluate("el => ({lines: el.data.map(t => ({name: t.name, x: t.x, y: t.y})),"
                          " axis: el.layout.yaxis.title && el.layout.yaxis.title.text})")
    line = next(t for t in data["lines"] if t["name"] == "Månadsvärde")
    values = dict(zip(line["x"], line["y"]))
    assert (line["x"][0], line["x"][-1]) == ("jan 2019", "aug 2025")
    assert data["axis"] == "Axeln börjar inte på noll"
    months = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug")
    mean = {y: sum(values[f"{m} {y}"] for m in months) / len(months) for y in range(2019, 2026)}
    assert round(mean[2025]) == 389 and round(mean[2024]) == 374  # 004: 389 jan–aug 2025 mot 374
    assert mean[2025] > mean[2024]  # more households than a year ago
    screenshot(pg, "ledning-2-indikator-alla-ar")
    pg.context.close()
