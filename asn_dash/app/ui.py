"""Streamlit glue shared by the pages: the per-run store connection, the sidebar selection, errors.

This is the only module of the package that imports Streamlit; the logic it calls lives in
the plain modules beside it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import streamlit as st

from asn_dash import access, auth, disclosure, people, throttle
from asn_dash.auth import User
from asn_dash.errors import AsnError
from asn_dash.formatting import escape_markdown
from asn_dash.rules.periods import Period, parse_key, periods_for_year
from asn_dash.services import evaluation
from asn_dash.store import queries
from asn_dash.store.setup import open_store
from asn_dash.store.shared import shared
from asn_dash.store.store import Store, damage, db_path

YEAR_KEY = "planar"
PERIOD_KEY = "period"


_run = threading.local()  # this script run's connection; each session runs on its own thread


def _prepare(path: Path) -> None:
    """Once per server process and store, before its first connection: create and seed it if
    missing, migrate it, sync the catalogue (see asn_dash.store.shared)."""
    open_store(path).close()


def ensure_app_navigation() -> None:
    """Make a page run inside ``app.py``'s navigation, never on its own.

    Because the project has a ``pages/`` folder, Streamlit treats a session's first run of a
    page URL (and every AppTest rerun) as an old-style multipage app and runs the page file
    without ``app.py``, so the sidebar and store are missing. Switching that mode off and
    rerunning makes Streamlit execute ``app.py``, whose ``st.navigation`` then runs the page.
    Pinned to streamlit 1.67; tests/e2e/test_smoke.py (deep link as first request) covers it.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def open_run_store() -> Store:
    """Borrow the process's shared store connection for this script run (``app.py`` hands it back
    when the run ends; see asn_dash.store.shared).

    The app holds the DuckDB file only while runs are executing, so a CLI ingest can take the
    file between clicks. While one holds it, the run waits (``ASN_LOCK_WAIT`` seconds, default
    30: longer than a large upload takes to commit) and then shows the new data; after that the
    page says so and offers a retry. A store file deleted under the running app is reported,
    not recreated empty.
    """
    path = db_path()
    try:
        with st.spinner("Datalagret uppdateras just nu – väntar …", show_time=True):
            s = shared(path).acquire(wait=lock_wait(), prepare=_prepare)
    except AsnError as exc:
        show_error(exc)
        if st.button("Försök igen", type="primary"):
            st.rerun()
        st.stop()
    _run.store = s
    return s


def lock_wait() -> float:
    try:
        return float(os.environ.get("ASN_LOCK_WAIT", "30"))
    except ValueError:
        return 30.0


def close_run_store() -> None:
    """Close this run's connection. Uses no Streamlit call: after st.stop() any would raise."""
    s = getattr(_run, "store", None)
    _run.store = None
    _run.version = None
    _run.user = None
    _run.mode = None
    if s is not None:
        s.close()


def store() -> Store:
    """The store connection of the current run."""
    s = getattr(_run, "store", None)
    if s is None:  # a page run outside app.py (see ensure_app_navigation)
        return open_run_store()
    return s


USER_KEY = "asn_user"
FINGERPRINT_KEY = "asn_user_fingerprint"  # of the password hash the session signed in with
NOTICE_KEY = "asn_sign_in_notice"         # why the session was signed out, shown once

_THROTTLE = throttle.SignInThrottle()     # failed sign-ins, for the whole server process


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:  # no secrets.toml: Streamlit raises on access
        return {}


def _nothing() -> None:
    """The page of a signed-out visitor when all there is to say was said before navigation."""


def _stop_signed_out(draw=_nothing) -> None:
    """Run ``draw`` as the only page of a hidden navigation, then stop the run.

    The hidden one-page navigation keeps Streamlit from listing pages/ to a signed-out visitor.
    The sign-in form is drawn *inside* that page: drawn before it, the form's widgets belonged to
    another page on a first visit to ``/`` than on the rerun its submit causes, so the submit was
    lost and the visitor saw an empty form again (tests/e2e/test_smoke.py signs in from ``/``)."""
    st.navigation([st.Page(draw, title="Logga in", url_path="logga-in")], position="hidden").run()
    st.stop()


