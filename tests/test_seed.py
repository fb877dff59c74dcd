"""Seed data: row counts against the seed files, anchoring of exempeldata, determinism."""

import csv
from statistics import mean

import pytest

from asn_dash import demo
from asn_dash.store.seed import SEED_DIR


def rows(name):
    with (SEED_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_row_counts_match_the_seed_files(s):
    published = rows("published.csv")
    demo_rows = rows("demo.csv")
    published_keys = {(r["indicator"], r["unit"], r["period"]) for r in published}
    demo_new = [r for r in demo_rows if (r["indicator"], r["unit"], r["period"]) not in published_keys]
    counts = dict(s.query("SELECT source, count(*) n FROM observations GROUP BY source").itertuples(index=False))
    assert counts == {"publicerad": len(published), "exempeldata": len(demo_new)}
    assert s.scalar("SELECT count(*) FROM verdicts WHERE origin = 'rapport'") == len(rows("assessments.csv"))
    assert s.scalar("SELECT count(*) FROM comments") == len(rows("comments.csv"))


def test_published_rows_carry_their_source_document(s):
    missing = s.scalar("SELECT count(*) FROM observations WHERE source = 'publicerad' AND source_ref IS NULL")
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
