"""Municipal comparisons from the stored Kolada values: Tyresö against riket, Stockholms län,
a "liknande kommuner" group and chosen municipalities; rank and quartile among all
municipalities; trends; a KKiK-style table. Raw values are "Källa: Kolada"; averages and
ranks are our own processing and labelled so."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from asn_dash.formatting import format_value
from asn_dash.rules.assessment import NA, Rank, quartile_colour, rank_among
from asn_dash.sources import PUBLISHED
from asn_dash.store import queries
from asn_dash.store.store import Store

TYRESO, RIKET = "0138", "0000"
COUNTY_TITLE = "Stockholms läns kommuner"
SOURCE_RAW = "Källa: Kolada"
SOURCE_OWN = "Egen bearbetning av data från Kolada"


def kpi_info(store: Store) -> pd.DataFrame:
    """KPIs with stored values: id, title, the catalogue's direction and unit where known."""
    return store.query(
        """
        SELECT v.kpi, coalesce(i.name, k.title, v.kpi) AS title, coalesce(i.direction, 'ingen') AS direction,
               coalesce(i.unit, 'index') AS unit, i.kolada_retired, min(v.year) AS first_year, max(v.year) AS last_year
        FROM kolada_values v
        LEFT JOIN kolada_kpis k ON k.id = v.kpi
        LEFT JOIN indicators i ON i.kolada_kpi = v.kpi
        GROUP BY ALL ORDER BY v.kpi
        """)


def default_kpis(store: Store) -> list[str]:
    """The KKiK KPIs and the reports' KPIs that have values."""
    have = set(kpi_info(store)["kpi"])
    members = json.loads(store.scalar("SELECT value FROM meta WHERE key = 'kolada_kkik_members'") or "[]")
    kkik = {m["member_id"] for m in members}
    catalogue = set(store.query("SELECT kolada_kpi FROM indicators WHERE kolada_kpi IS NOT NULL")["kolada_kpi"])
    return sorted(have & (kkik | catalogue))


def peer_groups(store: Store) -> pd.DataFrame:
    """Tyresö's own "Liknande kommuner …, Tyresö, …" groups (looked up by title), IFO first."""
    frame = store.query("SELECT id, title FROM kolada_groups WHERE title LIKE '%, Tyresö,%' ORDER BY title")
    frame["order"] = ~frame["title"].str.contains("IFO|ekonomiskt bistånd|arbetsmarknad", regex=True)
    return frame.sort_values(["order", "title"]).drop(columns="order").reset_index(drop=True)


def county_group(store: Store) -> str | None:
    return store.scalar("SELECT id FROM kolada_groups WHERE title LIKE ? ORDER BY id LIMIT 1", [f"{COUNTY_TITLE}%"])


def municipalities(store: Store) -> pd.DataFrame:
    return store.query("SELECT id, title FROM kolada_municipalities WHERE type = 'K' ORDER BY title")


def _group_mean(store: Store, group: str | None, kpis: list[str], years: list[int]) -> pd.DataFrame:
    if not group:
        return pd.DataFrame(columns=["kpi", "year", "value", "n"])
    return store.query(
        "SELECT v.kpi, v.year, avg(v.value) AS value, count(v.value) AS n FROM kolada_values v"
        " JOIN kolada_group_members g ON g.municipality_id = v.municipality AND g.group_id = ?"
        " WHERE list_contains(?, v.kpi) AND list_contains(?, v.year) AND v.gender = 'T' AND v.value IS NOT NULL"
        " GROUP BY v.kpi, v.year", [group, kpis, years])


def _values(store: Store, kpis: list[str], years: list[int], muns: list[str] | None = None) -> pd.DataFrame:
    return store.query(
        "SELECT kpi, municipality, year, value FROM kolada_values WHERE list_contains(?, kpi)"
        " AND list_contains(?, year) AND gender = 'T' AND value IS NOT NULL"
        + (" AND list_contains(?, municipality)" if muns is not None else ""),
        [kpis, years] + ([muns] if muns is not None else []))


