"""Indikator: one indicator's trend, assessment, unit breakdown, data and dated comments."""

import streamlit as st

from asn_dash import annotations, colours, sources
from asn_dash.app import render, ui
from asn_dash.errors import AsnError
from asn_dash.formatting import escape_markdown, format_value
from asn_dash.kolada import comparison
from asn_dash.meeting import charts
from asn_dash.meeting import material as meeting
from asn_dash.rules import outlook, placements
from asn_dash.rules.assessment import COLOURS
from asn_dash.rules.suppression import policy_from_env
from asn_dash.rules.targets import MANUAL
from asn_dash.store import queries

ui.ensure_app_navigation()
store = ui.store()
me = ui.user()
year, period = ui.selection()
results, _ = ui.evaluation_for(store, year, period)
by_id = {r.indicator_id: r for r in results}
ids = list(by_id)

if "indikator" not in st.session_state or st.session_state["indikator"] not in by_id:
    wanted = st.query_params.get("indikator", "")
    st.session_state["indikator"] = wanted if wanted in by_id else ids[0]
indicator_id = st.selectbox("Indikator", ids, key="indikator", format_func=lambda i: by_id[i].name)
st.query_params["indikator"] = indicator_id
r = by_id[indicator_id]

st.title(r.name)
st.caption(f"{r.goal_area} · Nämndmål: {r.goal}")
ui.html(f'<div style="font-size:1.05rem">{render.badge(r.assessment.colour, big=True)} '
        f'{"<em>(ändrad av analytiker)</em>" if r.assessment.overridden else ""}</div>')
st.markdown(escape_markdown(r.assessment.reason))  # may quote an analyst's comment

c1, c2, c3 = st.columns([1, 1, 2])
c1.metric(f"Utfall {period.label()}", r.value_label)
previous = r.previous
c2.metric("Samma period förra året",
          "—" if previous is None or previous.value is None else format_value(previous.value, r.unit))
target = r.target_text if r.target_text.lower() not in ("ingen", "manuell") else "—"
trend_text = "—" if r.trend is None else f"{r.trend.arrow} {r.trend.text}"
c3.markdown(f"**Målnivå:** {target}  \n**Trend:** {trend_text}")

view = ui.indicator_view_for(store, r, year, period)
if view.has_demo:
    st.info(sources.DEMO_NOTE + " Öppna ringar i diagrammet är exempeldata.", icon="⚠️")
meta = ui.cached(store, queries.indicator_info, indicator_id, reads=(ui.CATALOGUE,))
kolada_years = (ui.cached(store, comparison.trend, meta["kolada_kpi"], None, list(range(year - 9, year + 1)),
                           reads=(ui.KOLADA,))
                if meta["kolada_kpi"] else None)
stem = f"{indicator_id}-{period.key}"


def exported(s) -> object:
    """The chart as it leaves the dashboard: small numbers masked, source under it."""
    policy = policy_from_env()
    row = meeting.build_rows(s, [r], year, period, policy)[0]
    return meeting.build_slide(s, r, row, year, period, policy).figure


prognos = ui.cached(store, outlook.plan_outlooks, year, period,  # Prognos helår (issue 16)
                    reads=(ui.VALUES, ui.CATALOGUE)).get(indicator_id)
if view.lines:
    fig = ui.figure(charts.trend_forecast_figure, f"{r.name} – månadsvärden {year}", r.unit, view.lines,
                    view.references, charts.forecast_band(prognos))
    st.plotly_chart(fig, width="stretch", config=ui.CHART_CONFIG)
    ui.chart_downloads(exported, stem, "trend")
elif kolada_years is not None and not kolada_years.empty:
    st.plotly_chart(ui.figure(charts.years_figure, f"{r.name} – Kolada {meta['kolada_kpi']}", r.unit, kolada_years),
                    width="stretch", config=ui.CHART_CONFIG)
    st.caption(f"{comparison.SOURCE_RAW} (Tyresö, riket). Länets medelvärde: {comparison.SOURCE_OWN}.")
    ui.chart_downloads(exported, stem, "trend")
elif isinstance(meta["kolada_retired"], str):
    st.info(f"Nyckeltalet {meta['kolada_kpi']} finns inte längre i Kolada: {meta['kolada_retired']} "
            f"Värdena nedan kommer från nämndens egna rapporter.", icon="ℹ️")
