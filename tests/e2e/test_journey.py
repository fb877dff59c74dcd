"""A month's work in a real browser, as people do it: ledning browses Översikt and changes the
period, opens an indicator; an analyst uploads the month's CSV through the real file uploader,
checks the preview, loads it, sees it in the chart and the figures, and undoes it; then the
comparison page and presentation mode. Meanwhile a command-line ingest writes and the pages
keep rendering. A screenshot of every step lands in test-artifacts/."""

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, module_server, screenshot, wait_for_app

pytestmark = pytest.mark.e2e

journey_server = module_server("journey")


def trace(page, name: str) -> dict:
    """x → y of the named line of the first Plotly chart on the page, read from the chart itself."""
    page.locator(".js-plotly-plot").first.wait_for()
    # Plotly may still be drawing (or redrawing after a rerun): wait until the chart has the line
    page.wait_for_function("name => { const p = document.querySelector('.js-plotly-plot');"
                           " return !!(p && p.data && p.data.some(t => t.name === name)); }", arg=name)
    data = page.evaluate("() => document.querySelector('.js-plotly-plot').data"
                         ".map(t => ({name: t.name, x: t.x, y: t.y}))")
    line = next(t for t in data if t["name"] == name)
    return dict(zip(line["x"], line["y"]))


def metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def august_households(page, url: str, expected: float | None = None) -> float:
    """Open hushåll med ekonomiskt bistånd for aug 2025; the metric and the chart must agree."""
    page.goto(f"{url}/indikator?indikator=hushall_ekb&planar=2025&period=2025-08")
    wait_for_app(page, "Antal hushåll med ekonomiskt bistånd")
    if expected is not None:
        expect(metric(page, "Utfall aug 2025")).to_have_text(f"{expected:.0f}", timeout=30_000)
    value = trace(page, "Utfall 2025")["Aug"]
    expect(metric(page, "Utfall aug 2025")).to_have_text(f"{value:.0f}")
    return value


def test_a_months_work(journey_server, page, tmp_path):
    url, pg = journey_server.url, page
    main = pg.locator("[data-testid='stMain']")

    # 1. Översikt, then a period change
    pg.goto(f"{url}/?planar=2025&period=2025-T2")
    wait_for_app(pg, "Översikt")
    # a report table row: the indicator's in-app link and its cells (asn_dash/app/render.py: report_table)
    row = main.locator("tr.asn-row", has_text="Antal hushåll med ekonomiskt bistånd")
    expect(row).to_contain_text("389", timeout=30_000)
    screenshot(pg, "resa-1-oversikt-t2")
    pg.get_by_role("combobox", name="Period").click()
    pg.get_by_role("option", name="Aug 2025").click()
    pg.wait_for_url("**period=2025-08**")
    wait_for_app(pg, "Översikt")
    link = row.get_by_role("link", name="Antal hushåll med ekonomiskt bistånd")
    # T2's row also says "jan–aug 2025": wait for the month's own link, not for that text
    expect(link).to_have_attribute("href", re.compile(r"period=2025-08"), timeout=30_000)
    expect(row).to_contain_text("aug 2025")
    screenshot(pg, "resa-2-oversikt-aug")

    # 2. open the indicator from the table
    link.click()
    wait_for_app(pg, "Antal hushåll med ekonomiskt bistånd")
    before = trace(pg, "Utfall 2025")["Aug"]
    expect(metric(pg, "Utfall aug 2025")).to_have_text(f"{before:.0f}")
    screenshot(pg, "resa-3-indikator")

    # 3. upload a CSV through the real uploader: preview, load
    new_value = before + 17
    csv = tmp_path / "augusti.csv"
    csv.write_text(f"indikator;enhet;period;värde\nhushall_ekb;;2025-08;{new_value:.0f}\n", encoding="utf-8")
    pg.goto(f"{url}/ladda_upp?planar=2025&period=2025-08")
    wait_for_app(pg, "Ladda upp")
    pg.locator("input[type='file']").set_input_files(str(csv))
    expect(main).to_contain_text("Förhandsgranskning", timeout=30_000)
    expect(metric(pg, "Ändrade värden")).to_have_text("1")
    screenshot(pg, "resa-4-forhandsgranskning")
    pg.get_by_role("button", name="Läs in").click()
    expect(main).to_contain_text("är inläst: 0 nya och 1 ändrade värden", timeout=30_000)
    screenshot(pg, "resa-5-inlast")

    # 4. the new value in the indicator's chart and figures
    assert august_households(pg, url, new_value) == new_value
    screenshot(pg, "resa-6-nytt-varde")

    # 5. undo it
    pg.goto(f"{url}/ladda_upp?planar=2025&period=2025-08")
    wait_for_app(pg, "Ladda upp")
    pg.get_by_role("button", name="Ångra uppladdningen").click()
    expect(main).to_contain_text("är ångrad: 0 värden borttagna, 1 återställda", timeout=30_000)
    screenshot(pg, "resa-7-angrad")
    assert august_households(pg, url, before) == before

    # 6. the comparison page
    pg.goto(f"{url}/jamforelser")
    wait_for_app(pg, "Jämförelser")
    expect(main).to_contain_text("Tabell som i verksamhetsberättelsen (KKiK)", timeout=30_000)
    expect(pg.locator(".js-plotly-plot").first).to_be_visible()
    screenshot(pg, "resa-8-jamforelser")

    # 7. presentation mode
    pg.goto(f"{url}/presentation?planar=2025&period=2025-T2")
    wait_for_app(pg, "Presentation och export")
    pg.get_by_role("button", name="Starta presentation").click()
    wait_for_app(pg, "Målområden – jan–aug 2025")
    expect(pg.get_by_test_id("stSidebar")).to_be_hidden()
    screenshot(pg, "resa-9-presentation")


