"""Placements against the budget assumption, checked against 002's tables (Delårsrapport 1 2019)."""

import pytest

from asn_dash.rules import placements as pl
from asn_dash.rules.periods import parse_key
from asn_dash.services import placements as store_placements

# 002, "Verksamhetsmått barn och unga", HVB 13–20 år: summa placeringar jan–dec 2019, budget 7
# per month at 4 613 kr per dygn. Jan–apr are utfall, maj–dec the report's prognos.
HVB_2019 = [7, 10, 13, 10, 12, 11, 11, 12, 10, 11, 10, 9]
DAYS_2019 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
PRICE = 4613
# Placement days in 2019: 7·31 + 10·28 + 13·31 + 10·30 + 12·31 + 11·30 + 11·31 + 12·31 + 10·30 + 11·31
# + 10·30 + 9·31 = 3 835; budget 7 · 365 = 2 555 dygn (the 2020 plan's target for HVB dygn, 2 555).
COST = 3835 * PRICE  # 17 690 855 kr
BUDGET = 7 * 365 * PRICE  # 11 786 215 kr


def test_hand_computed_days():
    assert sum(c * d for c, d in zip(HVB_2019, DAYS_2019)) == 3835


def hvb(counts, forecast=None, **kw):
    return pl.placement_year("plac_hvb_unga", "Placeringar HVB 13–20 år", 2019, 7, PRICE, counts, forecast, **kw)


def test_year_of_recorded_counts():
    year = hvb(dict(enumerate(HVB_2019, start=1)))
    assert [m.count for m in year.months] == HVB_2019
    assert [m.days for m in year.months] == DAYS_2019
    assert year.months[0].cost == 7 * PRICE * 31 and year.months[0].deviation == 0  # January on budget
    assert year.months[1].deviation == pytest.approx((7 - 10) * PRICE * 28)  # February: 3 over budget
    assert year.cost == pytest.approx(COST) and year.budget == pytest.approx(BUDGET)
    assert year.deviation == pytest.approx(BUDGET - COST)
    assert year.forecast_by is None and year.recorded == 12
    assert year.sentence() == ("Utfall helår 2019: 17\u00a0691\u00a0tkr mot budget 11\u00a0786\u00a0tkr (7 placeringar "
                               "per månad à 4\u00a0613\u00a0kr per dygn); avvikelse mot budget −5\u00a0905\u00a0tkr. "
                               "Alla månader är utfall.")


def test_002s_own_prognos_gives_the_same_year():
    counts = dict(enumerate(HVB_2019[:4], start=1))
    prognos = {m: HVB_2019[m - 1] for m in range(5, 13)}
    year = hvb(counts, prognos, forecast_by=pl.ANALYST)
    assert year.cost == pytest.approx(COST) and year.deviation == pytest.approx(BUDGET - COST)
    assert [m.forecast for m in year.months] == [False] * 4 + [True] * 8
    assert "Jan–apr utfall, maj–dec förvaltningens prognos." in year.sentence()
    table = year.table()
    assert list(table.columns[1:6]) == ["Jan", "Feb", "Mar", "Apr", "Maj (prognos)"]
    assert table.iloc[0, -1] == "10,5"  # mean placements per month: 126 / 12
    assert table.iloc[2, -1] == "17\u00a0691" and table.iloc[3, -1] == "11\u00a0786"
    assert table.iloc[4, -1] == "−5\u00a0905"


def test_without_forecast_the_year_is_open():
    year = hvb({1: 7, 2: 10})
    assert year.cost is None and year.deviation is None
    assert year.sentence().startswith("Prognos helår 2019 saknas")


def test_from_the_seeded_store_the_whole_year_reproduces_002(s):
    year = store_placements.placement_outlook(s, "plac_hvb_unga", 2019, parse_key("2019"))
    assert [m.count for m in year.months] == HVB_2019
    assert year.cost == pytest.approx(COST) and year.budget == pytest.approx(BUDGET)
    assert pl.tkr(year.deviation, signed=True) == "−5\u00a0905\u00a0tkr"
    assert year.is_demo  # may–dec are the report's prognos, stored as exempeldata


