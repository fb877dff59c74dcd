"""Municipal comparisons on the offline snapshot (real Kolada data) and the Jämförelser page."""

import re

import pytest

from asn_dash.kolada import comparison
from asn_dash.rules.assessment import quartile_colour
from asn_dash.store.setup import open_store

from .apptest import open_page
from .htmltables import tables

# 001 "Tabell: Resultat nämndens ansvarsområden KKIK 2017-2021" as printed (rounded); None = "---"
KKIK_001 = {
    "U30453": [78, 64, 73, None, None],
    "U31462": [72, 79, 92, 86, 100],
    "U31402": [13, 11, 14, 37, 7],
    "N30101": [4339, 4513, 4616, 4570, None],
    "U40455": [21, 16, 45, 71, None],
}
YEARS_001 = [2017, 2018, 2019, 2020, 2021]


def _number(cell: str) -> float:
    digits = re.sub(r"[^0-9,−-]", "", cell).replace(",", ".").replace("−", "-")
    return float(digits)


def test_kkik_table_reproduces_the_annual_report(s):
    kpis = comparison.kkik_kpis(s, [])
    assert kpis == list(KKIK_001)  # the five KPIs plan 2021 assesses by quartile, in 001's order
    values, colours = comparison.kkik_table(s, kpis, YEARS_001)
    assert list(values.columns) == ["Nyckeltal", *map(str, YEARS_001), "Källa"]
    for n, (kpi, printed) in enumerate(KKIK_001.items()):
        row = values.iloc[n]
        for year, number in zip(YEARS_001, printed):
            if number is not None:
                assert round(_number(row[str(year)])) == number, (kpi, year, row[str(year)])
            elif not (kpi, year) == ("U40455", 2021):  # Kolada published 2021 after the report
                assert row[str(year)] == "---", (kpi, year)
    # N30101 is not in the Kolada data: the report's figures, marked and named, never coloured
    cost = values.iloc[3]
    assert cost["Nyckeltal"] == "Kostnad individ- och familjeomsorg, kr/inv"
    assert cost["2017"] == "4\u00a0339\u00a0kr¹" and cost["2021"] == "---"
    assert cost["Källa"] == "¹ 001 Verksamhetsberättelse 2021"
    assert set(colours.iloc[3, 1:]) == {"—"}
    assert values.iloc[1]["Källa"] == "Kolada"
    # 001: "Tyresö tillhör de 25 procent kommuner med kortast väntetid" (2021) and lowest re-actualisation
    assert colours.iloc[2]["2021"] == "Grön" and colours.iloc[1]["2021"] == "Grön"
    # no brukarundersökning 2020–2021: no value, so no colour
    assert values.iloc[0][["2020", "2021"]].tolist() == ["---", "---"]
    assert colours.iloc[0][["2020", "2021"]].tolist() == ["—", "—"]


def test_kkik_colour_only_where_a_ranking_was_computed(s):
    # U30453 2020: other municipalities reported, Tyresö did not (no brukarundersökning) → no colour;
    # 2006: nothing at all; 2021 (U31402): Tyresö ranked among that year's values → that rank's colour
    others = s.scalar("SELECT count(*) FROM kolada_values WHERE kpi = 'U30453' AND year = 2020 AND value IS NOT NULL")
    assert others > 100
    values, colours = comparison.kkik_table(s, ["U30453", "U31402"], [2006, 2020, 2021])
    assert (values.iloc[0]["2020"], colours.iloc[0]["2020"]) == ("---", "—")
    assert (values.iloc[1]["2006"], colours.iloc[1]["2006"]) == ("---", "—")
    rank = comparison.ranks(s, ["U31402"], [2021])[("U31402", 2021)]
    assert colours.iloc[1]["2021"] == quartile_colour(rank) == "Grön"


def test_comparison_table_against_groups(s):
    peer = comparison.peer_groups(s)
    assert peer.iloc[0]["title"] == "Liknande kommuner IFO, Tyresö, 2024"
    table = comparison.comparison_table(s, ["N31814", "U31402"], 2022, peer.iloc[0]["id"], ["0180"])
    assert list(table.columns) == ["Nyckeltal", "Tyresö", "Riket", "Stockholms län (medel)",
                                   "Liknande kommuner (medel)", "Stockholm", "Placering", "Bedömning"]
    n31814 = table.iloc[0]
    assert n31814["Tyresö"] == "47,39\u00a0%"  # the real 2022 figure
    assert re.fullmatch(r"\d+ av \d+", n31814["Placering"])
    assert n31814["Bedömning"] in ("Grön", "Gul", "Röd")


def test_group_mean_is_computed_over_the_members(s):
    county = comparison.county_group(s)
    expected = s.scalar(
        "SELECT avg(value) FROM kolada_values v JOIN kolada_group_members g ON g.municipality_id = v.municipality"
        " WHERE g.group_id = ? AND kpi = 'U31402' AND year = 2021 AND gender = 'T' AND value IS NOT NULL", [county])
    frame = comparison.trend(s, "U31402", None, [2021])
    assert frame.loc[2021, "Stockholms län (medel)"] == pytest.approx(expected)


def test_jamforelser_page(seeded_db, monkeypatch):
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = open_page("pages/jamforelser.py")
    assert not at.exception
    assert at.title[0].value == "Jämförelser"
    assert at.caption[0].value.startswith("Kolada-data hämtad 2024-08-30.")
    assert "Egen bearbetning av data från Kolada" in at.caption[0].value
    table = at.dataframe[0].value
    assert table["Bedömning"].isin(["✔ Grön", "▲ Gul", "✖ Röd", "– Ej bedömd"]).all()
    kkik = next(t for h in at.get("html") for t in tables(h.proto.body) if t[0][0] == "Nyckeltal")
    assert kkik[0][1:] == ["2017", "2018", "2019", "2020", "2021", "2022", "Källa"]
    cost = next(row for row in kkik if row[0] == "Kostnad individ- och familjeomsorg, kr/inv")
    assert [c.replace("\u00a0", " ") for c in cost[1:]] == [
        "4 339 kr¹", "4 513 kr¹", "4 616 kr¹", "4 570 kr¹", "---", "---", "¹ 001 Verksamhetsberättelse 2021"]
    assert at.get("plotly_chart")


def test_failed_refresh_is_shown(seeded_db, monkeypatch):
    s = open_store(seeded_db)
    s.con.execute("INSERT OR REPLACE INTO meta VALUES ('kolada_last_error', '2026-11-23 03:00: HTTP 503')")
    s.close()
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = open_page("pages/jamforelser.py")
    assert at.warning[0].value == ("Senaste hämtningen från Kolada misslyckades (2026-11-23 03:00: HTTP 503). "
                                   "Visad data är från 2024-08-30.")


def test_jamforelser_chart_follows_the_chosen_key_figure_at_once(seeded_db, monkeypatch):
    """The chart's key figure is chosen below the table; the page draws the chosen one in the same
    run, and a key figure taken out of the list falls back to the first one."""
    import json

    def charted(at) -> str:
        return json.dumps(json.loads(at.get("plotly_chart")[0].proto.spec)["layout"], ensure_ascii=False)

    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = open_page("pages/jamforelser.py")
    first, other = at.selectbox(key="trend_kpi").options[:2]  # the key figures' titles
    assert first in charted(at) and other not in charted(at)
    at.selectbox(key="trend_kpi").select_index(1).run()
    assert other in charted(at) and first not in charted(at)
    kpis = at.multiselect(key="kpis")
    kpis.unselect(kpis.value[1]).run()
    assert not at.exception
    assert at.selectbox(key="trend_kpi").index == 0
    assert first in charted(at)
