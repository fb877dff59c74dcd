"""In a real browser: a motivation that looks like Markdown (a '====' underline, a heading, a
link, LaTeX, Streamlit's colour directive) is shown as the characters it is, line breaks kept."""

import pytest
from playwright.sync_api import expect

from .conftest import module_server, wait_for_app

pytestmark = pytest.mark.e2e
plain_server = module_server("plain")

MOTIVATION = ("Rubrikattack\n==========\n# Rubrik två\n[länk](javascript:alert(1)) :red[röd] $x^2$ **fet**\n"
              "1. lista")


def test_a_markdown_looking_motivation_is_shown_as_text(plain_server, page):
    from asn_dash.rules.verdicts import ANALYST, INDICATOR
    from asn_dash.store.store import connect, while_locked

    page.goto(f"{plain_server.url}/?planar=2025&period=2025-T2")
    wait_for_app(page, "Översikt")  # the store exists
    con = while_locked(lambda: connect(plain_server.db), wait=60)
    con.execute("INSERT INTO verdicts (plan_year, level, target_id, period, colour, text, origin, author)"
                " VALUES (2025, ?, 'hushall_ekb', '2025-T2', 'Gul', ?, ?, 'anna')", [INDICATOR, MOTIVATION, ANALYST])
    con.close()
    page.goto(f"{plain_server.url}/indikator?indikator=hushall_ekb&planar=2025&period=2025-T2")
    wait_for_app(page, "Antal hushåll med ekonomiskt bistånd")
    main = page.locator("[data-testid='stMain']")
    reason = main.locator("[data-testid='stMarkdownContainer']", has_text="Rubrikattack").first
    expect(reason).to_be_visible(timeout=30_000)
    shown = reason.inner_text()
    assert MOTIVATION in shown, shown  # every character as written, each line break kept
    assert main.locator("h1, h2, h3, h4, h5, h6", has_text="Rubrik").count() == 0
    assert reason.locator("a, strong, ol, li, .katex, span[style*='color']").count() == 0
