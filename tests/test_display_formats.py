"""What a person reads on Om data, Logg and Ladda upp is in Swedish formats: counts ``5 983``,
dates ``2019-01-31``, times ``2025-09-02 14:05`` (never ``00:00:00``), sizes ``5,8 MB``."""

import re

import pytest

from asn_dash import auth
from asn_dash.formatting import NBSP

from .apptest import new_app, open_page, sign_in
from .ingest_helpers import csv_bytes

TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def test_om_data_counts_dates_and_store_size(seeded_db, s, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    stored = {r.source: r.antal for r in s.query(
        "SELECT source, count(*) AS antal FROM observations GROUP BY source").itertuples()}
    assert max(stored.values()) >= 1000  # so the thousands separator shows
    at = open_page("pages/om_data.py")
    assert not at.exception
    table = at.dataframe[0].value
    counts = sorted(table["Antal värden"])
    assert counts == sorted(f"{n:,}".replace(",", NBSP) for n in stored.values())
    assert all(DATE.match(v) for v in table["Första period"].tolist() + table["Sista period"].tolist())
    caption = next(c.value for c in at.caption if "datalagrets storlek" in c.value)  # the path is for admin only
    assert re.search(rf"storlek \d+,\d{NBSP}(kB|MB)$", caption), caption


def test_upload_log_times_and_counts(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = open_page("pages/ladda_upp.py")
    at.file_uploader(key="upload_file").set_value(
        ("ok.csv", csv_bytes("indikator;period;värde\nplac_lvm;2025-09;2\n"), "text/csv")).run()
    next(b for b in at.button if b.label == "Läs in").click().run()
    assert not at.exception
    log = at.dataframe[-1].value
    row = log.iloc[0]
    assert TIME.match(row["Tid"]) and row["Ångrad"] == ""
    assert row[["Nya", "Ändrade", "Oförändrade", "Varningar"]].tolist() == ["0", "1", "0", "0"]  # a demo value replaced
    next(b for b in at.button if b.label == "Ångra uppladdningen").click().run()
    assert TIME.match(at.dataframe[-1].value.iloc[0]["Ångrad"])


@pytest.fixture
def admin(tmp_path, seeded_db, monkeypatch):
    users = tmp_path / "users.toml"
    auth.add_user(users, "ada", "Ada Admin", "admin", "admin-losen-123")
    monkeypatch.setenv("ASN_USERS", str(users))
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    return sign_in(new_app(), "ada", "admin-losen-123")


def test_log_times_have_minutes_not_seconds(admin):
    admin.switch_page("pages/logg.py").run()
    assert not admin.exception
    times = admin.dataframe[0].value["Tid"].tolist()
    assert times and all(TIME.match(t) for t in times), times


def test_kolada_pull_summary_has_a_decimal_comma():
    from asn_dash.kolada.client import PullResult

    line = PullResult(kpis=["N31814"], rows=1234, calls=3, seconds=2.25, empty_kpis=[]).line()
    assert line.startswith(f"Kolada: 1{NBSP}234 värden för 1 nyckeltal hämtade med 3 anrop på 2,3 s.")