else:
    st.write("Indikatorn har inga månadsvärden att visa i diagram.")
if view.budget_note:
    st.caption(view.budget_note)
if prognos is not None:
    st.subheader("Prognos helår", anchor="prognos")
    st.markdown(escape_markdown(prognos.sentence()))
    for note in prognos.notes():
        st.caption(note)
    if prognos.outcome is not None:  # the method's record on this indicator's earlier years
        st.caption(outlook.track_text(ui.cached(store, outlook.indicator_track_record, indicator_id, year,
                                                reads=(ui.VALUES, ui.CATALOGUE)), r.unit))
placement = ui.cached(store, placements.placement_outlook, indicator_id, year, period,
                      reads=(ui.VALUES, ui.CATALOGUE))
if placement is not None:
    st.subheader("Placeringar mot budget", anchor="placeringar")
    st.markdown(escape_markdown(placement.sentence()))
    st.dataframe(placement.table(), hide_index=True, width="stretch")
    st.caption("Kostnad = antal × budgeterat pris per dygn × dagar i månaden; avvikelse = budget − kostnad "
               "(negativ = över budget)." + (" ⚠ Exempeldata ingår." if placement.is_demo else ""))

if view.units:
    st.header("Per enhet", anchor=False)
    st.plotly_chart(ui.figure(charts.units_figure, f"{r.name} per enhet {year}", r.unit, view.units),
                    width="stretch", config=ui.CHART_CONFIG)
    ui.chart_downloads(lambda s: meeting.units_figure(s, r, year, period, policy_from_env()), f"{stem}-enheter",
                       "units")

st.header("Data", anchor=False)
st.dataframe(view.table, hide_index=True, width="stretch")

st.header("Kommentarer", anchor=False)
notes = ui.cached(store, annotations.comments, indicator_id, reads=(ui.ANNOTATIONS,))
if notes.empty:
    st.write("Inga kommentarer ännu.")
for n in notes.itertuples(index=False):
    with st.container(border=True):
        st.markdown(f"**Kommentar ({n.written_on:%Y-%m-%d})** · {n.period} · {escape_markdown(n.author)}")
        st.text(n.text)

if not me.can("kommentera"):
    st.stop()  # läsare: everything above, nothing that writes

with st.expander("Skriv en kommentar"):
    with st.form("comment", clear_on_submit=True):
        text = st.text_area(f"Kommentar ({escape_markdown(me.name)})", max_chars=annotations.MAX_TEXT)
        if st.form_submit_button("Spara kommentar"):
            try:
                annotations.add_comment(store, me, indicator_id, period.key, text)
                st.success("Kommentaren är sparad.")
                st.rerun()
            except AsnError as exc:
                ui.show_error(exc)

if r.rule.kind == MANUAL:
    with st.expander("Sätt förvaltningens bedömning"):
        with st.form("manual"):
            colour = st.radio("Bedömning", COLOURS, format_func=colours.label, horizontal=True)
            text = st.text_area("Motivering")
            if st.form_submit_button("Spara bedömning"):
                try:
                    annotations.set_manual_status(store, me, indicator_id, period.key, colour, text)
                    st.rerun()
                except AsnError as exc:
                    ui.show_error(exc)

with st.expander("Ändra bedömningen"):
    if r.override_id is not None:
        st.markdown("Bedömningen är ändrad: " + escape_markdown(r.assessment.reason))
        if st.button("Återta ändringen"):
            try:
                annotations.withdraw_override(store, me, r.override_id)
                st.rerun()
            except AsnError as exc:
                ui.show_error(exc)
    with st.form("override"):
        st.caption(f"Ändringen gäller {period.label()} i planen för {year} och sparas med namn, datum och "
                   f"kommentar. Den beräknade bedömningen visas fortsatt bredvid.")
        colour = st.radio("Ny bedömning", COLOURS, format_func=colours.label, horizontal=True, key="override_colour")
        comment = st.text_area("Motivering (obligatorisk)", key="override_comment")
        if st.form_submit_button("Spara ändrad bedömning"):
            try:
                annotations.add_override(store, me, year, indicator_id, period.key, colour, comment)
                st.rerun()
            except AsnError as exc:
                ui.show_error(exc)
