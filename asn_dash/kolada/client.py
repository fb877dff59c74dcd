"""Kolada REST API v3 client and pulls into the store.

Endpoints used (base URL from ``KOLADA_BASE_URL``, default ``https://api.kolada.se/v3``):

* ``/kpi/{ids}``                               KPI metadata
* ``/kpi_groups?title=…``                      KPI groups (KKiK is looked up by title)
* ``/municipality``                            municipalities and regions (riket = ``0000``)
* ``/municipality_groups?title=…``             groups such as "Liknande kommuner …, Tyresö, …"
* ``/data/kpi/{kpis}/municipality/{ids}/year/{years}`` and, for all municipalities,
  ``/data/kpi/{kpis}/year/{years}``            values (≤ 25 ids per segment)

Every list is paged (``per_page`` ≤ 5000) and followed through ``next_url`` until it is
missing or empty; a ``next_url`` that repeats, leads off the configured host, or more pages than
any real answer needs, is an error. Each request is bounded in time and size, and retried with
backoff (:mod:`asn_dash.kolada.transport`); every field of every answer is checked
(:mod:`asn_dash.kolada.answers`: a malformed field refuses the pull), and only what was asked
for is kept (:mod:`asn_dash.kolada.scope`: the rest is counted in the summary).

A pull is two steps: :func:`fetch` gets everything over the network without touching the store,
then :func:`save` replaces the stored rows in one short transaction. The command line opens the
store only for the second step, so a slow or hostile Kolada never keeps uploads waiting, and a
failure half-way leaves the stored Kolada data as it was.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import requests
from requests.adapters import HTTPAdapter

from asn_dash.auth import User, require
from asn_dash.formatting import format_number
from asn_dash.kolada import KoladaError, answers
from asn_dash.kolada.scope import Scope
from asn_dash.kolada.transport import (
    MAX_RETRY_AFTER,
    RETRY_STATUSES,
    BoundedRetry,
    Limits,
    WaitTooLong,
    limits_from_env,
    read_body,
    safe_next,
)
from asn_dash.store.kolada_snapshot import kpi_row
from asn_dash.store.store import Store, audit, transaction

DEFAULT_BASE_URL = "https://api.kolada.se/v3"
MAX_IDS = 25
PER_PAGE = 5000
RIKET = "0000"
TYRESO = "0138"
STOCKHOLMS_LAN = "Stockholms läns kommuner"
KKIK_TITLE = "kvalitet i korthet"
IFO_AREAS = {"Individ- och familjeomsorg", "Arbetsmarknad", "Ekonomiskt bistånd", "Arbetsmarknadsåtgärder"}
MAX_PAGES = 1000  # per listing: 5 000 000 objects at 5000 a page, far more than any pull needs
MAX_REDIRECTS = 5
COLUMNS = ["kpi", "municipality", "year", "gender", "value", "count", "status"]


def base_url(explicit: str | None = None) -> str:
    return (explicit or os.environ.get("KOLADA_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def chunks(items: list[str], size: int = MAX_IDS) -> list[list[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


@dataclass
class Client:
    base: str = field(default_factory=base_url)
    timeout: float = 30.0  # seconds any one read may wait (connect: limits.connect_timeout)
    retries: int = 4
    backoff: float = 1.0  # seconds: no wait before the first retry, then 2×, 4×, 8× this (urllib3's schedule)
    sleep: Callable[[float], None] = time.sleep
    max_retry_after: float = MAX_RETRY_AFTER
    max_pages: int = MAX_PAGES
    session: requests.Session = field(default_factory=requests.Session)
    calls: int = 0
    on_call: Callable[[str], None] | None = None
    limits: Limits = field(default_factory=Limits)  # size cap and body deadline (timeout/backoff: the fields above)

    @classmethod
    def from_env(cls, **kwargs) -> "Client":
        """A client with the ``ASN_KOLADA_*`` limits (see :func:`transport.limits_from_env`)."""
        limits = limits_from_env()
        return cls(backoff=limits.backoff, limits=limits, **kwargs)

    def __post_init__(self) -> None:
        retry = BoundedRetry(total=self.retries, status_forcelist=RETRY_STATUSES, allowed_methods={"GET"},
                             backoff_factor=self.backoff, raise_on_status=False, respect_retry_after_header=True,
                             max_wait=self.max_retry_after, sleeper=self.sleep)
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def _open(self, url: str) -> requests.Response:
        """The streamed response at ``url``, after retries; redirects are not followed here."""
        tries = f"efter {self.retries + 1} försök"
        try:
            response = self.session.get(url, timeout=(self.limits.connect_timeout, self.timeout), stream=True,
                                        allow_redirects=False)
        except WaitTooLong as exc:
            raise KoladaError(f"Kolada bad om att vänta {exc.seconds:.0f} s (Retry-After), längre än de "
                              f"{self.max_retry_after:.0f} s en hämtning väntar; hämtningen avbröts. Försök igen "
                              f"senare: {url}") from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            reason = getattr(exc.args[0], "reason", None) if exc.args else None
            problem = type(reason).__name__ if reason is not None else type(exc).__name__
            raise KoladaError(f"Kolada gick inte att nå {tries} ({problem}): {url}") from None
        except requests.RequestException as exc:  # e.g. an invalid URL
            raise KoladaError(f"Kolada gick inte att fråga ({type(exc).__name__}): {url}") from None
        if response.status_code in RETRY_STATUSES:
            response.close()
            raise KoladaError(f"Kolada gick inte att nå {tries} (HTTP {response.status_code}): {url}")
        return response

    def _get(self, url: str) -> dict:
        """The JSON object at ``url`` (a 404 is an empty list), read within the limits. A redirect
        is followed only to the configured host, like a next page."""
        self.calls += 1
        if self.on_call:
            self.on_call(url)
        asked, response = url, self._open(url)
        for _ in range(MAX_REDIRECTS):
            if not response.is_redirect:
                break
            response.close()
            try:
                url = safe_next(url, response.headers["Location"], self.base, "omdirigeringen (Location)")
            except KoladaError as exc:
                raise KoladaError(f"Kolada skickade en omdirigering som inte följs: {exc.sv}; hämtningen "
                                  f"avbröts: {asked}") from None
            response = self._open(url)
        if response.status_code != 200:
            response.close()
            if response.status_code == 404:
                return {"values": []}
            raise KoladaError(f"Kolada svarade {response.status_code} på {url}")
        body = read_body(response, self.limits, url)
        try:
            return json.loads(body)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested beyond the parser
            raise KoladaError(f"Kolada svarade med något som inte är JSON: {url}") from None

    def pages(self, path: str, query: str = "", check: Callable[[object, str], object] = answers.passed
              ) -> Iterator:
        """Every object of a paged list, each passed through ``check(obj, where)``, following
        next_url until it is empty. A next_url seen before or leading off the configured host,
        more than ``max_pages`` pages, or a malformed field is an error naming the page's URL."""
        sep = "&" if "?" in path or query else "?"
        url = f"{self.base}{path}{('?' + query) if query else ''}{sep}per_page={PER_PAGE}"
        seen: set[str] = set()
        while url:
            if url in seen:
                raise KoladaError(f"Kolada skickade samma sida igen (next_url upprepas); hämtningen avbröts: {url}")
            if len(seen) >= self.max_pages:
                raise KoladaError(f"Kolada skickade fler än {self.max_pages} sidor för en enda fråga; hämtningen "
                                  f"avbröts: {url}")
            seen.add(url)
            body = self._get(url)
            try:
                values, following = answers.envelope(body)
                checked = [check(obj, f"values[{i}]") for i, obj in enumerate(values)]
            except answers.Malformed as exc:
                raise KoladaError(f"Kolada svarade med ogiltig data: {exc.where} {exc.problem}; hämtningen "
                                  f"avbröts: {url}") from None
            yield from checked
            if following:
                try:
                    following = safe_next(url, following, self.base)
                except KoladaError as exc:
                    raise KoladaError(f"Kolada skickade en nästa sida som inte följs: {exc.sv}; hämtningen "
                                      f"avbröts: {url}") from None
            url = following or ""

    # --- metadata ---------------------------------------------------------------------

    def kpis(self, ids: list[str]) -> list[dict]:
        return [k for part in chunks(ids) for k in self.pages(f"/kpi/{','.join(part)}", check=answers.kpi)]

    def kpi_groups(self, title: str) -> list[dict]:
        return list(self.pages("/kpi_groups", f"title={requests.utils.quote(title)}", answers.group))

    def municipalities(self) -> list[dict]:
        return list(self.pages("/municipality", check=answers.municipality))

    def municipality_groups(self, title: str) -> list[dict]:
        return list(self.pages("/municipality_groups", f"title={requests.utils.quote(title)}", answers.group))

    # --- data -------------------------------------------------------------------------

    def values(self, kpis: list[str], municipalities: list[str] | None, years: list[int]) -> Iterator[list[tuple]]:
        """Checked data objects (as rows, see :func:`answers.data_rows`) for every KPI ×
        municipality (None: all) × year, in as few calls as the 25-ids-per-segment limit and
        paging allow."""
        year_parts = chunks([str(y) for y in years])
        for kpi_part in chunks(kpis):
            for year_part in year_parts:
                if municipalities is None:
                    yield from self.pages(f"/data/kpi/{','.join(kpi_part)}/year/{','.join(year_part)}",
                                          check=answers.data_rows)
                else:
                    for mun_part in chunks(municipalities):
                        yield from self.pages(f"/data/kpi/{','.join(kpi_part)}/municipality/{','.join(mun_part)}"
                                              f"/year/{','.join(year_part)}", check=answers.data_rows)