def _session_user(mode: str, secrets: dict) -> User | None:
    """The session's user as the users file or the secrets say *now* (a new role takes effect on
    the next click); None when signed out. Raises :class:`auth.SignedOut` for a local session whose
    account was removed or whose password changed, :class:`auth.UsersFileError` if the file is bad."""
    if mode == auth.DEMO:
        return auth.DEMO_USER
    if mode == auth.OIDC:
        if not st.user.is_logged_in:
            return None
        return auth.oidc_user(str(st.user.get("email", "")), str(st.user.get("name", "")), secrets)
    signed_in = st.session_state.get(USER_KEY) if mode == auth.LOCAL else None
    if signed_in is None:
        return None
    return auth.recheck(auth.load_users(auth.users_file()), signed_in, st.session_state.get(FINGERPRINT_KEY))


def signed_in_user(s: Store) -> User:
    """The signed-in user, checked again on every run; otherwise show only the sign-in and stop."""
    _run.user = None
    secrets = _secrets()
    decided = access.decide(secrets, s)
    mode = _run.mode = decided.mode
    if mode in (auth.CLOSED, auth.LOCKED):  # no data, no forms: only what the administrator must do
        st.error(escape_markdown(decided.message), icon="🔒")
        _stop_signed_out()
    try:
        user = _session_user(mode, secrets)
    except auth.SignedOut as exc:
        _forget_session(s, exc)
        user = None
    except AsnError as exc:  # the users file cannot be read: nobody's role can be checked
        show_error(exc)
        _stop_signed_out()
    if mode == auth.DEMO:
        st.sidebar.warning("**Öppet demoläge** – ingen inloggning; alla kan ladda upp och ändra. Stängs av med "
                           "en användarfil eller ASN_DEMO=0.", icon="⚠️")
    elif mode == auth.OIDC:
        if user is None:
            _stop_signed_out(_oidc_sign_in)
        if not st.session_state.get("asn_sign_in_logged"):
            people.record_sign_in(s, user.username, user, "oidc")
            st.session_state["asn_sign_in_logged"] = True
    elif user is None:
        _stop_signed_out(lambda: _local_sign_in(s))
    else:
        st.session_state[USER_KEY] = user
    _run.user = user
    return user


def _forget_session(s: Store, why: auth.SignedOut) -> None:
    who = st.session_state.pop(USER_KEY, None)
    st.session_state.pop(FINGERPRINT_KEY, None)
    st.session_state[NOTICE_KEY] = why.sv
    if who is not None:
        people.record_sign_out(s, who.username, why.reason)


