"""Översikt: målområden, nämndmål and indicators with their latest values."""

import streamlit as st

from asn_dash import overview, queries, ui

ui.ensure_app_navigation()

store = ui.store()
year, period = ui.selection()


@st.cache_data(show_spinner=False, max_entries=64)
def load(path: str, version: str, year: int, period_key: str):
    from asn_dash.periods import parse_key

    chosen = parse_key(period_key)
    admin = queries.whole_administration(store)
    structure = queries.plan_structure(store, year)
    values = queries.latest_values(store, year, chosen, admin)
    return overview.build_overview(structure, values), queries.plan(store, year)


areas, plan = load(str(store.path), ui.data_version(store), year, period.key)

st.title("Översikt")
st.markdown(f"**{plan['title']}** · uppföljning t.o.m. **{period.span_label()}**")
st.caption(f"Målstruktur enligt {plan['source']}. Utfall: senaste värdet för hela förvaltningen "
           f"fram till periodens slut.")

if overview.any_demo(areas):
    st.info(overview.DEMO_NOTE, icon="⚠️")

for area in areas:
    st.header(area.goal_area, divider="gray")
    if area.municipal_goal:
        st.caption(f"Kommunövergripande mål: {area.municipal_goal}")
    for goal in area.goals:
        st.subheader(f"Nämndmål: {goal.goal}", anchor=False)
        if not goal.rows:
            st.write("Inga indikatorer i planen för detta mål.")
            continue
        st.table(overview.goal_table(goal), hide_index=True, border="horizontal")
