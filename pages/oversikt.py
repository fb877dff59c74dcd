"""Översikt: where each goal stands for the chosen plan year and period."""

import streamlit as st

from asn_dash import sources
from asn_dash.app import render, ui
from asn_dash.rules import outlook
from asn_dash.store import queries

ui.ensure_app_navigation()
store = ui.store()
year, period = ui.selection()
results, areas = ui.evaluation_for(store, year, period)
plan = ui.cached(store, queries.plan, year, reads=(ui.CATALOGUE,))
outlooks = ui.cached(store, outlook.plan_outlooks, year, period, reads=(ui.VALUES, ui.CATALOGUE))  # Prognos helår (issue 16)
markers = {i: o.marker for i, o in outlooks.items() if o.marker} if outlooks else None

ui.html(render.PRINT_CSS)
st.title("Översikt")
st.markdown(f"**{plan['title']}** · uppföljning för **{period.span_label()}**")
st.caption(f"Målstruktur enligt {plan['source']}. Utfall och bedömning för hela förvaltningen; "
           f"trenden jämför med samma period förra året. Klicka på en indikator för detaljer.")
if any(r.is_demo for r in results):
    st.info(sources.DEMO_NOTE, icon="⚠️")

st.header("Målområden", anchor="malomraden")
ui.html(render.area_cards(areas, outlook.area_markers([(r.goal_area_id, r.indicator_id) for r in results], outlooks)))

st.header("Måluppfyllelse per månad", anchor="manad")
st.caption(f"Beräknad bedömning per målområde och månad {year} (utan analytikers ändringar).")
ui.html(render.month_grid(ui.month_grid_for(store, year, period)))

unit_colours = ui.cached(store, queries.published_unit_colours, year, period,
                         ui.cached(store, queries.whole_administration, reads=(ui.CATALOGUE,)),
                         reads=(ui.VALUES, ui.CATALOGUE))
for area in areas:
    st.header(area.name, divider="gray", anchor=area.goal_area_id)
    area_results = [r for r in results if r.goal_area_id == area.goal_area_id]
    for goal_id in dict.fromkeys(r.goal_id for r in area_results):
        goal_results = [r for r in area_results if r.goal_id == goal_id]
        st.subheader(f"Nämndmål: {goal_results[0].goal}", anchor=False)
        shown = {r.indicator_id: markers[r.indicator_id] for r in goal_results if r.indicator_id in (markers or {})}
        ui.html(render.report_table(goal_results, year, period, shown or None))
    units = unit_colours[unit_colours["goal_area_id"] == area.goal_area_id] if not unit_colours.empty else unit_colours
    if not units.empty:
        with st.expander("Andelen enheter som når sina mål"):
            ui.html(render.unit_colours(units))