def _client() -> str:
    """Who is trying, for the throttle: the IP address, or the browser session when the app cannot
    see one (local connections)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ip = st.context.ip_address
    if ip:
        return ip
    ctx = get_script_run_ctx()
    return f"session {ctx.session_id[:8] if ctx else '?'}"


def _oidc_sign_in() -> None:
    st.title("ASN-panelen")
    st.write("Logga in med ditt organisationskonto för att se arbetsmarknads- och socialnämndens uppföljning.")
    st.button("Logga in", type="primary", on_click=st.login)


def _local_sign_in(s: Store) -> None:
    st.title("Logga in")
    st.write("ASN-panelen innehåller förvaltningens interna uppföljning och är bara till för medarbetare.")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice, icon="🔒")  # our own text (auth.SignedOut)
    with st.form("sign_in"):
        username = st.text_input("Användarnamn", key="sign_in_user", max_chars=auth.MAX_USERNAME)
        password = st.text_input("Lösenord", type="password", key="sign_in_password", max_chars=200)
        submitted = st.form_submit_button("Logga in", type="primary")
    if not submitted:
        return
    client = _client()
    wait = _THROTTLE.wait(username, client)
    if wait:
        st.error(throttle.message(wait))
        return
    try:
        users = auth.load_users(auth.users_file())
    except AsnError as exc:
        show_error(exc)
        return
    user = auth.verify(users, username, password)
    if user is None:
        people.record_sign_in(s, username, None, "lösenord", _THROTTLE.failed(username, client))
        st.error("Fel användarnamn eller lösenord.")
        return
    _THROTTLE.succeeded(username)
    people.record_sign_in(s, username, user, "lösenord")
    st.session_state[USER_KEY] = user
    st.session_state[FINGERPRINT_KEY] = auth.fingerprint(users, user.username)
    st.rerun()


def sidebar_user(user: User) -> None:
    st.sidebar.text(f"Inloggad: {user.display} · {user.role}")  # st.text: a name is never Markdown
    mode = getattr(_run, "mode", None)
    if mode == auth.LOCAL and st.sidebar.button("Logga ut"):
        st.session_state.pop(USER_KEY, None)
        st.session_state.pop(FINGERPRINT_KEY, None)
        st.rerun()
    if mode == auth.OIDC:
        st.sidebar.button("Logga ut", on_click=st.logout)


def user() -> User:
    """The user :func:`signed_in_user` found for this run; a page run without it shows nothing."""
    u = getattr(_run, "user", None)
    if u is None:
        st.stop()
    return u


def require_page(action: str) -> User:
    """Stop the page with a clear message if the signed-in user may not ``action``."""
    u = user()
    if not u.can(action):
        st.error(f"Du har inte behörighet att {action}. Din roll är {u.role}; det kräver rollen "
                 f"{auth.ACTIONS[action]}.")
        st.stop()
    return u


def _viewer() -> User | None:
    """Who is looking, as far as can be told without the store: an error may come before sign-in."""
    try:
        secrets = _secrets()
        mode = getattr(_run, "mode", None) or access.guess(secrets, db_path())
        return _session_user(mode, secrets)
    except Exception:  # cannot tell: treat as signed out
        return None


def show_error(exc: BaseException) -> None:
    """An error as this viewer may see it (:mod:`asn_dash.disclosure`): details for analytiker and
    admin, a plain message with a reference id for everyone else; never rendered as Markdown."""
    viewer = _viewer()
    shown = disclosure.report(exc, detailed=viewer is not None and viewer.can("ladda upp"))
    st.error(escape_markdown(shown.message), icon="🚫")
    if shown.details:
        st.caption(escape_markdown(shown.details))


def show_damage(exc: BaseException) -> bool:
    """Show a DuckDB error that says the store file is damaged as the store's message (which
    file, and how to restore it); False for any other error."""
    known = damage(exc, db_path())
    if known is not None:
        show_error(known)
    return known is not None


# What a cached read depends on (queries.DOMAINS); a cache is keyed by exactly those domains'
# versions, so e.g. a new comment leaves the Kolada comparisons warm and an audit row leaves all warm.
VALUES, CATALOGUE, ANNOTATIONS, KOLADA = queries.DOMAINS
EVERY_DOMAIN = queries.DOMAINS  # the safe default: everything stored except the audit log


@st.cache_data(show_spinner=False, max_entries=64)
def _years(_s: Store, path: str, version: str) -> list[int]:
    return queries.plan_years(_s)


@st.cache_data(show_spinner=False, max_entries=64)
def _latest_month(_s: Store, path: str, version: str, year: int) -> int:
    return queries.latest_month(_s, year)


def data_version(s: Store, reads: tuple[str, ...] = EVERY_DOMAIN) -> str:
    """The version of the domains a cached read ``reads``; the versions are read once per script run."""
    unknown = set(reads) - set(queries.DOMAINS)
    if unknown or not reads:
        raise ValueError(f"reads must name some of {queries.DOMAINS}, not {sorted(unknown)}")
    cached = getattr(_run, "version", None)
    if cached is None or cached[0] is not s:
        cached = _run.version = (s, queries.data_version(s))
    return "|".join(f"{d}={cached[1][d]}" for d in sorted(set(reads)))


@st.cache_data(show_spinner=False, max_entries=64)
def _reported(_s: Store, path: str, version: str) -> dict[int, str]:
    return {year: p.key for year, p in queries.latest_reported(_s).items()}


def _label(key: str) -> str:
    text = parse_key(key).label()
    return text[0].upper() + text[1:]


def sidebar_selection(s: Store) -> tuple[int, Period]:
    """Plan year and period pickers, kept in the URL (``?planar=2025&period=2025-T2``).

    URL parameters win; otherwise the default is the latest period the förvaltning has reported
    (published or uploaded figures, the reports' verdicts: T2 2025 with the seed data) and its plan
    year, never a period only exempeldata reaches; a plan year picked later opens on its own
    latest reported period."""
    years = _years(s, str(s.path), data_version(s, (CATALOGUE,)))
    reported = _reported(s, str(s.path), data_version(s, (VALUES, ANNOTATIONS)))  # year → its latest reported period
    params = st.query_params
    if YEAR_KEY not in st.session_state:
        wanted = params.get(YEAR_KEY, "")
        default = max((y for y in reported if y in years), default=years[0])
        st.session_state[YEAR_KEY] = int(wanted) if wanted.isdigit() and int(wanted) in years else default
    year = st.sidebar.selectbox("Planår", years, key=YEAR_KEY)
    options = [p.key for p in periods_for_year(year, _latest_month(s, str(s.path), data_version(s, (VALUES,)), year))]
    if st.session_state.get(PERIOD_KEY) not in options:
        wanted = params.get(PERIOD_KEY, "")
        default = reported.get(year) if reported.get(year) in options else options[0]
        st.session_state[PERIOD_KEY] = wanted if wanted in options else default
    key = st.sidebar.selectbox("Period", options, key=PERIOD_KEY, format_func=_label)
    params[YEAR_KEY] = str(year)
    params[PERIOD_KEY] = key
    return year, parse_key(key)


def selection() -> tuple[int, Period]:
    """The plan year and period chosen in the sidebar (set up by ``app.py``)."""
    return int(st.session_state[YEAR_KEY]), parse_key(st.session_state[PERIOD_KEY])


@st.cache_data(show_spinner="Beräknar bedömningar …", max_entries=128)
def _evaluation(_s: Store, path: str, version: str, year: int, period_key: str):
    return evaluation.plan_results(_s, year, parse_key(period_key))


def evaluation_for(s: Store, year: int, period: Period):
    """(indicator results, målområde summaries) for a plan year and period, cached per data version
    (every domain: values, the plan, manual statuses and overrides, Kolada ranks for quartile rules)."""
    return _evaluation(s, str(s.path), data_version(s), year, period.key)


@st.cache_data(show_spinner=False, max_entries=512)
def _call(_s: Store, _fn, name: str, path: str, version: str, args: tuple):
    return _fn(_s, *(list(a) if isinstance(a, tuple) else a for a in args))


def cached(s: Store, fn, *args, reads: tuple[str, ...] = EVERY_DOMAIN):
    """``fn(s, *args)`` cached per store file and the version of the domains it ``reads`` (some of
    VALUES, CATALOGUE, ANNOTATIONS, KOLADA; by default all of them). Only for pure reads whose
    arguments are plain values (ids, years, lists of ids); the result is copied per call."""
    return _call(s, fn, f"{fn.__module__}.{fn.__qualname__}", str(s.path), data_version(s, reads), tuple(
        tuple(a) if isinstance(a, list) else a for a in args))


@st.cache_data(show_spinner=False, max_entries=256)
def _view(_build, name: str, path: str, version: str, args: tuple):
    return _build(*args)


def view(s: Store, name: str, build, *args):
    """A page's view — ``build(*args)``, its texts and HTML fragments as plain values — kept per
    store file and data version (every domain), so a warm view neither reads nor renders again.
    ``build`` takes its data from the caches above, so when one domain changed only the reads of
    that domain compute again. ``name`` tells pages apart; ``args`` are plain values."""
    return _view(build, name, str(s.path), data_version(s), args)


@st.cache_data(show_spinner=False, max_entries=256)
def _figure(_builder, name: str, args: tuple) -> dict:
    return _builder(*args).to_dict()


def figure(builder, *args) -> dict:
    """``builder(*args)`` built once per distinct input, as the dict ``st.plotly_chart`` takes:
    Plotly's property validation makes building a figure cost 10–30 ms on every rerun."""
    return _figure(builder, f"{builder.__module__}.{builder.__qualname__}", args)


@st.cache_data(show_spinner=False)
def _static(_fn, name: str):
    return _fn()


def static(fn):
    """The result of a function without arguments that never changes (templates), made once."""
    return _static(fn, f"{fn.__module__}.{fn.__qualname__}")


@st.cache_data(show_spinner=False, max_entries=128)
def _indicator_view(_s: Store, _result, path: str, version: str, indicator_id: str, reference: float | None,
                    year: int, period_key: str):
    from asn_dash.services import views as indicator_view

    return indicator_view.build(_s, _result, year, parse_key(period_key))


def indicator_view_for(s: Store, result, year: int, period: Period):
    """The Indikator page's chart lines, references, unit breakdown and table, cached by values and
    catalogue: of the result (which also depends on annotations and Kolada) the view uses only the
    plan's rule and the baseline reference, which is part of the key."""
    return _indicator_view(s, result, str(s.path), data_version(s, (VALUES, CATALOGUE)), result.indicator_id,
                           result.assessment.reference, year, period.key)


def measures_for(s: Store, year: int, period: Period):
    """The verksamhetsmått (monthly indicators outside the plan) for the period: no targets, manual
    statuses or overrides, so only values and catalogue are read."""
    return cached(s, evaluation.measure_results, year, period, reads=(VALUES, CATALOGUE))


@st.cache_data(show_spinner=False, max_entries=32)
def _grid(_s: Store, path: str, version: str, year: int, last_month: int):
    s = _s
    data = evaluation.load_plan(s, year, *evaluation.month_periods(year, last_month))
    return evaluation.month_grid(s, data, last_month)


def month_grid_for(s: Store, year: int, period: Period):
    return _grid(s, str(s.path), data_version(s), year, period.last_month)


CHART_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["toImage"]}  # images: chart_downloads


