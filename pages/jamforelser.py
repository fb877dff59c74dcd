"""Jämförelser: Tyresö against riket, Stockholms län, liknande kommuner and chosen municipalities."""

import streamlit as st

from asn_dash import charts, colours, comparison, render, ui

ui.ensure_app_navigation()
store = ui.store()

st.title("Jämförelser")
fetched, error = comparison.fetched_at(store)
when = (fetched or "—")[:10]
st.caption(f"Kolada-data hämtad {when}. Värden för Tyresö, riket och valda kommuner: {comparison.SOURCE_RAW}. "
           f"Medelvärden, placering och färger: {comparison.SOURCE_OWN}.")
if error:
    st.warning(f"Senaste hämtningen från Kolada misslyckades ({error}). Visad data är från {when}.")

info = comparison.kpi_info(store)
titles = dict(zip(info["kpi"], info["title"]))
defaults = comparison.default_kpis(store)
kpis = st.multiselect("Nyckeltal", list(info["kpi"]), default=defaults, format_func=lambda k: f"{titles[k]} ({k})",
                      key="kpis")
years = list(range(int(info["first_year"].min()), int(info["last_year"].max()) + 1)) if not info.empty else []
if not kpis or not years:
    st.info("Välj minst ett nyckeltal.")
    st.stop()
year = st.selectbox("År", years[::-1], key="year")
groups = comparison.peer_groups(store)
group = st.selectbox("Liknande kommuner", list(groups["id"]),
                     format_func=lambda g: groups.set_index("id").loc[g, "title"], key="peer_group")
munis = comparison.municipalities(store)
picked = st.multiselect("Jämför också med", list(munis["id"]),
                        format_func=lambda m: munis.set_index("id").loc[m, "title"], key="picked",
                        placeholder="Välj kommuner")

st.subheader(f"Tyresö {year} jämfört med andra", anchor=False)
table = comparison.comparison_table(store, kpis, year, group, picked)
table["Bedömning"] = table["Bedömning"].map(colours.label)
st.dataframe(table, hide_index=True, width="stretch")
st.caption("Bedömning: Tyresös placering bland alla kommuner som rapporterat värdet – de 25 % bästa ✔ Grön, "
           "de 50 % mittersta ▲ Gul, de 25 % sämsta ✖ Röd; vad som är bäst följer nyckeltalets riktning.")

st.subheader("Utveckling över tid", anchor=False)
kpi = st.selectbox("Nyckeltal i diagrammet", kpis, format_func=lambda k: titles[k], key="trend_kpi")
frame = comparison.trend(store, kpi, group, years)
unit = info.set_index("kpi").loc[kpi, "unit"]
if frame.empty:
    st.info("Kolada har inga värden för nyckeltalet under perioden.")
else:
    st.plotly_chart(charts.years_figure(titles[kpi], unit, frame), width="stretch", config=ui.CHART_CONFIG)
    source = f"{comparison.SOURCE_RAW}, hämtad {when}; medelvärden: {comparison.SOURCE_OWN.lower()}"
    ui.chart_downloads(lambda _: charts.with_footer(charts.years_figure(titles[kpi], unit, frame), [source]),
                       f"kolada-{kpi}", "trend")

st.subheader("Tabell som i verksamhetsberättelsen (KKiK)", anchor=False)
recent = [y for y in years if y > years[-1] - 6]
values, colour = comparison.kkik_table(store, kpis, recent)
ui.html(render.kkik_table(values, colour))
