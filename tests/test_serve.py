"""The real server under concurrent sessions: `streamlit run app.py` on a seeded store, ten
browserless websocket sessions (asn_dash/bench/client.py) arriving at once on each of two pages,
no error page. (The figures for 1–20 sessions on the large store are `python -m asn_dash bench serve`.)"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from asn_dash.bench.client import load
from asn_dash.bench.serve import QUERY
from asn_dash.bench.server import Server


@pytest.mark.server
def test_ten_sessions_at_once_on_two_pages_see_no_error_page(seeded_db):
    with Server(seeded_db) as server:
        for page, heading in (("", "Översikt"), ("indikator", "Kommentarer")):
            first, again = in_own_thread(load(server.stream_url, page, sessions=10, views=1, query=QUERY))
            assert [v.error for v in first + again if v.error] == []
            assert all(heading in v.headings for v in first + again), [v.headings for v in first + again]


def in_own_thread(coroutine):
    """Run the sessions on an event loop of their own: in the whole suite, Playwright's sync API
    (the browser tests) keeps an event loop running on the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
