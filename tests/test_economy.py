"""Economy per verksamhet (asn_dash.services.economy, asn_dash.rules.economy) on a real seeded store, checked against the
figures the reports print: 004 Tertialrapport T2 2025 ("Ekonomisk tabell (tkr)") and 002
Delårsrapport 1 2019 ("Ekonomisk rapport" april/helår, "VO 03", "VO 08"). The expected numbers
are copied from the report texts in ../shared/seeds, not from the code."""

import pandas as pd
import pytest

from asn_dash.rules import economy as eco
from asn_dash.rules.periods import parse_key
from asn_dash.services import economy as store_economy
from asn_dash.sources import DEMO, PUBLISHED
from asn_dash.store.store import write_values

T2 = parse_key("2025-T2")


def rows_by_id(result):
    return {r.indicator_id: r for s in result.sections for r in s.rows}


def figures(row, columns=eco.COLUMNS):
    return tuple(row.cells[c].value for c in columns)


# 004, Ekonomisk tabell (tkr): Ack. utfall, Budget, Avvikelse (period) | Prognos, Budget, Avvikelse (helår)
T2_2025 = {
    "nettokostnad_forvaltningsovergripande_2025": (-11607, -10768, -839, -17984, -16141, -1843),
    "nettokostnad_avdelning_vuxen": (-123247, -104911, -18336, -171865, -157005, -14860),
    "nettokostnad_avdelning_barn_unga": (-137761, -86809, -50952, -192741, -130775, -61966),
    "nettokostnad_asn_fore_buffert": (-272615, -202488, -70127, -382590, -303921, -78669),  # Summa AoS
    "nettokostnad_asn": (-272615, -202488, -70127, -358590, -303921, -54669),  # Summa AoS after the buffert
    "nettokostnad_ekb_utbetalt": (-16531, -13349, -3182, -24187, -20023, -4164),
    "nettokostnad_sarskild_handelse": (-35062, 0, -35062, -46400, 0, -46400),
    "nettokostnad_socialpsykiatri_placeringar": (-23425, -16217, -7209, -35084, -24325, -10759),
}


def test_t2_2025_matches_the_printed_table(s):
    result = store_economy.economy(s, 2025, T2)
    assert result.period == T2
    assert result.headers[eco.UTFALL_PERIOD] == "Utfall jan–aug 2025"
    assert result.headers[eco.PROGNOS_YEAR] == "Prognos helår"
    assert result.headers[eco.BUDGET_YEAR] == "Budget helår"
    assert result.headers[eco.DEVIATION_YEAR] == "Avvikelse mot budget"
    rows = rows_by_id(result)
    for indicator_id, printed in T2_2025.items():
        assert figures(rows[indicator_id]) == printed, indicator_id
    assert rows["omvarldsbuffert"].cells[eco.PROGNOS_YEAR].value == 24000
    assert rows["omvarldsbuffert"].cells[eco.UTFALL_PERIOD].text == "—"  # no utfall printed for it
    # one printed table, the three parts of the 2025 organisation first and the two sums last
    [section] = result.sections
    ids = [r.indicator_id for r in section.rows]
    assert ids[:3] == ["nettokostnad_forvaltningsovergripande_2025", "nettokostnad_avdelning_vuxen",
                       "nettokostnad_avdelning_barn_unga"]
    assert ids[-2:] == ["nettokostnad_asn_fore_buffert", "nettokostnad_asn"]
    assert [r.is_sum for r in section.rows][-2:] == [True, True]
    assert section.source_line == "Källa: 004 Tertialrapport T2 2025, Ekonomisk tabell (tkr)."
    assert all(c.source == PUBLISHED for r in section.rows for c in r.cells.values() if c.value is not None)
    assert not result.has_demo


def test_printed_deviation_wins_over_the_recomputed_one(s):
    rows = rows_by_id(store_economy.economy(s, 2025, T2))
    cell = rows["nettokostnad_socialpsykiatri_placeringar"].cells[eco.DEVIATION_PERIOD]
    assert cell.value == -7209 and cell.source == PUBLISHED  # −23 425 − (−16 217) would be −7 208
    assert cell.text == "−7\u00a0209"


