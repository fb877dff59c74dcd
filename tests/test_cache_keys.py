"""Cached reads are keyed by the domains of data they read (values, catalogue, annotations, Kolada):
an audit row (a sign-in, failed or not) keeps every page warm, and a value upload, a comment and a
Kolada pull each make exactly the caches that read them compute again."""

import functools

import pytest

from asn_dash import annotations, auth, cli, people
from asn_dash.kolada import client as kolada
from asn_dash.kolada import comparison
from asn_dash.services import evaluation, outlook, views
from asn_dash.store import queries
from asn_dash.store.setup import open_store
from asn_dash.uploads import history

from .apptest import new_app
from .ingest_helpers import csv_bytes
from .kolada_server import FakeKolada

PAGES = ["pages/oversikt.py", "pages/indikator.py", "pages/jamforelser.py", "pages/presentation.py",
         "pages/ladda_upp.py"]

# what a page run computes when its cache is cold → the function that does it
WATCHED = {
    "plan evaluation": (evaluation, "plan_results"),        # Översikt, Indikator, Presentation
    "month grid": (evaluation, "month_grid"),               # Översikt
    "indicator view": (views, "build"),                     # Indikator
    "measures": (evaluation, "measure_results"),            # Presentation
    "outlooks": (outlook, "plan_outlooks"),                 # Översikt, Indikator (Prognos helår)
    "comments": (annotations, "comments"),                  # Indikator
    "peer groups": (comparison, "peer_groups"),             # Jämförelser
    "uploads list": (history, "list_uploads"),              # Ladda upp
    "plan years": (queries, "plan_years"),                  # the sidebar
    "latest month": (queries, "latest_month"),              # the sidebar
}
ANALYST = auth.User("anna", "Anna Analytiker", auth.ANALYTIKER)


@pytest.fixture
def calls(monkeypatch):
    counted = dict.fromkeys(WATCHED, 0)
    for name, (module, attr) in WATCHED.items():
        original = getattr(module, attr)

        @functools.wraps(original)
        def counting(*args, _name=name, _original=original, **kwargs):
            counted[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, attr, counting)
    return counted


@pytest.fixture
def app(seeded_db, monkeypatch, calls):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app()
    at.run()
    recomputed(at, calls)  # every page once: the caches are warm
    return at


def recomputed(at, calls) -> set[str]:
    """Run every page once; what had to be computed again."""
    for name in calls:
        calls[name] = 0
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
    return {name for name, n in calls.items() if n}


def writing(db, change) -> None:
    s = open_store(db)
    try:
        change(s)
    finally:
        s.close()


def test_sign_ins_keep_every_cache_warm(app, calls, seeded_db):
    assert recomputed(app, calls) == set()
    writing(seeded_db, lambda s: people.record_sign_in(s, "mallory", None, "lösenord"))
    assert recomputed(app, calls) == set()
    # a person's first sign-in may name the author of a comment, so it counts as annotations …
    writing(seeded_db, lambda s: people.record_sign_in(s, "anna", ANALYST, "lösenord"))
    recomputed(app, calls)
    # … but signing in again changes nothing anyone sees
    writing(seeded_db, lambda s: people.record_sign_in(s, "anna", ANALYST, "lösenord"))
    assert recomputed(app, calls) == set()


def test_a_comment_recomputes_only_what_reads_annotations(app, calls, seeded_db):
    writing(seeded_db, lambda s: annotations.add_comment(s, ANALYST, "hushall_ekb", "2025-08", "Fler ansökningar."))
    assert recomputed(app, calls) == {"plan evaluation", "month grid", "comments"}


def test_a_value_upload_recomputes_only_what_reads_values(app, calls, seeded_db, tmp_path):
    upload = tmp_path / "hushall.csv"
    upload.write_bytes(csv_bytes("indikator;period;värde\nhushall_ekb;2025-09;401\n"))
    assert cli.main(["ingest", str(upload), "--db", str(seeded_db), "--user", "anna"]) == 0
    assert recomputed(app, calls) == {"plan evaluation", "month grid", "indicator view", "measures", "outlooks",
                                      "uploads list", "latest month"}


def test_a_kolada_pull_recomputes_only_what_reads_kolada(app, calls, seeded_db):
    fake = FakeKolada([("U31402", "0138", 2024, "T", 7.0)], [{"id": "0138", "title": "Tyresö", "type": "K"}],
                      [{"id": "U31402", "title": "Väntetid försörjningsstöd"}], [])
    url = fake.start()
    try:
        client = kolada.Client(base=url, timeout=5, backoff=0.01, sleep=lambda _: None)
        writing(seeded_db, lambda s: kolada.pull(s, auth.cli_user("test"), client, ["U31402"], ["0138"], [2024]))
    finally:
        fake.stop()
    assert recomputed(app, calls) == {"plan evaluation", "month grid", "peer groups"}


def test_each_domain_has_its_own_version(s):
    before = queries.data_version(s)
    assert set(before) == set(queries.DOMAINS)
    people.record_sign_in(s, "mallory", None, "lösenord")
    assert queries.data_version(s) == before
    annotations.add_comment(s, ANALYST, "hushall_ekb", "2025-08", "Text")
    after = queries.data_version(s)
    assert {d for d in queries.DOMAINS if after[d] != before[d]} == {queries.ANNOTATIONS}
    with s.writing() as cur:  # a verdict table, as a later migration may add, counts as annotations
        cur.execute("CREATE TABLE indicator_verdicts (indicator_id VARCHAR, verdict VARCHAR)").fetchall()
    with_table = queries.data_version(s)
    with s.writing() as cur:
        cur.execute("INSERT INTO indicator_verdicts VALUES ('hushall_ekb', 'Grön')").fetchall()
    changed = queries.data_version(s)
    assert {d for d in queries.DOMAINS if changed[d] != with_table[d]} == {queries.ANNOTATIONS}
