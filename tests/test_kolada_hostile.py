"""A broken or hostile Kolada, served by the real test server (tests/kolada_server.py) and pulled
both through ``pull()`` and through the real command line: malformed answers, answers carrying
more than was asked for, next pages off the configured host, bodies too large or never ending,
and the retry schedule (issue #27)."""

import json
import os
import re
import subprocess
import sys
import time

import duckdb
import pytest

from asn_dash import cli
from asn_dash.kolada import client as kolada
from asn_dash.kolada.transport import Limits

from .kolada_server import FakeKolada, gzip_bomb
from .test_kolada import ADMIN, GROUPS, KPIS, MUNS, ROOT, dataset

KOLADA_TABLES = ("kolada_values", "kolada_kpis", "kolada_municipalities", "kolada_groups", "kolada_group_members")
FAST = {"ASN_KOLADA_BACKOFF": "0.01"}
MB = 1024 * 1024


@pytest.fixture
def server():
    fake = FakeKolada(dataset(), MUNS, KPIS, GROUPS, max_per_page=100)
    url = fake.start()
    yield fake, url
    fake.stop()


def run_cli(db, url, *args, env=None) -> subprocess.CompletedProcess:
    """``kolada pull`` as its own process."""
    return subprocess.run([sys.executable, "-m", "asn_dash", "kolada", "pull", *args, "--base-url", url,
                           "--db", str(db)], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, **FAST, **(env or {})})


@pytest.fixture
def pull_command(request, monkeypatch, capsys):
    """``kolada pull`` through the command line's entry point: in this process (a process start
    costs seconds on a busy machine), or, for ``real=True``, as its own process."""
    def run(db, url, *args, env=None, real=False) -> subprocess.CompletedProcess:
        if real:
            return run_cli(db, url, *args, env=env)
        for name, value in {**FAST, **(env or {})}.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = cli.main(["kolada", "pull", *args, "--base-url", url, "--db", str(db)])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess([], code, out, err)
    return run


def fingerprint(con) -> dict:
    """Per Kolada table: its row count and the sum of its rows' hashes (equal: same rows)."""
    return {t: con.execute(f"SELECT count(*), sum(hash(t)::HUGEINT) FROM {t} t").fetchone() for t in KOLADA_TABLES}


def tables_of(store) -> dict:
    """The Kolada tables' fingerprint, through an open store."""
    cur = store.con.cursor()
    try:
        return fingerprint(cur)
    finally:
        cur.close()