def test_d1_2019_matches_the_printed_tables(s):
    result = store_economy.economy(s, 2019, parse_key("2019-T1"))
    assert result.headers[eco.UTFALL_PERIOD] == "Utfall jan–apr 2019"
    rows = rows_by_id(result)
    # "Ekonomisk rapport", April and Helår: kommunbidrag (the budget, with a cost's sign), nettokostnad, nettoresultat
    assert figures(rows["nettokostnad_ifo"]) == (-77430, -76922, -507, -238940, -230767, -8173)
    assert figures(rows["nettokostnad_arbetsmarknad_integration"]) == (-18883, -17837, -1046, -11124, -10824, -300)
    assert figures(rows["nettokostnad_asn"]) == (-96324, -94759, -1565, -250292, -241591, -8701)
    assert figures(rows["nettokostnad_namnden"]) == (-11, None, -11, -228, None, -228)
    # VO 03 and VO 08: only helår (prognos, kommunbidrag, avvikelse prognos mot budget)
    helar = (eco.PROGNOS_YEAR, eco.BUDGET_YEAR, eco.DEVIATION_YEAR)
    assert figures(rows["nettokostnad_vuxen"], helar) == (-29756, -27172, -2584)
    assert figures(rows["nettokostnad_barn_unga"], helar) == (-71620, -67042, -4577)
    assert figures(rows["nettokostnad_ekonomiskt_bistand"], helar) == (-24606, -23984, -622)
    assert figures(rows["nettokostnad_arbetsmarknad"], helar) == (-3820, -2820, -1000)
    assert figures(rows["nettokostnad_integration"], helar) == (-7304, -8004, 700)
    assert rows["nettokostnad_vuxen"].cells[eco.UTFALL_PERIOD].value is None  # 002 prints no utfall per verksamhet
    tables = {sec.table: [r.indicator_id for r in sec.rows] for sec in result.sections}
    assert {"Ekonomisk rapport april", "VO 03 - Individ och familjeomsorgen",
            "VO 08 - Arbetsmarknad och integration", "Vuxen", "Barn och unga"} <= set(tables)
    assert tables["Ekonomisk rapport april"][-1] == "nettokostnad_asn"  # Totalt arbetsmarknads- och socialsektorn
    assert set(tables["VO 08 - Arbetsmarknad och integration"]) == {"nettokostnad_arbetsmarknad",
                                                                      "nettokostnad_integration"}
    first = result.sections[0]
    assert first.title == "Ekonomisk rapport april / Ekonomisk rapport helår"
    assert first.source_line == ("Källa: 002 Delårsrapport 1 2019, Ekonomisk rapport april och "
                                 "Ekonomisk rapport helår (tkr).")
    assert first.source_labels == "Publicerad rapport"
    vo03 = next(sec for sec in result.sections if sec.table.startswith("VO 03"))
    assert vo03.columns == helar  # no utfall column where the report prints none


def test_a_year_of_the_other_layout_has_its_own_verksamheter(s):
    """2021's verksamhetsberättelse: utfall and budget for the full year, 001's verksamheter."""
    rows = rows_by_id(store_economy.economy(s, 2021, parse_key("2021")))
    assert "nettokostnad_avdelning_vuxen" not in rows  # the 2025 organisation is not in 2021's tables
    full = (eco.UTFALL_PERIOD, eco.BUDGET_YEAR, eco.DEVIATION_YEAR)
    assert figures(rows["nettokostnad_ekonomiskt_bistand"], full) == (-27386, -26035, -1351)
    assert rows["nettokostnad_ekonomiskt_bistand"].cells[eco.PROGNOS_YEAR].value is None


