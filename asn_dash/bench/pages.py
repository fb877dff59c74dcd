"""Page benchmark in AppTest: each page's server-side render time, cold and warm, against an empty page.

AppTest misses costs outside the script (the websocket, delta serialisation, Streamlit's own
bookkeeping); the real-server figures are the serve part's."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

EMPTY_PAGE = (Path(__file__).resolve().parent / "empty_app.py").read_text(encoding="utf-8")

PAGES = ["pages/oversikt.py", "pages/indikator.py", "pages/jamforelser.py", "pages/presentation.py",
         "pages/ladda_upp.py", "pages/om_data.py"]


def steady_navigation_init():
    """A ``PagesManager.__init__`` for AppTest runs (the benchmark and tests/conftest.py).

    AppTest resets Streamlit's "old-style pages/ folder" flag before every run, so every run
    would take the first-request path (``ui.ensure_app_navigation`` reruns via app.py), which
    drops widget clicks and doubles each time. A real server clears that flag for good on its
    first run; this does the same."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    return init


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def bench_pages(db: Path, repeat: int = 9) -> dict:
    """Server-side render time of every page (AppTest), cold (caches empty) and warm (median of
    ``repeat`` reruns), against an empty page that only draws the shared shell. The empty page's
    reruns are interleaved with each page's, so every ratio is measured side by side."""
    import statistics

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["ASN_DB"] = str(db)
    os.environ.setdefault("ASN_USERS", str(db.parent / "no-users.toml"))  # open demo mode,
    os.environ.setdefault("ASN_DEMO", "1")  # enabled explicitly: not the embedded default store
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.__init__ = steady_navigation_init()
    st.cache_resource.clear()
    AppTest.from_string(EMPTY_PAGE, default_timeout=300).run()  # store preparation, once per process
    empty_page = AppTest.from_string(EMPTY_PAGE, default_timeout=300)

    def measure(make) -> dict:
        st.cache_data.clear()
        at = make()
        cold = _timed(at.run)
        if at.exception:
            raise RuntimeError(at.exception[0].message)
        empty_page.run()  # warm again after the clear
        warm, empty = [], []
        for _ in range(repeat):
            warm.append(_timed(at.run))
            empty.append(_timed(empty_page.run))
        warm_s, empty_s = statistics.median(warm), statistics.median(empty)
        return {"cold_s": round(cold, 3), "warm_s": round(warm_s, 3), "empty_warm_s": round(empty_s, 3),
                "warm_vs_empty": round(warm_s / empty_s, 2), "target_met": warm_s < 0.5 and warm_s <= 2 * empty_s}

    def page(path):
        def make():
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            at.query_params["planar"] = "2025"
            at.query_params["period"] = "2025-T2"
            at.run()  # the shell, then the page cold
            st.cache_data.clear()
            at.switch_page(path)
            return at
        return make

    result = {"empty page": measure(lambda: AppTest.from_string(EMPTY_PAGE, default_timeout=300))}
    for path in PAGES:
        result[Path(path).stem] = measure(page(path))
    return result


def lines(pages: dict) -> list[str]:
    out = [f"{'page':<16}{'cold s':>9}{'warm s':>9}{'empty s':>9}{'× empty':>9}  target (warm < 0.5 s and ≤ 2× "
           f"the empty page's, its reruns interleaved)"]
    for name, r in pages.items():
        out.append(f"{name:<16}{r['cold_s']:>9.3f}{r['warm_s']:>9.3f}{r['empty_warm_s']:>9.3f}"
                   f"{r['warm_vs_empty']:>9.2f}  "
                   f"{'met' if r['target_met'] else 'MISSED'}")
    return out


if __name__ == "__main__":
    print(json.dumps(bench_pages(Path(sys.argv[1]), *(int(a) for a in sys.argv[2:3]))))  # store [repeat]