def flatten(objects: Iterable[dict]) -> pd.DataFrame:
    """API data objects → rows (kpi, municipality, year, gender, value, count, status), each field
    checked (:func:`answers.data_rows`). Deleted rows are dropped; a null value stays null."""
    rows = [row for i, obj in enumerate(objects) for row in answers.data_rows(obj, f"values[{i}]")]
    return pd.DataFrame(rows, columns=COLUMNS)


@dataclass
class PullResult:
    kpis: list[str]
    rows: int
    calls: int
    seconds: float
    empty_kpis: list[str]
    ignored: int = 0  # values in Kolada's answers outside the requested KPIs × municipalities × years
    ignored_other: int = 0  # KPI metadata, groups and group members not asked for

    def line(self) -> str:
        warn = f"; inga värden för {', '.join(self.empty_kpis)}" if self.empty_kpis else ""
        if self.ignored:
            warn += (f"; {format_number(self.ignored)} {'värde' if self.ignored == 1 else 'värden'} utanför "
                     f"beställningen ignorerades")
        if self.ignored_other:
            warn += (f"; {format_number(self.ignored_other)} {'annan post' if self.ignored_other == 1 else 'andra poster'}"
                     f" utanför beställningen ignorerades")
        return (f"Kolada: {format_number(self.rows)} värden för {len(self.kpis)} nyckeltal hämtade med "
                f"{format_number(self.calls)} anrop "
                f"på {format_number(self.seconds, 1)} s{warn}.")


