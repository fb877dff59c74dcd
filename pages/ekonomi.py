"""Ekonomi: the förvaltning's economy per verksamhet for the chosen plan year and period, as the
year's report prints it, every figure named by its kind (utfall, budget, prognos helår)."""

import streamlit as st

from asn_dash import sources
from asn_dash.app import render, ui
from asn_dash.formatting import escape_markdown
from asn_dash.services import economy

ui.ensure_app_navigation()
store = ui.store()
year, period = ui.selection()
result = ui.cached(store, economy.economy, year, period, reads=(ui.VALUES, ui.CATALOGUE))

st.title("Ekonomi per verksamhet")
st.caption(f"Planår {year} · {period.label()} · tkr, kostnader med minustecken som i rapporterna; "
           "avvikelse = utfall eller prognos − budget (negativ = underskott).")

if result.is_empty:
    st.info(f"Det finns ingen publicerad eller uppladdad ekonomi för {year}. Nämndens rapporter för "
            "året redovisar ingen ekonomisk tabell per verksamhet som panelen har.", icon="ℹ️")
    st.stop()

if result.period is None:
    st.info(f"Inget ekonomiskt utfall är redovisat för {period.label()}. Tabellen visar årets budget och "
            "den senast publicerade helårsprognosen (se källan).", icon="ℹ️")
elif result.period != period:
    st.info(f"Ekonomin redovisas per tertial och helår: utfallet gäller {result.period.span_label()}.", icon="ℹ️")
if result.has_demo:
    st.warning(sources.DEMO_NOTE, icon="⚠️")

for section in result.sections:
    ui.html(render.economy_table(result, section, year, period))
    st.caption(f"{section.source_line} {section.source_labels}.")
    with st.expander("Öppna en verksamhet som indikator"):
        for row in section.rows:  # in-app navigation keeps the session (and a local sign-in)
            st.page_link("pages/indikator.py", label=escape_markdown(row.name),
                         query_params=render.indicator_query(row.indicator_id, year, period))

st.caption("En prognos visas aldrig som utfall: varje kolumn anger om siffran är utfall för perioden, "
           "budget eller prognos för helåret. En avvikelse märkt «beräknad» står inte i rapporten utan är "
           "räknad ur dess siffror. Under varje tabell kan en verksamhet öppnas som indikator.")
