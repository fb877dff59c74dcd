"""Streamlit glue shared by the pages: the cached store, the sidebar selection, error display.

This is the only module of the package that imports Streamlit; the logic it calls lives in
the plain modules beside it.
"""

from __future__ import annotations

import streamlit as st

from . import evaluation, queries
from .errors import AsnError
from .periods import Period, parse_key, periods_for_year
from .store import Store, db_path, open_store

YEAR_KEY = "planar"
PERIOD_KEY = "period"


@st.cache_resource(show_spinner="Öppnar datalagret …")
def _open(path: str) -> Store:
    # One connection per server process; Store.query uses a cursor per call (see tech notes).
    return open_store(path)


def ensure_app_navigation() -> None:
    """Make a page run inside ``app.py``'s navigation, never on its own.

    Because the project has a ``pages/`` folder, Streamlit treats a session's first run of a
    page URL (and every AppTest rerun) as an old-style multipage app and runs the page file
    without ``app.py``, so the sidebar and store are missing. Switching that mode off and
    rerunning makes Streamlit execute ``app.py``, whose ``st.navigation`` then runs the page.
    Pinned to streamlit 1.67; tests/test_app.py covers it.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def store() -> Store:
    """The store for this server process; stops the page with a clear message if it cannot open."""
    path = db_path()
    try:
        return _open(str(path))
    except AsnError as exc:
        show_error(exc)
        if st.button("Försök igen", type="primary"):
            st.rerun()
        st.stop()


def show_error(exc: AsnError) -> None:
    st.error(exc.sv, icon="🚫")
    if exc.en != exc.sv:
        st.caption(exc.en)


@st.cache_data(show_spinner=False, max_entries=64)
def _years(path: str, version: str) -> list[int]:
    return queries.plan_years(_open(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _latest_month(path: str, version: str, year: int) -> int:
    return queries.latest_month(_open(path), year)


def data_version(s: Store) -> str:
    return queries.data_version(s)


def _label(key: str) -> str:
    text = parse_key(key).label()
    return text[0].upper() + text[1:]


def sidebar_selection(s: Store) -> tuple[int, Period]:
    """Plan year and period pickers, kept in the URL (``?planar=2025&period=2025-T2``)."""
    version = data_version(s)
    years = _years(str(s.path), version)
    params = st.query_params
    if YEAR_KEY not in st.session_state:
        wanted = params.get(YEAR_KEY, "")
        st.session_state[YEAR_KEY] = int(wanted) if wanted.isdigit() and int(wanted) in years else years[0]
    year = st.sidebar.selectbox("Planår", years, key=YEAR_KEY)
    options = [p.key for p in periods_for_year(year, _latest_month(str(s.path), version, year))]
    if st.session_state.get(PERIOD_KEY) not in options:
        wanted = params.get(PERIOD_KEY, "")
        st.session_state[PERIOD_KEY] = wanted if wanted in options else options[0]
    key = st.sidebar.selectbox("Period", options, key=PERIOD_KEY, format_func=_label)
    params[YEAR_KEY] = str(year)
    params[PERIOD_KEY] = key
    return year, parse_key(key)


def selection() -> tuple[int, Period]:
    """The plan year and period chosen in the sidebar (set up by ``app.py``)."""
    return int(st.session_state[YEAR_KEY]), parse_key(st.session_state[PERIOD_KEY])


@st.cache_data(show_spinner="Beräknar bedömningar …", max_entries=128)
def _evaluation(path: str, version: str, year: int, period_key: str):
    s = _open(path)
    period = parse_key(period_key)
    data = evaluation.load_plan(s, year, period)
    results = evaluation.evaluate(s, data, period)
    admin = data.admin_unit
    published = queries.published_area_colours(s, year, period_key, admin)
    return results, evaluation.summarise(results, published)


def evaluation_for(s: Store, year: int, period: Period):
    """(indicator results, målområde summaries) for a plan year and period, cached per data version."""
    return _evaluation(str(s.path), data_version(s), year, period.key)


@st.cache_data(show_spinner=False, max_entries=32)
def _grid(path: str, version: str, year: int, last_month: int):
    s = _open(path)
    data = evaluation.load_plan(s, year, Period(year, month=last_month))
    return evaluation.month_grid(s, data, last_month)


def month_grid_for(s: Store, year: int, period: Period):
    return _grid(str(s.path), data_version(s), year, period.last_month)


def html(fragment: str) -> None:
    """Show one of ``asn_dash.render``'s fragments (our own markup, all texts escaped)."""
    st.html(fragment)
