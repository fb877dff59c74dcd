"""Seed data: row counts against the seed files, anchoring of exempeldata, determinism."""

import csv
from statistics import mean

import pytest

from asn_dash import demo
from asn_dash.store.seed_csv import SEED_DIR


def rows(name):
    with (SEED_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_row_counts_match_the_seed_files(s):
    published = rows("published.csv")
    demo_rows = rows("demo.csv")
    published_keys = {(r["indicator"], r["unit"], r["period"]) for r in published if not r["kind"]}
    demo_new = [r for r in demo_rows if (r["indicator"], r["unit"], r["period"]) not in published_keys]
    counts = dict(s.query("SELECT source || '/' || value_kind, count(*) n FROM observations_all GROUP BY ALL")
                  .itertuples(index=False))
    expected = {"exempeldata/utfall": len(demo_new)}
    for r in published:
        key = f"publicerad/{r['kind'] or 'utfall'}"
        expected[key] = expected.get(key, 0) + 1
    assert counts == expected
    assert set(expected) == {"exempeldata/utfall", "publicerad/utfall", "publicerad/budget", "publicerad/prognos"}
    assert s.scalar("SELECT count(*) FROM verdicts WHERE origin = 'rapport'") == \
        len(rows("assessments.csv")) + len(rows("verdicts.csv"))
    assert s.scalar("SELECT count(*) FROM comments") == len(rows("comments.csv"))


def test_published_rows_carry_their_source_document(s):
    missing = s.scalar("SELECT count(*) FROM observations_all WHERE source = 'publicerad' AND source_ref IS NULL")
    assert missing == 0
    ref = s.scalar("SELECT source_ref FROM observations WHERE indicator_id = 'hushall_ekb' AND period = '2025-T2'")
    assert ref.startswith("004 Tertialrapport T2 2025")


def test_published_figures_win_over_demo_for_the_same_key(s):
    got = s.query("SELECT value, source FROM observations WHERE indicator_id='hushall_ekb' AND unit_id='aos'"
                  " AND period='2019-03'").iloc[0]
    assert (got.value, got.source) == (259, "publicerad")


def _monthly(s, indicator, first, last):
    return s.query(
        "SELECT value FROM observations WHERE indicator_id = ? AND unit_id = 'aos' AND period_kind = 'månad'"
        " AND period BETWEEN ? AND ? ORDER BY period", [indicator, first, last])["value"].tolist()


def test_demo_series_are_anchored_on_the_published_figures(s):
    # 004: 389 households Jan–Aug 2025 and 374 the same period 2024 (period averages)
    assert mean(_monthly(s, "hushall_ekb", "2025-01", "2025-08")) == pytest.approx(389)
    assert mean(_monthly(s, "hushall_ekb", "2024-01", "2024-08")) == pytest.approx(374)
    # 004: sjukfrånvaro R12 at T2 2025 5,69 %, at T2 2024 7,35 %
    assert mean(_monthly(s, "sjukfranvaro", "2024-09", "2025-08")) == pytest.approx(5.69)
    assert mean(_monthly(s, "sjukfranvaro", "2023-09", "2024-08")) == pytest.approx(7.35)
    # 002: HVB 13–20 år, Jan–Dec 2019 (outcome Jan–Apr, forecast May–Dec)
    assert _monthly(s, "plac_hvb_unga", "2019-01", "2019-12") == [7, 10, 13, 10, 12, 11, 11, 12, 10, 11, 10, 9]
    # 002/003: sjukfrånvaro kort 4,27 % and lång 3,40 % for Jan–Mar 2019
    assert mean(_monthly(s, "sjukfranvaro_kort", "2019-01", "2019-03")) == pytest.approx(4.27)
    assert mean(_monthly(s, "sjukfranvaro_lang", "2019-01", "2019-03")) == pytest.approx(3.40)


def test_demo_covers_2019_to_2025_for_main_indicators_and_units(s):
    span = s.query(
        "SELECT indicator_id, min(period) AS first, max(period) AS last, count(DISTINCT unit_id) AS units"
        " FROM observations WHERE source = 'exempeldata' AND period_kind = 'månad' GROUP BY indicator_id")
    span = span.set_index("indicator_id")
    for indicator in ("hushall_ekb", "sjukfranvaro", "plac_hvb_unga", "plac_skyddat_boende", "barnfamiljer_ekb"):
        assert span.loc[indicator, "first"] <= "2019-05" and span.loc[indicator, "last"] == "2025-12"
    assert span.loc["sjukfranvaro", "units"] == 11


def test_external_placements_equal_the_sum_of_the_types(s):
    total = s.scalar("SELECT value FROM observations WHERE indicator_id='externa_placeringar' AND period='2023-05'")
    parts = s.scalar(
        "SELECT sum(value) FROM observations WHERE unit_id='aos' AND period='2023-05' AND indicator_id IN ("
        + ",".join(f"'{t}'" for t in demo.PLACEMENT_TYPES) + ")")
    assert total == parts


def test_demo_file_is_what_the_generator_writes():
    committed = (SEED_DIR / "demo.csv").read_text(encoding="utf-8")
    assert demo.render_csv(demo.generate_rows()) == committed, "run: python -m asn_dash demo"


def test_published_unit_colours_reproduce_the_reported_shares(s):
    # 001: andel uppnådda enhetsmål 40 % (medarbetare), 80 % (kvalitet), 50 % (leverans)
    shares = s.query(
        "SELECT target_id, avg((colour = 'Grön')::INT) * 100 AS share FROM verdicts"
        " WHERE plan_year = 2021 AND period = '2021' AND unit_id IS NOT NULL GROUP BY target_id")
    shares = dict(shares.itertuples(index=False))
    published = dict(s.query("SELECT indicator_id, value FROM observations WHERE period = '2021'"
                             " AND indicator_id LIKE 'enhetsmal_andel_%'").itertuples(index=False))
    for area in ("medarbetare", "kvalitet", "leverans"):
        assert shares[area] == published[f"enhetsmal_andel_{area}"]


def test_002_verksamhetsmatt_are_the_printed_tables(s):
    # 002 "Övriga verksamhetsmått per område", Jan–Apr 2019
    assert _monthly(s, "missbruk_aktualiseringar", "2019-01", "2019-04") == [20, 26, 25, 19]
    assert _monthly(s, "relationsvald_pagaende_arenden", "2019-01", "2019-04") == [53, 50, 50, 37]
    assert _monthly(s, "oppna_forskolan_besok", "2019-01", "2019-04") == [936, 900, 958, 1054]
    assert _monthly(s, "ekb_avslutade_arenden", "2019-01", "2019-04") == [43, 18, 25, 12]
    assert _monthly(s, "kallan_belagda_platser", "2019-01", "2019-04") == [8.5, 6.9, 7]  # no value for January


def test_demo_months_add_up_to_a_published_year(s):
    # 001 Barnbokslut: 658 utredningar påbörjades 2021
    assert sum(_monthly(s, "bou_inledda_utredningar", "2021-01", "2021-12")) == 658
    assert s.scalar("SELECT value FROM observations WHERE indicator_id = 'bou_inledda_utredningar'"
                    " AND unit_id = 'aos' AND period = '2021'") == 658


def _normal(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def test_comments_are_quoted_verbatim_from_their_report():
    from pathlib import Path

    seeds = {p.name[:3]: _normal(p.read_text(encoding="utf-8"))
             for p in (Path(__file__).resolve().parents[2] / "shared" / "seeds").glob("*.txt")}
    if not seeds:
        pytest.skip("the reports are not beside the checkout")
    quoted = [r for r in rows("comments.csv") if r["source_doc"][:3] in ("002", "004")]
    assert len(quoted) > 60
    for r in quoted:
        for part in _parts(r["text"]):
            assert _normal(part) in seeds[r["source_doc"][:3]], (r["indicator"], part[:60])


def _parts(text: str):
    """A comment's paragraphs; 004's sub-headings are written "Rubrik: text", list items "- text"."""
    for paragraph in text.split("\n"):
        paragraph = paragraph.removeprefix("- ")
        head, sep, rest = paragraph.partition(": ")
        yield from ([head, rest] if sep and len(head) < 60 else [paragraph])


def _kinds(s, indicator):
    """(period, kind) → value of the administration, every value kind."""
    frame = s.query("SELECT period, value_kind, value FROM observations_all WHERE indicator_id = ? AND unit_id = 'aos'",
                    [indicator])
    return {(r.period, r.value_kind): r.value for r in frame.itertuples(index=False)}


def test_t2_2025_economy_per_avdelning_is_the_printed_table(s):
    # 004 "Ekonomisk tabell (tkr)": ack. utfall, budget för perioden, helårsprognos, budget helår
    barn = _kinds(s, "nettokostnad_avdelning_barn_unga")
    assert (barn[("2025-T2", "utfall")], barn[("2025-T2", "budget")]) == (-137761, -86809)
    assert (barn[("2025", "prognos")], barn[("2025", "budget")]) == (-192741, -130775)
    assert _kinds(s, "budgetavvikelse_avdelning_barn_unga")[("2025", "prognos")] == -61966
    parts = ("forvaltningsovergripande_2025", "avdelning_vuxen", "avdelning_barn_unga")
    total = _kinds(s, "nettokostnad_asn_fore_buffert")
    for key in (("2025-T2", "utfall"), ("2025-T2", "budget"), ("2025", "prognos"), ("2025", "budget")):
        assert sum(_kinds(s, f"nettokostnad_{p}")[key] for p in parts) == total[key], key
    # Summa AoS after the omvärldsbuffert of 24 000: prognos −358 590, avvikelse −54 669
    asn = _kinds(s, "nettokostnad_asn")
    assert asn[("2025", "prognos")] == total[("2025", "prognos")] + _kinds(s, "omvarldsbuffert")[("2025", "prognos")]
    assert _kinds(s, "budgetavvikelse_tkr")[("2025", "prognos")] == -54669
    # "Avvikelse helårsprognos 2025 mot utfall 2024" gives 2024's outcome: the parts add up to the
    # total, and the totals before and after the buffer agree (−347 935)
    assert sum(_kinds(s, f"nettokostnad_{p}")[("2024", "utfall")] for p in parts) == -347935
    assert asn[("2024", "utfall")] == total[("2024", "utfall")] == -347935


def test_printed_deviations_agree_with_outcome_and_budget(s):
    """Every printed avvikelse is utfall (or prognos) − budget, to the reports' rounding of 1 tkr:
    a check on the transcription of every economy table."""
    frame = s.query("SELECT indicator_id, period, value_kind, value FROM observations_all"
                    " WHERE source = 'publicerad' AND indicator_id LIKE 'budgetavvikelse_%'"
                    " AND indicator_id <> 'budgetavvikelse_pct'")
    checked = 0
    for r in frame.itertuples(index=False):
        base = r.indicator_id.removeprefix("budgetavvikelse_")
        cost = "nettokostnad_asn" if base == "tkr" else (base if base.startswith(("ifo_", "aoi_")) else f"nettokostnad_{base}")
        values = _kinds(s, cost)
        budget = values.get((r.period, "budget"), values.get((r.period[:4], "budget")))
        outcome = values.get((r.period, r.value_kind)) if r.value_kind == "utfall" else values.get((r.period[:4], "prognos"))
        if outcome is None or budget is None:
            continue
        assert abs(outcome - budget - r.value) <= 1, (r.indicator_id, r.period, r.value_kind)
        checked += 1
    assert checked > 80


def test_forecasts_and_budgets_are_never_read_as_outcomes(s):
    outcomes = {r.period for r in s.query("SELECT period FROM observations WHERE indicator_id = 'nettokostnad_asn'"
                                          " AND unit_id = 'aos' AND source = 'publicerad'").itertuples()}
    assert outcomes == {"2019-T1", "2020", "2021", "2022", "2024", "2025-T2"}
    # 002's placements May–Dec 2019 are a forecast made in April
    plac = _kinds(s, "plac_hvb_unga")
    assert [plac[(f"2019-{m:02d}", "prognos")] for m in range(5, 13)] == [12, 11, 11, 12, 10, 11, 10, 9]
    assert ("2019-04", "prognos") not in plac
    # 003: "PROG. UTFALL 2019" for HVB-dygn and helårsplaceringar
    assert _kinds(s, "hvb_unga_dygn") == {("2019", "prognos"): 3650}