def test_pages_keep_rendering_while_a_cli_ingest_writes(journey_server, page, tmp_path):
    """A 300 000-row upload holds the store for seconds; meanwhile every page load waits for it
    and renders (no lock error), and the first load after the commit shows the new value."""
    from asn_dash.bench.ingest import prepare_upload_store, upload_keys, write_long_csv

    pg = page
    pg.goto(f"{journey_server.url}/indikator?indikator=hushall_ekb&planar=2025&period=2025-07")
    wait_for_app(pg, "Antal hushåll med ekonomiskt bistånd")  # the store exists; no run holds it now
    prepare_upload_store(journey_server.db)  # indicators enough for 300 000 rows of real months
    big = tmp_path / "big.csv"
    write_long_csv(big, 300_000, upload_keys(journey_server.db))
    with big.open("a", encoding="utf-8") as fh:
        fh.write("hushall_ekb;;2025-07;444\n")
    pg.goto(f"{journey_server.url}/indikator?indikator=hushall_ekb&planar=2025&period=2025-07")
    wait_for_app(pg, "Antal hushåll med ekonomiskt bistånd")
    ingest = subprocess.Popen(
        [sys.executable, "-m", "asn_dash", "ingest", str(big), "--db", str(journey_server.db), "--user", "e2e",
         "--accept-warnings", "--wait", "60"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "ASN_MAX_UPLOAD_MB": "1000"})
    loads = 0
    while ingest.poll() is None:
        pg.reload()
        wait_for_app(pg, "Antal hushåll med ekonomiskt bistånd")
        assert "används av en annan process" not in pg.locator("[data-testid='stMain']").inner_text()
        loads += 1
    out, err = ingest.communicate()
    assert ingest.returncode == 0, err
    assert loads >= 1
    pg.reload()
    wait_for_app(pg, "Antal hushåll med ekonomiskt bistånd")
    expect(metric(pg, "Utfall jul 2025")).to_have_text("444", timeout=30_000)