@dataclass
class Pulled:
    """Everything one pull fetched and kept (see :mod:`asn_dash.kolada.scope`), before anything is stored."""

    kpis: list[str]
    municipalities: list[str] | None
    years: list[int]
    frame: pd.DataFrame
    meta: list[dict]
    muns: list[dict]
    groups: list[dict]
    calls: int
    seconds: float
    ignored: int = 0
    ignored_other: int = 0

    @property
    def empty_kpis(self) -> list[str]:
        return sorted(set(self.kpis) - set(self.frame["kpi"]))


def fetch(client: Client, by: User, kpis: list[str], municipalities: list[str] | None,
          years: list[int]) -> Pulled:
    """Fetch a pull over the network and keep only what was asked for; the store is not touched
    (see :func:`save`)."""
    require(by, "hämta från Kolada")
    started = time.perf_counter()
    rows = [row for obj in client.values(kpis, municipalities, years) for row in obj]
    meta = client.kpis(kpis)
    muns = client.municipalities() if municipalities is None else []
    if municipalities is None and not muns:
        raise KoladaError(f"Kolada skickade en tom kommunlista; hämtningen avbröts: {client.base}/municipality")
    scope = Scope(set(kpis), set(municipalities) if municipalities is not None else {m["id"] for m in muns},
                  set(years))
    frame = pd.DataFrame(scope.values(rows), columns=COLUMNS)
    meta = scope.kpi_meta(meta)
    # group ids change when Kolada recomputes them: look Tyresö's groups up by title
    groups = ([g for title in ("Tyresö", STOCKHOLMS_LAN)
               for g in scope.groups(client.municipality_groups(title), title)] if municipalities is None else [])
    return Pulled(kpis, municipalities, years, frame, meta, muns, groups, client.calls,
                  time.perf_counter() - started, scope.ignored_values, scope.ignored_other)


