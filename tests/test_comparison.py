"""Municipal comparisons on the offline snapshot (real Kolada data) and the Jämförelser page."""

import re

import pytest

from asn_dash.kolada import comparison
from asn_dash.store.setup import open_store

from .apptest import open_page
from .htmltables import tables


def test_kkik_table_reproduces_the_annual_report(s):
    # 001's KKiK table 2017–2021 for Tyresö (rounded there): 72/79/92/86/100 and 13/11/14/37/7
    values, colours = comparison.kkik_table(s, ["U31462", "U31402"], [2017, 2018, 2019, 2020, 2021])
    assert values.iloc[0, 1:].tolist() == ["72\u00a0%", "79\u00a0%", "92\u00a0%", "86\u00a0%", "100\u00a0%"]
    assert values.iloc[1, 1:].tolist() == [f"{d}\u00a0dagar" for d in (13, 11, 14, 37, 7)]
    # 001: "Tyresö tillhör de 25 procent kommuner med kortast väntetid" (2021) and lowest re-actualisation
    assert colours.iloc[1]["2021"] == "Grön" and colours.iloc[0]["2021"] == "Grön"
    missing, _ = comparison.kkik_table(s, ["U30453"], [2020, 2021])
    assert missing.iloc[0, 1:].tolist() == ["---", "---"]


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
    assert kkik[0][1:] == ["2017", "2018", "2019", "2020", "2021", "2022"]
    assert at.get("plotly_chart")


def test_failed_refresh_is_shown(seeded_db, monkeypatch):
    s = open_store(seeded_db)
    s.con.execute("INSERT OR REPLACE INTO meta VALUES ('kolada_last_error', '2026-11-23 03:00: HTTP 503')")
    s.close()
    monkeypatch.setenv("ASN_DB", str(seeded_db))
    at = open_page("pages/jamforelser.py")
    assert at.warning[0].value == ("Senaste hämtningen från Kolada misslyckades (2026-11-23 03:00: HTTP 503). "
                                   "Visad data är från 2024-08-30.")
