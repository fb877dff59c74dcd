"""Jämförelser: Tyresö against riket, Stockholms län, liknande kommuner and chosen municipalities."""

import streamlit as st

from asn_dash import colours
from asn_dash.app import render, ui
from asn_dash.kolada import comparison
from asn_dash.meeting import charts

ui.ensure_app_navigation()
store = ui.store()


def choices() -> dict:
    """What the controls offer (key figures, years, peer groups, municipalities), from the cached reads."""
    fetched, error = ui.cached(store, comparison.fetched_at, reads=(ui.KOLADA,))
    info = ui.cached(store, comparison.kpi_info, reads=(ui.KOLADA, ui.CATALOGUE))
    groups = ui.cached(store, comparison.peer_groups, reads=(ui.KOLADA,))
    munis = ui.cached(store, comparison.municipalities, reads=(ui.KOLADA,))
    return {"when": (fetched or "—")[:10], "error": error, "kpis": list(info["kpi"]),
            "titles": dict(zip(info["kpi"], info["title"])), "units": dict(zip(info["kpi"], info["unit"])),
            "defaults": ui.cached(store, comparison.default_kpis, reads=(ui.KOLADA, ui.CATALOGUE)),
            "years": list(range(int(info["first_year"].min()), int(info["last_year"].max()) + 1))
            if not info.empty else [],
            "groups": dict(zip(groups["id"], groups["title"])), "munis": dict(zip(munis["id"], munis["title"]))}


def shown(kpis: tuple, year: int, group: str, picked: tuple, kpi: str, years: tuple) -> dict:
    """The comparison table, the trend (data and figure) and the KKiK table for the choices."""
    table = ui.cached(store, comparison.comparison_table, list(kpis), year, group, list(picked),
                      reads=(ui.KOLADA, ui.CATALOGUE))
    table["Bedömning"] = table["Bedömning"].map(colours.label)
    frame = ui.cached(store, comparison.trend, kpi, group, list(years), reads=(ui.KOLADA,))
    title, unit = pick["titles"][kpi], pick["units"][kpi]
    recent = [y for y in years if y > years[-1] - 6]
    kkik_kpis = ui.cached(store, comparison.kkik_kpis, list(kpis), reads=(ui.CATALOGUE,))
    values, colour = ui.cached(store, comparison.kkik_table, kkik_kpis, recent,
                               reads=(ui.KOLADA, ui.CATALOGUE, ui.VALUES))  # report_values: published figures
    return {"table": table, "frame": frame,
            "figure": None if frame.empty else charts.years_figure(title, unit, frame).to_dict(),
            "kkik": render.kkik_table(values, colour)}


pick = ui.view(store, "jamforelser-val", choices)  # one cached read per view instead of one per query
titles, when = pick["titles"], pick["when"]
st.title("Jämförelser")
st.caption(f"Kolada-data hämtad {when}. Värden för Tyresö, riket och valda kommuner: {comparison.SOURCE_RAW}. "
           f"Medelvärden, placering och färger: {comparison.SOURCE_OWN}.")
if pick["error"]:
    st.warning(f"Senaste hämtningen från Kolada misslyckades ({pick['error']}). Visad data är från {when}.")

kpis = st.multiselect("Nyckeltal", pick["kpis"], default=pick["defaults"], format_func=lambda k: f"{titles[k]} ({k})",
                      key="kpis")
years = pick["years"]
if not kpis or not years:
    st.info("Välj minst ett nyckeltal.")
    st.stop()
year = st.selectbox("År", years[::-1], key="year")
group = st.selectbox("Liknande kommuner", list(pick["groups"]), format_func=pick["groups"].get, key="peer_group")
picked = st.multiselect("Jämför också med", list(pick["munis"]), format_func=pick["munis"].get, key="picked",
                        placeholder="Välj kommuner")
kpi = st.session_state.get("trend_kpi")  # the chart's choice is drawn below the table; its value is known now
page = ui.view(store, "jamforelser", shown, tuple(kpis), year, group, tuple(picked),
               kpi if kpi in kpis else kpis[0], tuple(years))

st.header(f"Tyresö {year} jämfört med andra", anchor=False)
st.dataframe(page["table"], hide_index=True, width="stretch")
st.caption("Bedömning: Tyresös placering bland alla kommuner som rapporterat värdet – de 25 % bästa ✔ Grön, "
           "de 50 % mittersta ▲ Gul, de 25 % sämsta ✖ Röd; vad som är bäst följer nyckeltalets riktning.")

st.header("Utveckling över tid", anchor=False)
kpi = st.selectbox("Nyckeltal i diagrammet", kpis, format_func=lambda k: titles[k], key="trend_kpi")
if page["figure"] is None:
    st.info("Kolada har inga värden för nyckeltalet under perioden.")
else:
    st.plotly_chart(page["figure"], width="stretch", config=ui.CHART_CONFIG)
    source = f"{comparison.SOURCE_RAW}, hämtad {when}; medelvärden: {comparison.SOURCE_OWN.lower()}"
    frame, unit = page["frame"], pick["units"][kpi]
    ui.chart_downloads(lambda _: charts.with_footer(charts.years_figure(titles[kpi], unit, frame), [source]),
                       f"kolada-{kpi}", "trend")

st.header("Tabell som i verksamhetsberättelsen (KKiK)", anchor=False)
ui.html(page["kkik"])
st.caption("Tyresös värden från Kolada. Där Kolada saknar värdet visas siffran som nämndens rapport publicerade, "
           "märkt med en upphöjd siffra som kolumnen Källa förklarar. Placering och färg (✔ Grön, ▲ Gul, ✖ Röd) "
           "visas bara för Kolada-värden, rangordnade bland alla kommuners värden samma år; --- = värde saknas.")
