"""Access never falls open while the app runs: a users file deleted under a running server closes
the app for a signed-in läsare and for a fresh visitor, instead of opening the demo mode."""

from playwright.sync_api import expect

from .conftest import accounts_server, screenshot, wait_for_app
from .test_smoke import nav_to, sign_in

# ASN_DEMO=1 comes from the harness: even with demo mode enabled, a server that had accounts stays shut
access_server = accounts_server("access", ("lisa", "Lisa Läsare", "läsare", "lasare-losen-1"))


def assert_closed(pg, users_file) -> None:
    main = pg.locator("[data-testid='stMain']")
    expect(main).to_contain_text("Panelen är stängd", timeout=60_000)
    expect(main).to_contain_text(str(users_file))
    expect(main).to_contain_text("python -m asn_dash users add")
    assert pg.locator("[data-testid='stSidebarNav']").count() == 0          # no pages
    assert pg.locator("[data-testid='stFileUploader']").count() == 0       # no upload
    assert pg.locator("[data-testid='stForm']").count() == 0                # no verdict or sign-in form
    assert pg.locator(".asn-card, [data-testid='stPlotlyChart'], table").count() == 0  # no data
    assert "Öppet demoläge" not in pg.content()
    assert pg.get_by_role("button", name="Spara bedömning för T2 2025").count() == 0


def test_deleting_the_users_file_closes_the_app_in_the_browser(access_server, browser):
    pg = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE").new_page()
    sign_in(pg, access_server, "lisa", "lasare-losen-1")
    wait_for_app(pg, "Översikt")
    expect(pg.locator("[data-testid='stSidebar']")).to_contain_text("Inloggad: Lisa Läsare (lisa) · läsare",
                                                                    timeout=60_000)
    pg.locator(".asn-card").first.wait_for(timeout=60_000)  # data shown while the file is there

    backup = access_server.users.read_bytes()
    access_server.users.unlink()
    try:
        nav_to(pg, "Om data")  # the next click of the same session
        assert_closed(pg, access_server.users)
        pg.reload()  # and a new session of the same browser
        assert_closed(pg, access_server.users)
        screenshot(pg, "stangd-lasare")

        visitor = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="sv-SE").new_page()
        visitor.goto(access_server.url)
        assert_closed(visitor, access_server.users)
        visitor.goto(f"{access_server.url}/ladda_upp")  # a deep link to the upload page too
        assert_closed(visitor, access_server.users)
        screenshot(visitor, "stangd-besokare")
        visitor.context.close()
    finally:
        access_server.users.write_bytes(backup)
    pg.reload()  # the administrator restored the file: sign-in is back, never the demo mode
    wait_for_app(pg, "Logga in")
    pg.context.close()