def test_a_prognos_is_never_shown_as_utfall(s):
    """Every utfall cell of every year and period is a stored utfall; every prognos cell a stored prognos."""
    stored = s.query("SELECT indicator_id, period, value_kind, value FROM observations_all WHERE unit_id = 'aos'")
    kinds = {(r.indicator_id, r.period, r.value_kind): r.value for r in stored.itertuples()}
    checked = 0
    for year in (2019, 2020, 2021, 2024, 2025):
        for key in (f"{year}-T1", f"{year}-T2", f"{year}", f"{year}-03"):
            result = store_economy.economy(s, year, parse_key(key))
            for row in (r for sec in result.sections for r in sec.rows):
                utfall, prognos = row.cells[eco.UTFALL_PERIOD], row.cells[eco.PROGNOS_YEAR]
                assert utfall.kind == "utfall" and prognos.kind == "prognos"
                if utfall.value is not None:
                    assert kinds[(row.indicator_id, result.period.key, "utfall")] == utfall.value
                    checked += 1
                if prognos.value is not None:
                    assert kinds[(row.indicator_id, str(year), "prognos")] == prognos.value
    assert checked > 50
    # T1 2025: nothing reported yet, so no utfall column, although the T2 prognos is stored
    early = store_economy.economy(s, 2025, parse_key("2025-T1"))
    assert early.period is None
    assert all(eco.UTFALL_PERIOD not in sec.columns for sec in early.sections)


def test_published_figures_win_over_exempeldata(s):
    demo = pd.DataFrame([
        # the same key as a published figure: the published one is kept
        {"indicator_id": "nettokostnad_avdelning_vuxen", "unit_id": "aos", "period": "2025-T2",
         "value_kind": "utfall", "value": -1.0, "source": DEMO},
        # a key the report does not print: shown, marked exempeldata
        {"indicator_id": "nettokostnad_namnden", "unit_id": "aos", "period": "2019-T1",
         "value_kind": "budget", "value": -5.0, "source": DEMO},
    ])
    with s.writing() as cur:
        write_values(cur, demo, skip_existing=True)
    rows = rows_by_id(store_economy.economy(s, 2025, T2))
    vuxen = rows["nettokostnad_avdelning_vuxen"].cells[eco.UTFALL_PERIOD]
    assert (vuxen.value, vuxen.source, vuxen.demo) == (-123247, PUBLISHED, False)

    result = store_economy.economy(s, 2019, parse_key("2019-T1"))
    namnden = rows_by_id(result)["nettokostnad_namnden"]
    budget = namnden.cells[eco.BUDGET_PERIOD]
    assert (budget.value, budget.demo, budget.source_label) == (-5, True, "⚠ Exempeldata")
    # the printed nettoresultat −11 wins over −11 − (−5) computed from exempeldata
    deviation = namnden.cells[eco.DEVIATION_PERIOD]
    assert (deviation.value, deviation.source) == (-11, PUBLISHED)
    assert result.has_demo


def test_computed_deviation_is_marked_and_never_spans_two_documents(s):
    with s.writing() as cur:
        cur.execute("DELETE FROM observation_values WHERE indicator_key = "
                    "(SELECT key FROM indicator_keys WHERE id = 'budgetavvikelse_avdelning_vuxen')")
    cell = rows_by_id(store_economy.economy(s, 2025, T2))["nettokostnad_avdelning_vuxen"].cells[eco.DEVIATION_YEAR]
    assert (cell.value, cell.source, cell.source_label) == (-171865 - -157005, eco.COMPUTED, "Beräknad")
    # 2024: utfall from 004, budget from 000 (another document): no deviation is made up
    total = rows_by_id(store_economy.economy(s, 2024, parse_key("2024")))["nettokostnad_asn"]
    assert total.cells[eco.UTFALL_PERIOD].value == -347935 and total.cells[eco.BUDGET_YEAR].value == -308853
    assert total.cells[eco.DEVIATION_YEAR].value is None


@pytest.mark.parametrize("key", ["2020"])
def test_a_year_without_economy_is_empty(s, key):
    with s.writing() as cur:
        cur.execute("DELETE FROM observation_values WHERE period_code // 100 = 2020 AND indicator_key IN "
                    "(SELECT k.key FROM indicator_keys k JOIN indicators i ON i.id = k.id WHERE i.unit = 'tkr')")
    result = store_economy.economy(s, 2020, parse_key(key))
    assert result.is_empty and result.period is None
