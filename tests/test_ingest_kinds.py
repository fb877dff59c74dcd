"""The value kind (utfall, prognos, budget) in uploads: the `typ` column in both layouts, keys of
(indicator, unit, period, kind) in the diff, the history, undo, warnings and the export round trip."""

import json

import duckdb
import pytest

from asn_dash import cli
from asn_dash.store.setup import open_store
from asn_dash.uploads import export, ingest, templates

from .ingest_helpers import csv_bytes, dump, dump_values


def run(db, path, *extra, capsys):
    code = cli.main(["ingest", str(path), "--db", str(db), "--user", "Anna", "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def stored(db, indicator, period, unit="aos"):
    """{kind: value} of one indicator, unit and period, every kind."""
    s = open_store(db)
    try:
        return dict(s.query("SELECT value_kind, value FROM observations_all WHERE indicator_id = ? AND unit_id = ?"
                            " AND period = ?", [indicator, unit, period]).itertuples(index=False))
    finally:
        s.close()


def diff(before, after):
    """Per table, the rows only before and the rows only after."""
    return {t: (sorted(set(before[t]) - set(after[t]), key=repr), sorted(set(after[t]) - set(before[t]), key=repr))
            for t in before if before[t] != after[t]}


def test_a_prognos_upload_writes_its_own_key_and_undo_restores_every_table(seeded_db, tmp_path, capsys):
    assert set(stored(seeded_db, "budgetavvikelse_tkr", "2025")) == {"prognos"}  # the seed: prognos helår 2025
    old_prognos = stored(seeded_db, "budgetavvikelse_tkr", "2025")["prognos"]
    old_utfall = stored(seeded_db, "plac_hvb_unga", "2019-05")["utfall"]
    before = dump(seeded_db)
    path = tmp_path / "prognos.csv"
    path.write_bytes(csv_bytes("indikator;enhet;period;Typ;värde\n"
                               "budgetavvikelse_tkr;;2025;PROGNOS;-50 000\n"  # changes the stored prognos
                               "budgetavvikelse_tkr;;2025;budget;0\n"         # a new budget beside it
                               "plac_hvb_unga;;2019-05; prognos ;99\n"))      # a prognos, the utfall stays
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 0, out
    assert (out["inserted"], out["updated"], out["unchanged"], out["warnings"]) == (1, 2, 0, [])
    assert stored(seeded_db, "budgetavvikelse_tkr", "2025") == {"prognos": -50000, "budget": 0}
    assert stored(seeded_db, "plac_hvb_unga", "2019-05") == {"utfall": old_utfall, "prognos": 99}

    after = dump(seeded_db)
    changed = diff(before, after)
    # the view `observations` (utfall only) is untouched: no utfall was written
    assert set(changed) == {"observation_values", "observations_all", "upload_changes", "uploads", "audit_log"}
    con = duckdb.connect(str(seeded_db), read_only=True)
    try:
        history = con.execute("SELECT k.id AS indicator, h.period_code, h.kind, h.existed, h.old_value"
                              " FROM upload_changes h JOIN indicator_keys k ON k.key = h.indicator_key"
                              " ORDER BY 1, 2, 3").fetchall()
    finally:
        con.close()
    assert history == [("budgetavvikelse_tkr", 202500, 1, True, old_prognos),  # the replaced values only
                       ("plac_hvb_unga", 201905, 1, True, 12.0)]
    removed, added = changed["observation_values"]
    assert len(removed) == 2 and len(added) == 3  # two rows replaced, one new; no utfall touched

    assert cli.main(["uploads", "undo", str(out["upload_id"]), "--db", str(seeded_db), "--user", "Anna"]) == 0
    restored = dump(seeded_db)
    for table in before:
        if table not in ("uploads", "audit_log", "upload_changes"):  # the log keeps what the upload did
            assert restored[table] == before[table], table


def test_a_prognos_is_never_compared_with_the_utfall(seeded_db, tmp_path, capsys):
    path = tmp_path / "p.csv"
    # hushall_ekb's utfall is ~380 a month: 4000 as utfall is an outlier, as a prognos or budget it is its own series
    path.write_bytes(csv_bytes("indikator;period;värde;typ\nhushall_ekb;2025-09;4000;prognos\n"
                               "hushall_ekb;2025-09;4100;budget\n"))
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 0 and out["warnings"] == [] and out["inserted"] == 2
    path.write_bytes(csv_bytes("indikator;period;värde;typ\nhushall_ekb;2025-09;4000;\n"))
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 2 and "avviker kraftigt" in out["warnings"][0]


def test_wide_layout_takes_a_kind_per_row(seeded_db, tmp_path, capsys):
    path = tmp_path / "w.csv"
    path.write_bytes(csv_bytes("indikator;år;jan;feb;värdetyp\nplac_lvm;2024;3;4;budget\nplac_lvm;2024;3;;\n"))
    code, out = run(seeded_db, path, "--accept-warnings", capsys=capsys)
    assert code == 0, out
    assert stored(seeded_db, "plac_lvm", "2024-01") == {"utfall": 3, "budget": 3}
    assert stored(seeded_db, "plac_lvm", "2024-02")["budget"] == 4


def test_a_bad_kind_in_a_wide_row_is_one_error(seeded_db, tmp_path, capsys):
    path = tmp_path / "w.csv"
    path.write_bytes(csv_bytes("indikator;år;jan;feb;mar;typ\nplac_lvm;2024;3;4;5;budgt\nplac_lvm;2024;3;4;5;\n"))
    before = dump(seeded_db)
    code, out = run(seeded_db, path, capsys=capsys)
    assert code == 2 and out["error_count"] == 1
    assert out["errors"][0] == {"row": 2, "column": "typ", "value": "budgt",
                                "message": "okänd värdetyp; skriv utfall, prognos eller budget (tom cell = utfall)"}
    assert dump(seeded_db) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_carries_every_kind_and_reingests_it(fmt, seeded_db, tmp_path, capsys):
    out_file = tmp_path / f"e.{fmt}"
    assert cli.main(["export", "--format", fmt, "-o", str(out_file), "--db", str(seeded_db)]) == 0
    capsys.readouterr()
    s = open_store(seeded_db)
    try:
        frame = export.rows(s)
        kinds = s.query("SELECT indicator_id, unit_id, period, value_kind, value FROM observations_all"
                        " WHERE value_kind <> 'utfall' ORDER BY ALL").values.tolist()
        s.con.execute("DELETE FROM observation_values WHERE kind <> 0")
    finally:
        s.close()
    assert set(frame["value_kind"]) == {"utfall", "prognos", "budget"} and len(kinds) > 200
    data = out_file.read_bytes()
    header = export.to_csv(frame).decode("utf-8-sig").splitlines()[0]
    assert header == "indikator;enhet;period;typ;värde;kommentar"
    before_utfall = dump_values(seeded_db)["observation_values"]
    code, out = run(seeded_db, out_file, "--accept-warnings", capsys=capsys)
    assert code == 0 and out["inserted"] == len(kinds) and out["updated"] == 0, (len(data), out)
    s = open_store(seeded_db)
    try:
        again = s.query("SELECT indicator_id, unit_id, period, value_kind, value FROM observations_all"
                        " WHERE value_kind <> 'utfall' ORDER BY ALL").values.tolist()
    finally:
        s.close()
    assert again == kinds
    assert [r for r in dump_values(seeded_db)["observation_values"] if r[3] == 0] == before_utfall


def test_an_export_of_utfall_only_keeps_the_plain_header(seeded_db):
    s = open_store(seeded_db)
    try:
        frame = export.rows(s, ["hushall_ekb"])
    finally:
        s.close()
    assert set(frame["value_kind"]) == {"utfall"}
    assert export.to_csv(frame).decode("utf-8-sig").splitlines()[0] == "indikator;enhet;period;värde;kommentar"


def test_one_comment_per_period_when_written_on_several_kinds(seeded_db, tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_bytes(csv_bytes("indikator;period;typ;värde;kommentar\nnettokostnad_asn;2025;prognos;-358 000;Se text\n"
                               "nettokostnad_asn;2025;budget;-303 000;Se text\n"))
    assert run(seeded_db, path, capsys=capsys)[0] == 0
    con = duckdb.connect(str(seeded_db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM comments WHERE text = 'Se text'").fetchall() == [(1,)]
    finally:
        con.close()


def test_the_template_shows_the_kind_column(seeded_db):
    assert templates.long_csv().decode("utf-8-sig").splitlines()[0] == "indikator;enhet;period;typ;värde;kommentar"
    s = open_store(seeded_db)
    try:
        analysis = ingest.analyse(s, "mall.csv", templates.long_csv())
        assert analysis.ok
        assert analysis.changes.set_index("row").loc[6, "value_kind"] == "prognos"
    finally:
        analysis.close()
        s.close()