def ranks(store: Store, kpis: list[str], years: list[int],
          info: pd.DataFrame | None = None) -> dict[tuple[str, int], Rank | None]:
    """Tyresö's rank per KPI and year among all municipalities (type K) that reported a value.
    ``info`` is ``kpi_info`` indexed by kpi, when the caller already has it."""
    info = kpi_info(store).set_index("kpi") if info is None else info
    all_values = store.query(
        "SELECT v.kpi, v.year, v.municipality, v.value FROM kolada_values v"
        " JOIN kolada_municipalities m ON m.id = v.municipality AND m.type = 'K'"
        " WHERE list_contains(?, v.kpi) AND list_contains(?, v.year) AND v.gender = 'T' AND v.value IS NOT NULL",
        [kpis, years])
    out = {}
    for (kpi, year), part in all_values.groupby(["kpi", "year"]):
        direction = info.loc[kpi, "direction"] if kpi in info.index else "ingen"
        out[(kpi, int(year))] = (rank_among(dict(zip(part["municipality"], part["value"])), TYRESO, direction,
                                            int(year)) if direction in ("högre", "lägre") else None)
    return out


def comparison_table(store: Store, kpis: list[str], year: int, peer_group: str | None,
                     picked: list[str] = ()) -> pd.DataFrame:
    """One row per KPI: Tyresö, riket, Stockholms län (mean), the peer group (mean), picked
    municipalities, Tyresö's rank and quartile colour."""
    info = kpi_info(store).set_index("kpi")
    raw = _values(store, kpis, [year], [TYRESO, RIKET, *picked])
    county = _group_mean(store, county_group(store), kpis, [year]).set_index("kpi")
    peers = _group_mean(store, peer_group, kpis, [year]).set_index("kpi")
    rank = ranks(store, kpis, [year], info)
    names = dict(municipalities(store).itertuples(index=False))
    rows = []
    for kpi in kpis:
        unit = info.loc[kpi, "unit"] if kpi in info.index else "index"
        own = raw[(raw["kpi"] == kpi)].set_index("municipality")["value"]
        r = rank.get((kpi, year))
        row = {
            "Nyckeltal": f"{info.loc[kpi, 'title'] if kpi in info.index else kpi} ({kpi})",
            "Tyresö": format_value(own.get(TYRESO), unit),
            "Riket": format_value(own.get(RIKET), unit),
            "Stockholms län (medel)": format_value(county["value"].get(kpi), unit),
            "Liknande kommuner (medel)": format_value(peers["value"].get(kpi), unit),
        }
        for m in picked:
            row[names.get(m, m)] = format_value(own.get(m), unit)
        row["Placering"] = f"{r.place} av {r.of}" if r else "—"
        row["Bedömning"] = quartile_colour(r)
        if own.get(TYRESO) is None and kpi in info.index and isinstance(info.loc[kpi, "kolada_retired"], str):
            row["Placering"] = f"Utgått i Kolada: {info.loc[kpi, 'kolada_retired']}"
        rows.append(row)
    return pd.DataFrame(rows)


def trend(store: Store, kpi: str, peer_group: str | None, years: list[int]) -> pd.DataFrame:
    """Year × series (Tyresö, Riket, Stockholms län, Liknande kommuner) for one KPI."""
    raw = _values(store, [kpi], years, [TYRESO, RIKET]).pivot_table(index="year", columns="municipality",
                                                                      values="value")
    out = pd.DataFrame(index=pd.Index(years, name="year"))
    out["Tyresö"] = raw.get(TYRESO)
    out["Riket"] = raw.get(RIKET)
    out["Stockholms län (medel)"] = _group_mean(store, county_group(store), [kpi], years).set_index("year")["value"]
    out["Liknande kommuner (medel)"] = _group_mean(store, peer_group, [kpi], years).set_index("year")["value"]
    return out.dropna(how="all")


KKIK_MISSING = "---"
SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹"
SOURCE_COLUMN = "Källa"


