"""Units and totals add up (issue 13): the roll-up rule, the store's check of stored totals
against their units, and the upload preview's note on which totals an upload changes."""

from __future__ import annotations

from datetime import date

from asn_dash.rules.rollup import TotalCheck, differing, is_additive
from asn_dash.store import queries
from asn_dash.uploads import ingest
from asn_dash.uploads.totals import effect_lines, total_effects
from tests.ingest_helpers import csv_bytes, delete_values, update_values


def test_only_additive_indicators_roll_up():
    assert is_additive("sum")
    assert not is_additive("mean") and not is_additive("none") and not is_additive(None)


def test_a_difference_is_flagged_with_both_figures_and_its_sign():
    check = TotalCheck("hushall_ekb", "2025-08", stored=373, units_sum=444, units=1)
    assert check.differs and check.difference == 71
    assert check.sentence("antal") == ("aug 2025: summan av enheten är 444, förvaltningens lagrade total 373 (+71)")
    under = TotalCheck("plac_hvb_unga", "2025-T2", stored=1250.5, units_sum=1000, units=3)
    assert under.sentence("tkr").replace("\xa0", " ") == ("T2 2025: summan av enheterna (3 st) är 1 000 tkr, "
                                                          "förvaltningens lagrade total 1 251 tkr (−251 tkr)")


def test_equal_totals_are_not_flagged_and_flags_come_in_period_order():
    same = TotalCheck("a", "2025-03", 10, 10.0000000001, 2)
    later = TotalCheck("a", "2025-05", 10, 12, 2)
    earlier = TotalCheck("a", "2025-01", 10, 9, 2)
    assert not same.differs
    assert differing([later, same, earlier]) == [earlier, later]


def test_the_store_compares_a_stored_total_with_its_units(s):
    # seeded: hushall_ekb has one unit (Försörjningsstödsenheten) whose values equal the total
    checks = queries.unit_total_checks(s, ["hushall_ekb", "sjukfranvaro"], "aos", date(2025, 1, 1), date(2025, 12, 31))
    assert checks and {c.indicator_id for c in checks} == {"hushall_ekb"}  # a percentage is never summed
    assert not differing(checks)
    with s.writing() as con:
        update_values(con, "value = ?", "indicator_id = 'hushall_ekb' AND unit_id = 'forsorjningsstod'"
                      " AND period = '2025-08'", [444])
    flagged = differing(queries.unit_total_checks(s, ["hushall_ekb"], "aos", date(2025, 1, 1), date(2025, 12, 31)))
    assert [(c.period, c.units_sum) for c in flagged] == [("2025-08", 444.0)]
    assert flagged[0].stored != 444


def analysed(store, text: str):
    return ingest.analyse(store, "enheter.csv", csv_bytes(text))


def test_the_preview_says_a_stored_total_stays_and_how_far_the_units_are_from_it(s):
    analysis = analysed(s, "indikator;enhet;period;värde\nhushall_ekb;Försörjningsstödsenheten;2025-08;444\n")
    try:
        assert analysis.ok, analysis.errors
        effects = total_effects(analysis.cursor, "aos")
    finally:
        analysis.close()
    [line] = effect_lines(effects)
    assert line.startswith("Antal hushåll med ekonomiskt bistånd: den lagrade totalen ändras inte – aug 2025: "
                           "summan av enheten är 444")
    assert "skillnaden visas på Indikator" in line


def test_the_preview_says_the_sum_of_units_changes_where_no_total_is_stored(s):
    with s.writing() as con:
        delete_values(con, "indicator_id = 'hushall_ekb' AND unit_id = 'aos' AND period IN ('2025-07', '2025-08')")
    text = ("indikator;enhet;period;värde\n"
            "hushall_ekb;Försörjningsstödsenheten;2025-07;401\n"
            "hushall_ekb;Försörjningsstödsenheten;2025-08;402\n"
            "sjukfranvaro;Vuxenenheten;2025-08;5,5\n")  # a percentage: never summed, never listed
    analysis = analysed(s, text)
    try:
        assert analysis.ok, analysis.errors
        lines = effect_lines(total_effects(analysis.cursor, "aos"))
    finally:
        analysis.close()
    assert lines == ["Antal hushåll med ekonomiskt bistånd: förvaltningens värde är summan av enheterna och ändras "
                     "för jul 2025, aug 2025."]


def test_an_upload_of_the_total_itself_is_not_listed(s):
    analysis = analysed(s, "indikator;enhet;period;värde\nhushall_ekb;;2025-08;450\n"
                           "hushall_ekb;Försörjningsstödsenheten;2025-08;450\n")
    try:
        assert analysis.ok, analysis.errors
        assert effect_lines(total_effects(analysis.cursor, "aos")) == []
    finally:
        analysis.close()


def test_unchanged_rows_change_no_total(s):
    value = s.scalar("SELECT value FROM observations WHERE indicator_id = 'hushall_ekb' AND unit_id = 'forsorjningsstod'"
                     " AND period = '2025-08'")
    analysis = analysed(s, f"indikator;enhet;period;värde\nhushall_ekb;Försörjningsstödsenheten;2025-08;{value:.0f}\n")
    try:
        assert effect_lines(total_effects(analysis.cursor, "aos")) == []
    finally:
        analysis.close()


def test_the_cli_dry_run_names_the_totals_it_would_change(seeded_db, tmp_path, capsys):
    import json

    from asn_dash import cli

    path = tmp_path / "enhet.csv"
    path.write_bytes(csv_bytes("indikator;enhet;period;värde\nhushall_ekb;Försörjningsstödsenheten;2025-08;444\n"))
    assert cli.main(["ingest", str(path), "--db", str(seeded_db), "--dry-run", "--json"]) == 0
    [line] = json.loads(capsys.readouterr().out)["totals"]
    assert "den lagrade totalen ändras inte – aug 2025: summan av enheten är 444" in line
    assert cli.main(["ingest", str(path), "--db", str(seeded_db), "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("Summor: Antal hushåll med ekonomiskt bistånd: den lagrade totalen")

