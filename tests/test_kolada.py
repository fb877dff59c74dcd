"""Kolada client and pulls against a real HTTP server on 127.0.0.1 (tests/kolada_server.py)."""

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from asn_dash import cli
from asn_dash.auth import cli_user
from asn_dash.kolada import client as kolada
from asn_dash.rules.assessment import rank_among
from asn_dash.store.setup import open_store

from .ingest_helpers import dump
from .kolada_server import FakeKolada

ROOT = Path(__file__).resolve().parent.parent
ADMIN = cli_user("test")
MUNS = [{"id": "0000", "title": "Riket", "type": "L"}] + [
    {"id": f"{n:04d}", "title": f"Kommun {n}", "type": "K"} for n in range(114, 175) if n != 138] + [
    {"id": "0138", "title": "Tyresö", "type": "K"}]
KPIS = [{"id": "N31814", "title": "Vuxna biståndsmottagare med långvarigt ekonomiskt bistånd", "operating_area":
         "Individ- och familjeomsorg", "is_divided_by_gender": True, "municipality_type": "K"},
        {"id": "U31402", "title": "Väntetid försörjningsstöd", "operating_area": "Individ- och familjeomsorg"},
        {"id": "N15033", "title": "Skola", "operating_area": "Grundskola"}]
GROUPS = [{"id": "GKPI118", "title": "Kommunens kvalitet i korthet (KKiK) - alla mått",
           "members": [{"member_id": "U31402", "member_title": "Väntetid"},
                       {"member_id": "N15033", "member_title": "Skola"}]}]


def dataset():
    rows = []
    for m in MUNS:
        for year in (2021, 2022, 2023):
            base = int(m["id"]) % 50
            rows += [("N31814", m["id"], year, "T", 30.0 + base / 10), ("N31814", m["id"], year, "K", 31.0),
                     ("N31814", m["id"], year, "M", None if m["id"] == "0114" else 29.0),
                     ("U31402", m["id"], year, "T", float(5 + base))]
    return rows


@pytest.fixture
def server():
    fake = FakeKolada(dataset(), MUNS, KPIS, GROUPS, max_per_page=100)
    url = fake.start()
    yield fake, url
    fake.stop()


def client(url, **kw):
    sleeps = []
    c = kolada.Client(base=url, timeout=kw.pop("timeout", 5), backoff=0.01, sleep=sleeps.append, **kw)
    return c, sleeps


@pytest.fixture
def store(s):
    return s


def stored(s, kpi, mun, year, gender="T"):
    return s.scalar("SELECT value FROM kolada_values WHERE kpi=? AND municipality=? AND year=? AND gender=?",
                    [kpi, mun, year, gender])