def test_from_the_seeded_store_the_other_2019_tables(s):
    # SiS: 1,1,2,2,2,2,2,2,1,1,1,1 against 2 at 4 928 kr: 59 + 368 + 122 = 549 dygn.
    sis = store_placements.placement_outlook(s, "plac_sis", 2019, parse_key("2019"))
    assert sis.cost == pytest.approx(549 * 4928) and sis.budget == pytest.approx(2 * 365 * 4928)
    assert pl.tkr(sis.deviation, signed=True) == "+892\u00a0tkr"  # under budget
    # Skyddat boende (vuxen): 7,9,8,7,5,4,3,2,2,1,1,1 against 4 at 2 768 kr.
    days = sum(c * d for c, d in zip([7, 9, 8, 7, 5, 4, 3, 2, 2, 1, 1, 1], DAYS_2019))
    sb = store_placements.placement_outlook(s, "plac_skyddat_boende", 2019, parse_key("2019"))
    assert sb.cost == pytest.approx(days * 2768)


def test_from_the_seeded_store_as_of_april_the_rest_is_forecast(s):
    # without 002's own prognos (seeded as value kind prognos), the model forecasts May–Dec
    s.con.execute("DELETE FROM observation_values WHERE kind = 1 AND indicator_key ="
                  " (SELECT key FROM indicator_keys WHERE id = 'plac_hvb_unga')")
    year = store_placements.placement_outlook(s, "plac_hvb_unga", 2019, parse_key("2019-T1"))
    assert [m.count for m in year.months[:4]] == HVB_2019[:4]
    assert [m.forecast for m in year.months] == [False] * 4 + [True] * 8
    assert year.forecast_by == pl.MODEL
    # Four months of history: the last value (10) carried on, so May–Dec cost 10 a day.
    recorded = (7 * 31 + 10 * 28 + 13 * 31 + 10 * 30) * PRICE
    assert year.cost == pytest.approx(recorded + 10 * (365 - 120) * PRICE)
    assert year.cost_low < year.cost < year.cost_high


def test_no_budget_no_table(s):
    assert store_placements.placement_outlook(s, "plac_familjehem", 2019, parse_key("2019")) is None
    assert store_placements.placement_outlook(s, "plac_hvb_unga", 2020, parse_key("2020")) is None


def test_indikator_shows_the_placement_table(seeded_db, monkeypatch):
    from .apptest import new_app

    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = new_app()
    at.query_params.update({"indikator": "plac_hvb_unga", "planar": "2019", "period": "2019"})
    at.run()
    at.switch_page("pages/indikator.py").run()
    assert not at.exception
    assert "Placeringar mot budget" in [h.value for h in at.subheader]
    text = next(m.value for m in at.markdown if "avvikelse mot budget" in m.value).replace("\\", "")
    assert "Utfall helår 2019: 17\u00a0691\u00a0tkr mot budget 11\u00a0786\u00a0tkr" in text
    assert "avvikelse mot budget −5\u00a0905\u00a0tkr" in text
    table = next(d.value for d in at.dataframe if "Helår" in d.value.columns)
    assert list(table.iloc[0, 1:13]) == [str(c) for c in HVB_2019]
    assert table.iloc[4, -1] == "−5\u00a0905"


def test_as_of_april_002s_own_prognos_gives_002s_year(s):
    # 002 was written per April: jan–apr utfall, maj–dec the förvaltning's prognos, seeded as value
    # kind prognos from published.csv. It wins over the model and reproduces the report's year.
    year = store_placements.placement_outlook(s, "plac_hvb_unga", 2019, parse_key("2019-T1"))
    assert year.forecast_by == pl.ANALYST and [m.count for m in year.months] == HVB_2019
    assert year.cost == pytest.approx(COST) and pl.tkr(year.deviation, signed=True) == "−5\u00a0905\u00a0tkr"
    assert year.sentence().endswith("Jan–apr utfall, maj–dec förvaltningens prognos.")