def deferred(make):
    """``make(store)`` as data for ``st.download_button``: Streamlit calls it when the button is
    clicked, after this run has handed its store back, so it borrows the shared connection itself."""
    path = db_path()

    def run():
        s = shared(path).acquire(wait=lock_wait(), prepare=_prepare)
        try:
            return make(s)
        finally:
            s.close()

    return run


def chart_downloads(make_figure, stem: str, key: str) -> None:
    """PNG and SVG buttons for a chart; the image is drawn (kaleido) only when clicked.

    ``make_figure(store)`` returns the figure as it may leave the dashboard (small numbers masked,
    source line under it); Plotly's own camera button is removed so that is the only way out."""
    from asn_dash.meeting import images

    png, svg, _ = st.columns([1, 1, 4])
    png.download_button("Bild (PNG)", data=deferred(lambda s: images.render(make_figure(s), "png", images.PAPER)),
                        file_name=f"{stem}.png", mime="image/png", on_click="ignore", key=f"{key}_png",
                        icon=":material/image:")
    svg.download_button("Bild (SVG)", data=deferred(lambda s: images.render(make_figure(s), "svg", images.PAPER)),
                        file_name=f"{stem}.svg", mime="image/svg+xml", on_click="ignore", key=f"{key}_svg",
                        icon=":material/image:")


def html(fragment: str, script: bool = False) -> None:
    """Show one of ``asn_dash.render``'s fragments (our own markup, all texts escaped). ``script``:
    run its JavaScript — only for a constant fragment with no text from outside."""
    st.html(fragment, unsafe_allow_javascript=script)


def lazy_expander(label: str, key: str):
    """An expander whose content is drawn only while it is open: the container when open, else
    None. Every element costs the server on each view; closed forms are most of some pages'."""
    box = st.expander(label, key=key, on_change="rerun")
    return box if box.open else None