def test_multi_page_pull_of_all_municipalities(server, store):
    fake, url = server
    c, _ = client(url)
    result = kolada.pull(store, ADMIN, c, ["N31814", "U31402"], None, [2021, 2022, 2023])
    objects = 2 * len(MUNS) * 3  # one data object per KPI × municipality × year
    assert result.rows == len(MUNS) * 3 * 4  # T/K/M for N31814, T for U31402
    data_calls = [r for r in fake.requests if r.startswith("/v3/data/")]
    assert len(data_calls) == -(-objects // 100)  # exactly the pages needed at 100 per page
    assert data_calls[0].startswith("/v3/data/kpi/N31814,U31402/year/2021,2022,2023?per_page=5000")
    assert stored(store, "N31814", "0138", 2022, "K") == 31.0
    assert stored(store, "N31814", "0114", 2022, "M") is None  # missing stays missing, not zero
    assert store.scalar("SELECT count(*) FROM kolada_values WHERE kpi='N31814' AND municipality='0114'"
                        " AND year=2022 AND gender='M' AND value IS NULL") == 1
    assert result.calls == len(fake.requests)


def test_peer_groups_are_refreshed_by_title(server, store):
    fake, url = server
    fake.municipality_groups = [{"id": "G999999", "title": "Liknande kommuner IFO, Tyresö, 2026",
                                 "members": [{"member_id": "0114", "member_title": "Kommun 114"}]}]
    c, _ = client(url)
    kolada.pull(store, ADMIN, c, ["U31402"], None, [2022])
    assert any(r.startswith("/v3/municipality_groups?title=Tyres%C3%B6") for r in fake.requests)
    assert store.scalar("SELECT title FROM kolada_groups WHERE id = 'G999999'") == "Liknande kommuner IFO, Tyresö, 2026"
    assert store.scalar("SELECT count(*) FROM kolada_group_members WHERE group_id = 'G999999'") == 1


def test_ids_are_sent_in_segments_of_at_most_25(server, store):
    fake, url = server
    c, _ = client(url)
    muns = [m["id"] for m in MUNS]
    kolada.pull(store, ADMIN, c, ["N31814"], muns, [2022])
    data_calls = [r for r in fake.requests if r.startswith("/v3/data/")]
    assert len(data_calls) == -(-len(muns) // 25)
    for call in data_calls:
        segment = call.split("/municipality/")[1].split("/")[0]
        assert len(segment.split(",")) <= 25
    assert store.scalar("SELECT count(DISTINCT municipality) FROM kolada_values WHERE kpi='N31814' AND year=2022"
                        " AND fetched_at > TIMESTAMP '2025-01-01'") == len(muns)


def test_429_with_retry_after_is_honoured(server, store):
    fake, url = server
    fake.faults = [{"status": 429, "headers": {"Retry-After": "3"}}]
    c, sleeps = client(url)
    kolada.pull(store, ADMIN, c, ["U31402"], ["0138"], [2022])
    assert sleeps[0] == 3.0
    assert stored(store, "U31402", "0138", 2022) == 43.0


def test_5xx_and_timeouts_are_retried_with_backoff(server, store):
    fake, url = server
    fake.faults = [{"status": 500}, {"status": 503}, {"delay": 4}]
    c, sleeps = client(url, timeout=2)
    kolada.pull(store, ADMIN, c, ["U31402"], ["0138"], [2022])
    assert sleeps == [0.02, 0.04]  # urllib3's schedule: the first retry at once, then 2×, 4× the backoff
    data = [r for r in fake.requests if r.startswith("/v3/data/")]
    assert len(data) == 4 and len(set(data)) == 1  # three failures, then the same call answered
    assert stored(store, "U31402", "0138", 2022) == 43.0


def test_a_retry_after_beyond_the_cap_fails_at_once_with_the_reason(server, store):
    fake, url = server
    before = store.query("SELECT * FROM kolada_values ORDER BY ALL")
    fake.faults = [{"status": 429, "headers": {"Retry-After": "3600"}}]
    c, sleeps = client(url)
    with pytest.raises(kolada.KoladaError, match="vänta 3600 s \\(Retry-After\\), längre än de 60 s"):
        kolada.pull(store, ADMIN, c, ["U31402"], ["0138"], [2022])
    assert sleeps == [] and len(fake.requests) == 1
    assert store.query("SELECT * FROM kolada_values ORDER BY ALL").equals(before)


def test_a_next_url_that_repeats_is_an_error_not_a_loop(server, store):
    fake, url = server
    first = f"{url}/data/kpi/U31402/year/2022?per_page=5000"
    fake.faults = [{"status": 200, "body": json.dumps({"values": [], "next_url": first}).encode()}]
    c, _ = client(url)
    with pytest.raises(kolada.KoladaError, match="samma sida igen \\(next_url upprepas\\)"):
        kolada.pull(store, ADMIN, c, ["U31402"], None, [2022])
    assert len(fake.requests) == 1


def test_more_pages_than_any_answer_needs_is_an_error(server, store):
    fake, url = server
    c, _ = client(url, max_pages=2)  # the fixture serves 100 objects a page: this pull needs 4
    with pytest.raises(kolada.KoladaError, match="fler än 2 sidor"):
        kolada.pull(store, ADMIN, c, ["N31814", "U31402"], None, [2021, 2022, 2023])
    assert len(fake.requests) == 2


def test_a_pull_holds_the_store_only_to_save_it(server, seeded_db, tmp_path, capsys):
    """While a pull waits on a slow Kolada, another process writes the store (an upload); then the
    pull finishes and stores its values."""
    fake, url = server
    fake.gate = threading.Event()
    result = {}
    pull = threading.Thread(target=lambda: result.update(code=cli.main([
        "kolada", "pull", "--kpi", "U31402", "--municipality", "0138", "--from", "2022", "--to", "2022",
        "--base-url", url, "--db", str(seeded_db)])))
    pull.start()
    try:
        assert fake.data_requested.wait(60)  # the pull is fetching now
        upload = tmp_path / "u.csv"
        upload.write_text("indikator;period;värde\nhushall_ekb;2025-09;399\n", encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "asn_dash", "ingest", str(upload), "--db", str(seeded_db),
                               "--wait", "0"], capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert done.returncode == 0, done.stderr
    finally:
        fake.gate.set()
        pull.join(120)
    assert result["code"] == 0
    s = open_store(seeded_db)
    try:
        assert stored(s, "U31402", "0138", 2022) == 43.0
        assert s.scalar("SELECT value FROM observations WHERE indicator_id = 'hushall_ekb' AND period = '2025-09'"
                        " AND unit_id = 'aos'") == 399
    finally:
        s.close()


def test_failed_pull_keeps_the_old_data(server, store, seeded_db):
    fake, url = server
    before = store.query("SELECT * FROM kolada_values ORDER BY ALL")
    fake.faults = [{"status": 500}] * 10
    c, _ = client(url, retries=2)
    with pytest.raises(kolada.KoladaError, match="efter 3 försök \\(HTTP 500\\)"):
        kolada.pull(store, ADMIN, c, ["N31814"], None, [2021, 2022])
    assert store.query("SELECT * FROM kolada_values ORDER BY ALL").equals(before)
    assert "HTTP 500" in store.scalar("SELECT value FROM meta WHERE key = 'kolada_last_error'")


def test_failure_on_a_later_page_keeps_the_old_data(server, store):
    fake, url = server
    before = store.query("SELECT * FROM kolada_values ORDER BY ALL")
    c, _ = client(url, retries=0)
    original = c._get
    calls = [0]

    def fail_on_third(u):
        calls[0] += 1
        if calls[0] == 3:
            raise kolada.KoladaError(f"simulated failure: {u}")
        return original(u)
    c._get = fail_on_third
    with pytest.raises(kolada.KoladaError):
        kolada.pull(store, ADMIN, c, ["N31814", "U31402"], None, [2021, 2022, 2023])
    assert store.query("SELECT * FROM kolada_values ORDER BY ALL").equals(before)


@pytest.mark.parametrize("body, message", [
    (b"<html>maintenance</html>", "inte är JSON: http://127.0.0.1:\\d+/v3/data/kpi/U31402"),  # names the URL
    (b'{"rows": []}', "ogiltig data: svaret.values saknas"),
])
def test_a_response_that_is_not_kolada_json_is_an_error(server, store, body, message):
    fake, url = server
    fake.faults = [{"status": 200, "body": body}]
    c, _ = client(url)
    with pytest.raises(kolada.KoladaError, match=message):
        kolada.pull(store, ADMIN, c, ["U31402"], None, [2022])


def test_unknown_kpi_gives_an_empty_result_and_a_warning(server, store):
    fake, url = server
    c, _ = client(url)
    result = kolada.pull(store, ADMIN, c, ["U33400", "U31402"], ["0138"], [2022])
    assert result.empty_kpis == ["U33400"]
    assert "inga värden för U33400" in result.line()


def test_kkik_group_is_found_by_title(server):
    fake, url = server
    c, _ = client(url)
    assert kolada.kkik_members(c) == ["U31402", "N15033"]
    assert fake.requests[0].startswith("/v3/kpi_groups?title=kvalitet%20i%20korthet")


def test_cli_pull_and_status(server, seeded_db, capsys):
    fake, url = server
    code = cli.main(["kolada", "pull", "--set", "kkik-ifo", "--from", "2021", "--to", "2023", "--base-url", url,
                     "--db", str(seeded_db)])
    assert code == 0
    assert capsys.readouterr().out.startswith("Kolada: 186 värden för 1 nyckeltal hämtade med")
    assert cli.main(["kolada", "status", "--db", str(seeded_db)]) == 0
    out = capsys.readouterr().out
    assert "U31402" in out and "2007–2023" in out


def test_cli_pull_failure_exits_non_zero_and_keeps_data(server, seeded_db, capsys, monkeypatch):
    fake, url = server
    monkeypatch.setenv("ASN_KOLADA_BACKOFF", "0.01")  # the schedule itself: test_kolada_hostile.py
    before = dump(seeded_db)["kolada_values"]
    fake.faults = [{"status": 502}] * 20
    code = cli.main(["kolada", "pull", "--kpi", "N31814", "--base-url", url, "--db", str(seeded_db)])
    assert code == 1
    assert "Lagrad Kolada-data är oförändrad" in capsys.readouterr().err
    assert dump(seeded_db)["kolada_values"] == before


def test_snapshot_is_loaded_on_first_start(store):
    assert store.scalar("SELECT count(DISTINCT kpi) FROM kolada_values") == 10
    assert store.scalar("SELECT count(*) FROM kolada_municipalities") == 312
    assert stored(store, "N31814", "0138", 2022) == pytest.approx(47.389558)  # the real figure (kolada-api.md §4)
    assert store.scalar("SELECT value FROM meta WHERE key = 'kolada_fetched_at'").startswith("2024-08-30")


@pytest.mark.parametrize("values, direction, expected", [
    ({"0138": 7.0, "a": 7.0, "b": 10.0, "c": 5.0}, "lägre", (2, 4)),   # tie with 'a': both share place 2
    ({"0138": 7.0, "a": 7.0, "b": 10.0, "c": 5.0}, "högre", (2, 4)),
    ({"0138": 1.0, "a": 2.0}, "högre", (2, 2)),
    ({"a": 1.0}, "högre", None),                                          # Tyresö missing: no rank
])
def test_rank_with_ties_and_missing_values(values, direction, expected):
    rank = rank_among(values, "0138", direction, 2022)
    assert (None if rank is None else (rank.place, rank.of)) == expected
