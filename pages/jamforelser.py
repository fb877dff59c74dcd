"""Jämförelser: Tyresö against riket, Stockholms län, liknande kommuner and chosen municipalities."""

import streamlit as st

from asn_dash import colours
from asn_dash.app import render, ui
from asn_dash.kolada import comparison
from asn_dash.meeting import charts

ui.ensure_app_navigation()
store = ui.store()

st.title("Jämförelser")
fetched, error = ui.cached(store, comparison.fetched_at, reads=(ui.KOLADA,))
when = (fetched or "—")[:10]
st.caption(f"Kolada-data hämtad {when}. Värden för Tyresö, riket och valda kommuner: {comparison.SOURCE_RAW}. "
           f"Medelvärden, placering och färger: {comparison.SOURCE_OWN}.")
if error:
    st.warning(f"Senaste hämtningen från Kolada misslyckades ({error}). Visad data är från {when}.")

info = ui.cached(store, comparison.kpi_info, reads=(ui.KOLADA, ui.CATALOGUE))
titles = dict(zip(info["kpi"], info["title"]))
defaults = ui.cached(store, comparison.default_kpis, reads=(ui.KOLADA, ui.CATALOGUE))
kpis = st.multiselect("Nyckeltal", list(info["kpi"]), default=defaults, format_func=lambda k: f"{titles[k]} ({k})",
                      key="kpis")
years = list(range(int(info["first_year"].min()), int(info["last_year"].max()) + 1)) if not info.empty else []
if not kpis or not years:
    st.info("Välj minst ett nyckeltal.")
    st.stop()
year = st.selectbox("År", years[::-1], key="year")
groups = ui.cached(store, comparison.peer_groups, reads=(ui.KOLADA,))
group_titles = dict(zip(groups["id"], groups["title"]))
group = st.selectbox("Liknande kommuner", list(group_titles), format_func=group_titles.get, key="peer_group")
munis = ui.cached(store, comparison.municipalities, reads=(ui.KOLADA,))
muni_titles = dict(zip(munis["id"], munis["title"]))
picked = st.multiselect("Jämför också med", list(muni_titles), format_func=muni_titles.get, key="picked",
                        placeholder="Välj kommuner")

st.header(f"Tyresö {year} jämfört med andra", anchor=False)
table = ui.cached(store, comparison.comparison_table, kpis, year, group, picked,
                  reads=(ui.KOLADA, ui.CATALOGUE))
table["Bedömning"] = table["Bedömning"].map(colours.label)
st.dataframe(table, hide_index=True, width="stretch")
st.caption("Bedömning: Tyresös placering bland alla kommuner som rapporterat värdet – de 25 % bästa ✔ Grön, "
           "de 50 % mittersta ▲ Gul, de 25 % sämsta ✖ Röd; vad som är bäst följer nyckeltalets riktning.")

st.header("Utveckling över tid", anchor=False)
kpi = st.selectbox("Nyckeltal i diagrammet", kpis, format_func=lambda k: titles[k], key="trend_kpi")
frame = ui.cached(store, comparison.trend, kpi, group, years, reads=(ui.KOLADA,))
unit = info.set_index("kpi").loc[kpi, "unit"]
if frame.empty:
    st.info("Kolada har inga värden för nyckeltalet under perioden.")
else:
    st.plotly_chart(ui.figure(charts.years_figure, titles[kpi], unit, frame), width="stretch", config=ui.CHART_CONFIG)
    source = f"{comparison.SOURCE_RAW}, hämtad {when}; medelvärden: {comparison.SOURCE_OWN.lower()}"
    ui.chart_downloads(lambda _: charts.with_footer(charts.years_figure(titles[kpi], unit, frame), [source]),
                       f"kolada-{kpi}", "trend")

st.header("Tabell som i verksamhetsberättelsen (KKiK)", anchor=False)
recent = [y for y in years if y > years[-1] - 6]
kkik_kpis = ui.cached(store, comparison.kkik_kpis, kpis, reads=(ui.CATALOGUE,))
values, colour = ui.cached(store, comparison.kkik_table, kkik_kpis, recent,
                          reads=(ui.KOLADA, ui.CATALOGUE, ui.VALUES))  # report_values: published figures
ui.html(render.kkik_table(values, colour))
st.caption("Tyresös värden från Kolada. Där Kolada saknar värdet visas siffran som nämndens rapport publicerade, "
           "märkt med en upphöjd siffra som kolumnen Källa förklarar. Placering och färg (✔ Grön, ▲ Gul, ✖ Röd) "
           "visas bara för Kolada-värden, rangordnade bland alla kommuners värden samma år; --- = värde saknas.")