def kkik_kpis(store: Store, chosen: list[str]) -> list[str]:
    """The chosen KPIs, then those the plans assess by quartile (the committee's KKiK set, e.g.
    001's five) that are not chosen, even when Kolada has no value for them (N30101)."""
    quartile = store.query(
        "SELECT i.kolada_kpi FROM plan_indicators p JOIN indicators i ON i.id = p.indicator_id"
        " WHERE i.kolada_kpi IS NOT NULL AND json_extract_string(p.target_rule, '$.kind') = 'quartile'"
        " GROUP BY i.kolada_kpi ORDER BY max(p.plan_year) DESC, min(p.sort)")["kolada_kpi"]
    return list(chosen) + [k for k in quartile if k not in chosen]


def report_values(store: Store, kpis: list[str], years: list[int]) -> dict[tuple[str, int], tuple[float, str]]:
    """(KPI, year) → (Tyresö's value, the report it is quoted from) for the yearly figures the
    committee's reports published (``published.csv``)."""
    admin = queries.whole_administration(store)
    ids = store.query("SELECT id, kolada_kpi FROM indicators WHERE list_contains(?, kolada_kpi)", [kpis])
    out = {}
    for indicator_id, kpi in ids.itertuples(index=False):
        rows = queries.indicator_rows(store, indicator_id, date(min(years), 1, 1), date(max(years), 12, 31))
        rows = rows[(rows["unit_id"] == admin) & (rows["period_kind"] == "år") & (rows["source"] == PUBLISHED)
                    & rows["value"].notna()]
        for r in rows.itertuples(index=False):
            out[(kpi, int(r.period))] = (float(r.value), str(r.source_ref or "").split(" · ")[0] or "Rapport")
    return out


def kkik_table(store: Store, kpis: list[str], years: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Like 001's KKiK table: KPI rows, year columns, '---' where missing, and a "Källa" column;
    and the quartile colours.

    Tyresö's Kolada value is shown where Kolada has it; otherwise the figure a report published,
    marked with a superscript that the Källa column names (never colour alone). A quartile colour
    is shown only where it was computed: for a Kolada value of that year ranked among all
    municipalities' values of the same year; a report's figure gets none."""
    info = kpi_info(store).set_index("kpi")
    catalogue = store.query("SELECT kolada_kpi, name, unit FROM indicators WHERE list_contains(?, kolada_kpi)",
                            [kpis]).set_index("kolada_kpi")
    raw = _values(store, kpis, years, [TYRESO]).set_index(["kpi", "year"])["value"]
    reported = report_values(store, kpis, years)
    rank = ranks(store, kpis, years, info)
    marks: dict[str, str] = {}  # report → its superscript, numbered in order of first use
    values, colours = [], []
    for kpi in kpis:
        unit = catalogue.loc[kpi, "unit"] if kpi in catalogue.index else (
            info.loc[kpi, "unit"] if kpi in info.index else "index")
        label = catalogue.loc[kpi, "name"] if kpi in catalogue.index else (
            info.loc[kpi, "title"] if kpi in info.index else kpi)
        row, colour, sources = {"Nyckeltal": label}, {"Nyckeltal": label}, []
        for y in years:
            colour[str(y)] = NA
            if (kpi, y) in raw.index:
                row[str(y)] = format_value(raw.get((kpi, y)), unit)
                colour[str(y)] = quartile_colour(rank.get((kpi, y)))
                sources.append("Kolada")
            elif (kpi, y) in reported:
                value, doc = reported[(kpi, y)]
                mark = marks.setdefault(doc, SUPERSCRIPTS[min(len(marks), len(SUPERSCRIPTS) - 1)])
                row[str(y)] = format_value(value, unit) + mark
                sources.append(f"{mark} {doc}")
            else:
                row[str(y)] = KKIK_MISSING
        row[SOURCE_COLUMN] = "; ".join(dict.fromkeys(sources)) or "—"
        colour[SOURCE_COLUMN] = NA
        values.append(row)
        colours.append(colour)
    return pd.DataFrame(values), pd.DataFrame(colours)


def fetched_at(store: Store) -> tuple[str | None, str | None]:
    """(when the stored Kolada data was fetched, the last failed refresh if any)."""
    return (store.scalar("SELECT value FROM meta WHERE key = 'kolada_fetched_at'"),
            store.scalar("SELECT value FROM meta WHERE key = 'kolada_last_error'"))