def save(store: Store, by: User, pulled: Pulled) -> PullResult:
    """Replace the stored rows for the pulled KPIs, years and municipalities in one transaction."""
    require(by, "hämta från Kolada")
    frame, kpis = pulled.frame.copy(), pulled.kpis
    fetched = datetime.now().replace(microsecond=0)
    frame["fetched_at"] = fetched
    cur = store.con.cursor()
    try:
        cur.register("pulled", frame)
        with transaction(cur):
            scope = "list_contains(?, kpi) AND list_contains(?, year)"
            params: list = [kpis, pulled.years]
            if pulled.municipalities is not None:
                scope += " AND list_contains(?, municipality)"
                params.append(pulled.municipalities)
            # upsert, then drop what Kolada no longer has in the pulled scope (DuckDB cannot
            # delete and re-insert the same key within one transaction)
            cur.execute("INSERT INTO kolada_values SELECT kpi, municipality, year, gender, value, count, status,"
                        " fetched_at FROM pulled ON CONFLICT (kpi, municipality, year, gender) DO UPDATE SET"
                        " value = excluded.value, count = excluded.count, status = excluded.status,"
                        " fetched_at = excluded.fetched_at").fetchall()
            cur.execute(f"DELETE FROM kolada_values v WHERE {scope} AND NOT EXISTS (SELECT 1 FROM pulled p"
                        " WHERE p.kpi = v.kpi AND p.municipality = v.municipality AND p.year = v.year"
                        " AND p.gender = v.gender)", params).fetchall()
            for k in pulled.meta:
                cur.execute("INSERT OR REPLACE INTO kolada_kpis VALUES (?,?,?,?,?,?,?,?)", kpi_row(k, fetched)).fetchall()
            for m in pulled.muns:
                cur.execute("INSERT OR REPLACE INTO kolada_municipalities VALUES (?,?,?)",
                            [m["id"], m["title"], m.get("type", "K")]).fetchall()
            for g in pulled.groups:
                cur.execute("INSERT OR REPLACE INTO kolada_groups VALUES (?, ?)", [g["id"], g["title"]]).fetchall()
                cur.execute("DELETE FROM kolada_group_members WHERE group_id = ?", [g["id"]]).fetchall()
                for member in g.get("members", []):
                    cur.execute("INSERT OR IGNORE INTO kolada_group_members VALUES (?, ?)",
                                [g["id"], member["member_id"]]).fetchall()
            cur.execute("INSERT OR REPLACE INTO meta VALUES ('kolada_fetched_at', ?)", [fetched.isoformat()]).fetchall()
            cur.execute("DELETE FROM meta WHERE key = 'kolada_last_error'").fetchall()
            audit(cur, by.username, "kolada-hämtning", ",".join(kpis)[:200], f"{len(frame)} värden")
        cur.unregister("pulled")
    finally:
        cur.close()
    return PullResult(kpis, len(frame), pulled.calls, pulled.seconds, pulled.empty_kpis, pulled.ignored,
                      pulled.ignored_other)


def pull(store: Store, by: User, client: Client, kpis: list[str], municipalities: list[str] | None,
         years: list[int]) -> PullResult:
    """:func:`fetch` then :func:`save`; a failed fetch is remembered in the store (the
    Jämförelser page says its data is older) and re-raised."""
    try:
        pulled = fetch(client, by, kpis, municipalities, years)
    except KoladaError as exc:
        remember_failure(store, exc.sv)
        raise
    return save(store, by, pulled)


def remember_failure(store: Store, message: str) -> None:
    with store.writing() as cur:
        cur.execute("INSERT OR REPLACE INTO meta VALUES ('kolada_last_error', ?)",
                    [f"{datetime.now():%Y-%m-%d %H:%M}: {message}"]).fetchall()


def kkik_members(client: Client) -> list[str]:
    """The KKiK "alla mått" group's KPI ids, looked up by title."""
    groups = [g for g in client.kpi_groups(KKIK_TITLE) if KKIK_TITLE in g["title"].lower()]
    chosen = next((g for g in groups if "alla mått" in g["title"].lower()), groups[0] if groups else None)
    if chosen is None:
        raise KoladaError("Hittar ingen KPI-grupp för Kommunens kvalitet i korthet i Kolada.")
    return [m["member_id"] for m in chosen["members"]]


def status(store: Store) -> pd.DataFrame:
    return store.query(
        "SELECT v.kpi, coalesce(k.title, '') AS title, count(*) AS values, count(DISTINCT v.municipality) AS municipalities,"
        " min(v.year) AS first_year, max(v.year) AS last_year, max(v.fetched_at) AS fetched_at"
        " FROM kolada_values v LEFT JOIN kolada_kpis k ON k.id = v.kpi GROUP BY v.kpi, k.title ORDER BY v.kpi")


__all__ = ["Client", "KoladaError", "fetch", "save", "pull", "remember_failure", "flatten", "status", "kkik_members"]