def tables_in(db) -> dict:
    """The Kolada tables' fingerprint, from a closed store file."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return fingerprint(con)
    finally:
        con.close()


def rows_of(store) -> list:
    return [list(r) for r in store.con.cursor().execute("SELECT * FROM kolada_values ORDER BY ALL").fetchall()]


def quick(url, **limits) -> kolada.Client:
    return kolada.Client(base=url, timeout=5, backoff=0.01, sleep=lambda _: None, limits=Limits(**limits))


# --- malformed answers --------------------------------------------------------------------------

GOOD_ENTRY = {"gender": "T", "count": 1, "status": "", "value": 43.0, "isdeleted": False}
GOOD_OBJECT = {"kpi": "U31402", "municipality": "0138", "period": 2022, "values": [GOOD_ENTRY]}


def page(*objects, **envelope) -> bytes:
    return json.dumps({"values": list(objects), "count": len(objects), "next_url": None, **envelope}).encode()


def obj(**changes) -> dict:
    return {k: v for k, v in {**GOOD_OBJECT, **changes}.items() if v != "<absent>"}


def entry(**changes) -> dict:
    return obj(values=[{k: v for k, v in {**GOOD_ENTRY, **changes}.items() if v != "<absent>"}])


ONE = "/data/"  # the data request of a pull for U31402, Tyresö, 2022
ALL = "all"
# (case, path the answer is served for, body, pull of all municipalities?, the message)
MALFORMED = [
    ("value as text", ONE, page(entry(value="12,5")),
     r'values\[0\]\.values\[0\]\.value är "12,5" \(text\), inte ett tal eller null'),
    ("value true", ONE, page(entry(value=True)), r"values\[0\]\.values\[0\]\.value är true \(sant/falskt\), inte ett tal"),
    ("value NaN", ONE, page(entry(value=0.5)).replace(b"0.5", b"NaN"), r"\.value är NaN \(tal\), inte ett tal"),
    ("value beyond a double", ONE, page(entry(value=0.5)).replace(b"0.5", b"1" + b"0" * 400),
     r"\.value är 1000000000000000000000000000000000000000… \(tal\), inte ett tal"),
    ("value 1e999", ONE, page(entry(value=0.5)).replace(b"0.5", b"1e999"), r"\.value är Infinity \(tal\), inte ett tal"),
    ("count beyond the store", ONE, page(entry(count=2**40)), r"\.count är 1099511627776 \(tal\), inte ett heltal"),
    ("values null", ONE, page(values=None), r"ogiltig data: values är null \(null\), inte en lista"),
    ("count as text", ONE, page(count="many"), r'svaret\.count är "many" \(text\), inte ett heltal ≥ 0'),
    ("municipality missing", ONE, page(obj(municipality="<absent>")), r"values\[0\]\.municipality saknas"),
    ("kpi null", ONE, page(obj(kpi=None)), r"values\[0\]\.kpi är null \(null\), inte ett giltigt id"),
    ("period not a year", ONE, page(obj(period="2022-03")),
     r'values\[0\]\.period är "2022-03" \(text\), inte ett år \(1900–2100\)'),
    ("period a fraction", ONE, page(obj(period=2022.5)), r"values\[0\]\.period är 2022\.5 \(tal\), inte ett år"),
    ("gender X", ONE, page(entry(gender="X")), r'values\[0\]\.values\[0\]\.gender är "X" \(text\), inte T, K eller M'),
    ("gender missing", ONE, page(entry(gender="<absent>")), r"values\[0\]\.values\[0\]\.gender saknas"),
    ("gender twice", ONE, page(obj(values=[GOOD_ENTRY, GOOD_ENTRY])), r"gender T förekommer två gånger"),
    ("entries as text", ONE, page(obj(values="T=43")), r'values\[0\]\.values är "T=43" \(text\), inte en lista'),
    ("entry a number", ONE, page(obj(values=[43])), r"values\[0\]\.values\[0\] är 43 \(tal\), inte ett objekt"),
    ("object a list", ONE, page(["U31402", "0138"]), r'values\[0\] är \["U31402", "0138"\] \(lista\), inte ett objekt'),
    ("entry count as text", ONE, page(entry(count="1")), r'\.values\[0\]\.count är "1" \(text\), inte ett heltal'),
    ("isdeleted as text", ONE, page(entry(isdeleted="no")), r'\.isdeleted är "no" \(text\), inte sant/falskt'),
    ("status a number", ONE, page(entry(status=5)), r"\.status är 5 \(tal\), inte en text"),
    ("next_url a number", ONE, page(next_url=5), r"next_url är 5 \(tal\), inte en adress eller null"),
    ("two values for one key", ONE, page(GOOD_OBJECT, entry(value=44.0)),
     r"två olika värden för U31402, kommun 0138, 2022, kön T \(43\.0 och 44\.0\)"),
    ("not JSON", ONE, b"<html>maintenance</html>", "något som inte är JSON"),
    ("not UTF-8", ONE, b'{"values": [], "x": "\xff"}', "något som inte är JSON"),
    ("nested beyond the parser", ONE, b"[" * 200_000, "något som inte är JSON"),
    ("JSON a list", ONE, b"[1, 2]", r"svaret är \[1, 2\] \(lista\), inte ett JSON-objekt"),
    ("JSON a text", ONE, b'"ok"', r'svaret är "ok" \(text\), inte ett JSON-objekt'),
    ("KPI id null", "/v3/kpi/", page({"id": None, "title": "Väntetid"}),
     r"values\[0\]\.id är null \(null\), inte ett giltigt id"),
    ("KPI title a list", "/v3/kpi/", page({"id": "U31402", "title": ["Väntetid"]}),
     r"values\[0\]\.title är \[\"Väntetid\"\] \(lista\), inte en text"),
    ("municipality type", "/municipality?", page({"id": "0138", "title": "Tyresö", "type": "X"}),
     r'values\[0\]\.type är "X" \(text\), inte K eller L'),
    ("municipality id", "/municipality?", page({"id": 138, "title": "Tyresö", "type": "K"}),
     r"values\[0\]\.id är 138 \(tal\), inte ett giltigt id"),
    ("no municipalities", "/municipality?", page(), "tom kommunlista"),
    ("group members as text", "/municipality_groups?title=Tyres",
     page({"id": "G36682", "title": "Liknande kommuner IFO, Tyresö, 2024", "members": "0114"}),
     r'values\[0\]\.members är "0114" \(text\), inte en lista'),
    ("group member id null", "/municipality_groups?title=Tyres",
     page({"id": "G36682", "title": "Liknande kommuner IFO, Tyresö", "members": [{"member_id": None}]}),
     r"values\[0\]\.members\[0\]\.member_id är null"),
]
MALFORMED = [(case, path, body, path != ONE and not path.startswith("/v3/kpi/"), message)
             for case, path, body, message in MALFORMED]


OWN_PROCESS = {"value as text", "not JSON", "nested beyond the parser", "municipality type"}


def _ids(cases):
    return [c[0] for c in cases]


@pytest.mark.parametrize("case, path, body, everyone, message", MALFORMED, ids=_ids(MALFORMED))
def test_a_malformed_answer_refuses_the_pull_and_keeps_the_store(server, s, case, path, body, everyone, message):
    fake, url = server
    before = tables_of(s)
    fake.faults = [{"status": 200, "body": body, "path": path}]
    with pytest.raises(kolada.KoladaError, match=message) as caught:
        kolada.pull(s, ADMIN, quick(url), ["U31402"], None if everyone else ["0138"], [2022])
    assert "\n" not in caught.value.sv
    if "två olika värden" not in message:  # names the page (the conflict names the value's key instead)
        assert f"{url}{path.removeprefix('/v3')}".split("?")[0] in caught.value.sv
    assert tables_of(s) == before
    assert caught.value.sv in s.scalar("SELECT value FROM meta WHERE key = 'kolada_last_error'")


@pytest.mark.parametrize("case, path, body, everyone, message", MALFORMED, ids=_ids(MALFORMED))
def test_a_malformed_answer_through_the_command_line(server, seeded_db, pull_command, case, path, body, everyone,
                                                     message):
    fake, url = server
    before = tables_in(seeded_db)
    fake.faults = [{"status": 200, "body": body, "path": path}]
    scope = [] if everyone else ["--municipality", "0138"]
    done = pull_command(seeded_db, url, "--kpi", "U31402", *scope, "--from", "2022", "--to", "2022",
                        real=case in OWN_PROCESS)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Fel: Kolada") and "Traceback" not in done.stderr
    assert lines[0].endswith("Lagrad Kolada-data är oförändrad.")
    assert re.search(message, lines[0]), lines[0]
    assert tables_in(seeded_db) == before


# --- only what was asked for --------------------------------------------------------------------

def outside(rows: list, kpi: str, muns: set, years: set) -> list:
    return [r for r in rows if not (r[0] == kpi and r[1] in muns and r[2] in years)]


def test_a_pull_stores_only_the_kpis_municipalities_and_years_asked_for(server, s):
    """The server answers every question with everything it has (744 values, 3 KPIs)."""
    fake, url = server
    fake.sloppy = True
    before = rows_of(s)
    result = kolada.pull(s, ADMIN, quick(url), ["U31402"], ["0138"], [2021, 2022])
    assert (result.rows, result.ignored, result.ignored_other) == (2, 742, 2)
    assert "; 742 värden utanför beställningen ignorerades; 2 andra poster utanför beställningen ignorerades." \
        in result.line()
    after = rows_of(s)
    assert outside(after, "U31402", {"0138"}, {2021, 2022}) == outside(before, "U31402", {"0138"}, {2021, 2022})
    assert [r[:5] for r in after if r[0] == "U31402" and r[1] == "0138" and r[2] in (2021, 2022)] == [
        ["U31402", "0138", 2021, "T", 43.0], ["U31402", "0138", 2022, "T", 43.0]]
    assert s.scalar("SELECT count(*) FROM kolada_kpis WHERE fetched_at > TIMESTAMP '2025-01-01'") == 1


def test_a_pull_of_all_municipalities_keeps_only_real_municipalities(server, s):
    fake, url = server
    fake.sloppy = True
    fake.objects.append({"kpi": "U31402", "municipality": "G36682", "period": 2022, "values": [GOOD_ENTRY]})
    fake.municipality_groups = [
        {"id": "G36682", "title": "Liknande kommuner IFO, Tyresö, 2024",
         "members": [{"member_id": "0114", "member_title": "Kommun 114"}, {"member_id": "9999"}]}]
    fake.faults = [{"path": "/municipality_groups?title=Stockholm", "status": 200,  # not what was searched for
                    "body": page({"id": "G1", "title": "Alla kommuner", "members": []})}]
    result = kolada.pull(s, ADMIN, quick(url), ["U31402"], None, [2022])
    assert result.rows == len(MUNS)  # riket and every municipality of the list, no group
    assert result.ignored == 744 + 1 - len(MUNS)
    assert result.ignored_other == 2 + 1 + 1  # two KPIs, the group member 9999, the group "Alla kommuner"
    assert s.scalar("SELECT count(*) FROM kolada_values WHERE municipality LIKE 'G%'") == 0
    assert s.query("SELECT municipality_id FROM kolada_group_members WHERE group_id = 'G36682'"
                   )["municipality_id"].tolist() == ["0114"]
    assert s.scalar("SELECT count(*) FROM kolada_groups WHERE id = 'G1'") == 0


def test_the_command_line_says_how_much_was_ignored(server, seeded_db):
    fake, url = server
    fake.sloppy = True
    done = run_cli(seeded_db, url, "--kpi", "U31402", "--municipality", "0138", "--from", "2021", "--to", "2022")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Kolada: 2 värden för 1 nyckeltal hämtade med")
    assert "; 742 värden utanför beställningen ignorerades; 2 andra poster utanför beställningen ignorerades." \
        in done.stdout


# --- next pages -----------------------------------------------------------------------------------

UNSAFE_NEXT = [
    ("next_url", "file:///etc/passwd", "next_url har schemat 'file'; bara http och https följs"),
    ("next_page", "file:///etc/passwd", "next_url har schemat 'file'"),  # v2's name for the link
    ("next_url", "gopher://127.0.0.1:{port}/v3/data", "next_url har schemat 'gopher'"),
    ("next_url", "http://evil.example/v3/data?page=2", r"annan värd \(evil.example\) än den inställda \(127.0.0.1\)"),
    ("next_url", "//evil.example/v3/data?page=2", r"annan värd \(evil.example\)"),
    ("next_url", "http://127.0.0.1:{port}@evil.example/v3/data", r"annan värd \(evil.example\)"),
    ("next_url", "http://localhost:{port}/v3/data?page=2", r"annan värd \(localhost\)"),
    ("next_url", "http://127.0.0.1:{other}/v3/data?page=2", r"annan port \({other}\) än den inställda \({port}\)"),
    ("next_url", "http://127.0.0.1:{port}/v3/da ta", "next_url är ingen giltig adress"),
]


@pytest.mark.parametrize("key, target, message", UNSAFE_NEXT, ids=[f"{k} {t}" for k, t, _ in UNSAFE_NEXT])
def test_a_next_page_off_the_configured_host_is_not_followed(server, s, seeded_db, pull_command, key, target, message):
    fake, url = server
    port = int(url.split(":")[2].split("/")[0])
    fill = {"port": port, "other": port - 1}
    target, message = target.format(**fill), message.format(**fill)
    before = tables_of(s)
    fake.faults = [{"status": 200, "path": ONE, "body": page(GOOD_OBJECT, **{key: target})}]
    with pytest.raises(kolada.KoladaError, match=f"nästa sida som inte följs: .*{message}"):
        kolada.pull(s, ADMIN, quick(url), ["U31402"], ["0138"], [2022])
    assert len(fake.requests) == 1 and tables_of(s) == before
    s.close()

    fake.faults = [{"status": 200, "path": ONE, "body": page(GOOD_OBJECT, **{key: target})}]
    before = tables_in(seeded_db)
    done = pull_command(seeded_db, url, "--kpi", "U31402", "--municipality", "0138", "--from", "2022", "--to",
                        "2022", real=target == "file:///etc/passwd" and key == "next_url")
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert re.search(message, done.stderr) and "Traceback" not in done.stderr
    assert len(fake.requests) == 2 and tables_in(seeded_db) == before


def test_a_next_page_on_the_configured_host_is_followed(server, s):
    fake, url = server
    following = f"{url}/data/kpi/U31402/municipality/0138/year/2022?page=1&per_page=5000"
    fake.faults = [{"status": 200, "path": "/year/2022?per_page=5000", "body": page(next_url=following)}]
    kolada.pull(s, ADMIN, quick(url), ["U31402"], ["0138"], [2022])
    assert [r for r in fake.requests if "/data/" in r][-1].endswith("?page=1&per_page=5000")
    assert s.scalar("SELECT value FROM kolada_values WHERE kpi = 'U31402' AND municipality = '0138' AND year = 2022"
                    " AND gender = 'T'") == 43.0


@pytest.mark.parametrize("location, message", [
    ("http://evil.example/v3/data?page=1", r"omdirigering som inte följs: omdirigeringen \(Location\) leder till en annan "
                                           r"värd \(evil.example\)"),
    ("file:///etc/passwd", r"omdirigeringen \(Location\) har schemat 'file'"),
])
def test_a_redirect_off_the_configured_host_is_not_followed(server, s, location, message):
    fake, url = server
    before = tables_of(s)
    fake.faults = [{"status": 302, "headers": {"Location": location}, "path": ONE}]
    with pytest.raises(kolada.KoladaError, match=message):
        kolada.pull(s, ADMIN, quick(url), ["U31402"], ["0138"], [2022])
    assert len(fake.requests) == 1 and tables_of(s) == before


def test_a_redirect_on_the_configured_host_is_followed(server, s):
    fake, url = server
    moved = f"{url}/data/kpi/U31402/municipality/0138/year/2022?page=1&per_page=5000"
    fake.faults = [{"status": 301, "headers": {"Location": moved}, "path": "/year/2022?per_page=5000"}]
    kolada.pull(s, ADMIN, quick(url), ["U31402"], ["0138"], [2022])
    assert [r for r in fake.requests if "/data/" in r][-1].endswith("?page=1&per_page=5000")
    assert s.scalar("SELECT value FROM kolada_values WHERE kpi = 'U31402' AND municipality = '0138' AND year = 2022"
                    " AND gender = 'T'") == 43.0


# --- bounded answers ------------------------------------------------------------------------------

def test_a_gzip_bomb_is_stopped_at_the_cap_on_inflated_bytes(server, s, seeded_db):
    fake, url = server
    bomb = gzip_bomb(64 * MB)
    assert len(bomb) < MB // 8  # far under the cap as sent: only the inflated size is over it
    before = tables_of(s)
    fake.faults = [{"status": 200, "body": bomb, "headers": {"Content-Encoding": "gzip"}, "path": ONE}]
    with pytest.raises(kolada.KoladaError, match=r"mer än 1 MB \(uppackat\), gränsen per svar \(ASN_KOLADA_MAX_BYTES\)"):
        kolada.pull(s, ADMIN, quick(url, max_bytes=MB), ["U31402"], ["0138"], [2022])
    assert tables_of(s) == before
    s.close()

    fake.faults = [{"status": 200, "body": bomb, "headers": {"Content-Encoding": "gzip"}, "path": ONE}]
    done = run_cli(seeded_db, url, "--kpi", "U31402", "--municipality", "0138", "--from", "2022", "--to", "2022",
                   env={"ASN_KOLADA_MAX_BYTES": str(MB)})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Fel: Kolada svarade med mer än 1 MB (uppackat)" in done.stderr
    assert tables_in(seeded_db) == before


def test_a_declared_length_over_the_cap_is_refused_before_reading(server, s):
    fake, url = server
    fake.faults = [{"status": 200, "body": b'{"values": []}' + b" " * (2 * MB), "path": ONE}]
    with pytest.raises(kolada.KoladaError, match=r"svarade med 2,0 MB, mer än gränsen 1 MB per svar"):
        kolada.pull(s, ADMIN, quick(url, max_bytes=MB), ["U31402"], ["0138"], [2022])


def test_a_body_that_never_ends_is_stopped_at_the_cap(server, s, seeded_db):
    fake, url = server
    endless = {"stream": b'{"values": [', "chunk": b" " * 65536, "path": ONE}
    before = tables_of(s)
    fake.faults = [dict(endless)]
    with pytest.raises(kolada.KoladaError, match=r"mer än 1 MB \(uppackat\)"):
        kolada.pull(s, ADMIN, quick(url, max_bytes=MB), ["U31402"], ["0138"], [2022])
    assert tables_of(s) == before
    s.close()

    fake.faults = [dict(endless)]
    done = run_cli(seeded_db, url, "--kpi", "U31402", "--municipality", "0138", "--from", "2022", "--to", "2022",
                   env={"ASN_KOLADA_MAX_BYTES": str(MB)})
    assert done.returncode == 1 and "Fel: Kolada svarade med mer än 1 MB (uppackat)" in done.stderr
    assert tables_in(seeded_db) == before
    fake.stopping.set()
    time.sleep(0.2)
    # the client hung up at the cap: the server wrote the cap plus what the sockets buffer, not a minute's worth
    assert fake.streamed < 2 * 20 * MB


def test_a_body_that_trickles_is_stopped_at_the_deadline(server, s, seeded_db):
    fake, url = server
    trickle = {"stream": b'{"values": [', "chunk": b" ", "interval": 0.02, "path": ONE}
    before = tables_of(s)
    fake.faults = [dict(trickle)]
    with pytest.raises(kolada.KoladaError, match=r"inte klar med svaret inom 1 s \(gräns per svar, ASN_KOLADA_DEADLINE\)"):
        kolada.pull(s, ADMIN, quick(url, deadline=1), ["U31402"], ["0138"], [2022])
    assert tables_of(s) == before
    s.close()

    fake.faults = [dict(trickle)]
    done = run_cli(seeded_db, url, "--kpi", "U31402", "--municipality", "0138", "--from", "2022", "--to", "2022",
                   env={"ASN_KOLADA_DEADLINE": "1"})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "Fel: Kolada blev inte klar med svaret inom 1 s" in done.stderr
    assert tables_in(seeded_db) == before


# --- retries (issue #27) --------------------------------------------------------------------------

def test_the_command_line_retries_on_the_configured_backoff_schedule(server, seeded_db):
    """ASN_KOLADA_BACKOFF=0.2: no wait before the first retry, then 0.4 s and 0.8 s, as measured
    by the server between the tries (without the setting the tries would come 0, 2 and 4 s apart)."""
    fake, url = server
    fake.faults = [{"status": 503, "path": ONE}, {"status": 503, "path": ONE}, {"status": 503, "path": ONE}]
    done = run_cli(seeded_db, url, "--kpi", "U31402", "--municipality", "0138", "--from", "2022", "--to", "2022",
                   env={"ASN_KOLADA_BACKOFF": "0.2"})
    assert done.returncode == 0, done.stderr
    tries = [t for r, t in zip(fake.requests, fake.times) if "/data/" in r]
    gaps = [b - a for a, b in zip(tries, tries[1:])]
    assert len(gaps) == 3
    assert gaps[1] >= 0.4 and gaps[2] >= 0.8
    assert gaps[2] < 2  # not the default factor's 4 s


def test_the_default_schedule_is_urllib3s_and_the_setting_replaces_it(monkeypatch):
    def schedule(client):
        retry, waits = client.session.get_adapter("http://x").max_retries, []
        for _ in range(client.retries):
            retry = retry.increment(method="GET", url="/", error=ConnectionError())
            waits.append(retry.get_backoff_time())
        return waits

    monkeypatch.delenv("ASN_KOLADA_BACKOFF", raising=False)
    assert schedule(kolada.Client.from_env(base="http://x")) == [0, 2, 4, 8]
    monkeypatch.setenv("ASN_KOLADA_BACKOFF", "0,5")
    assert schedule(kolada.Client.from_env(base="http://x")) == [0, 1, 2, 4]


@pytest.mark.parametrize("name, value, message", [
    ("ASN_KOLADA_BACKOFF", "snabb", "ASN_KOLADA_BACKOFF måste vara ett tal ≥ 0 (nu: 'snabb')."),
    ("ASN_KOLADA_BACKOFF", "-1", "ASN_KOLADA_BACKOFF måste vara ett tal ≥ 0 (nu: '-1')."),
    ("ASN_KOLADA_MAX_BYTES", "1.5", "ASN_KOLADA_MAX_BYTES måste vara ett heltal > 0 (nu: '1.5')."),
    ("ASN_KOLADA_MAX_BYTES", "0", "ASN_KOLADA_MAX_BYTES måste vara ett heltal > 0 (nu: '0')."),
    ("ASN_KOLADA_DEADLINE", "nan", "ASN_KOLADA_DEADLINE måste vara ett tal > 0 (nu: 'nan')."),
])
def test_a_bad_limit_setting_is_one_line_not_a_traceback(server, seeded_db, pull_command, name, value, message):
    fake, url = server
    done = pull_command(seeded_db, url, "--kpi", "U31402", env={name: value}, real=value == "snabb")
    assert done.returncode == 2 and done.stderr.strip() == f"Fel: {message}"
    assert fake.requests == []
