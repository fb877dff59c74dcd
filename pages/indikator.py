"""Indikator: one indicator's verdict, its trend this year and over every stored year, the unit
breakdown, data and dated comments. Every indicator of the catalogue is reachable: the plan's
indicators, and the others as verksamhetsmått."""

from datetime import date

import streamlit as st

from asn_dash import annotations, colours, sources
from asn_dash.app import render, ui
from asn_dash.errors import AsnError
from asn_dash.formatting import escape_markdown, format_value
from asn_dash.kolada import comparison
from asn_dash.meeting import charts
from asn_dash.meeting import material as meeting
from asn_dash.rules import verdicts
from asn_dash.rules.assessment import COLOURS
from asn_dash.rules.outlook import track_text
from asn_dash.rules.periods import parse_key
from asn_dash.rules.rollup import differing
from asn_dash.rules.suppression import policy_from_env
from asn_dash.rules.targets import MANUAL
from asn_dash.services import evaluation, outlook, placements, views
from asn_dash.store import queries

ui.ensure_app_navigation()
store = ui.store()
me = ui.user()
year, period = ui.selection()


def choices(year: int, period_key: str) -> dict:
    """The indicators to choose among (the plan's first, then verksamhetsmått) with their labels."""
    results, _ = ui.evaluation_for(store, year, parse_key(period_key))
    catalogue = ui.cached(store, queries.indicator_names, reads=(ui.CATALOGUE,))
    names = dict(zip(catalogue["id"].tolist(), catalogue["name"].tolist()))
    plan = [r.indicator_id for r in results]
    in_plan = set(plan)
    options = plan + [i for i in names if i not in in_plan]
    return {"options": options, "labels": {
        i: f"{'Planens indikatorer' if i in in_plan else 'Verksamhetsmått'} › {names[i]}" for i in options}}


def shown(indicator_id: str, year: int, period_key: str) -> dict:
    """Everything the page shows of one indicator, from the cached reads (see ``ui.view``)."""
    period = parse_key(period_key)
    results, _ = ui.evaluation_for(store, year, period)
    r = next((x for x in results if x.indicator_id == indicator_id), None)
    out = {"in_plan": r is not None, "stored": True}
    if r is None:
        r = ui.cached(store, evaluation.measure_result, year, period, indicator_id)
        out["stored"] = ui.cached(store, queries.has_values, indicator_id, reads=(ui.VALUES,))
    view = ui.indicator_view_for(store, r, year, period)
    meta = ui.cached(store, queries.indicator_info, indicator_id, reads=(ui.CATALOGUE,))
    kolada_years = (ui.cached(store, comparison.trend, meta["kolada_kpi"], None, list(range(year - 9, year + 1)),
                              reads=(ui.KOLADA,))
                    if meta["kolada_kpi"] else None)
    prognos = ui.cached(store, outlook.plan_outlooks, year, period,  # Prognos helår (issue 16)
                        reads=(ui.VALUES, ui.CATALOGUE)).get(indicator_id)
    history = ui.cached(store, views.history, indicator_id, period, reads=(ui.VALUES, ui.CATALOGUE))
    out.update(r=r, view=view, meta=meta, prognos=prognos, history=history, trend_figure=None, kolada_figure=None)
    if view.lines:
        out["trend_figure"] = ui.figure(charts.trend_forecast_figure, f"{r.name} – månadsvärden {year}", r.unit,
                                        view.lines, view.references, charts.forecast_band(prognos))
    elif kolada_years is not None and not kolada_years.empty:
        out["kolada_figure"] = ui.figure(charts.years_figure, f"{r.name} – Kolada {meta['kolada_kpi']}", r.unit,
                                         kolada_years)
    # The record on the real figures that chose the forecast's method and band (exempeldata left out).
    out["track"] = (track_text(prognos.record, r.unit)
                    if prognos is not None and prognos.outcome is not None else None)
    out["placement"] = ui.cached(store, placements.placement_outlook, indicator_id, year, period,
                                 reads=(ui.VALUES, ui.CATALOGUE))
    out["history_figure"] = None if history is None else ui.figure(
        charts.history_figure, f"{r.name} – {history.first_year}–{history.last_year}", r.unit, history.lines,
        history.first_year, history.last_year, history.last_month)
    out["units_figure"], out["gaps"] = None, []
    if view.units:
        out["units_figure"] = ui.figure(charts.units_figure, f"{r.name} per enhet {year}", r.unit, view.units)
        admin = ui.cached(store, queries.whole_administration, reads=(ui.CATALOGUE,))
        out["gaps"] = differing(ui.cached(store, queries.unit_total_checks, [r.indicator_id], admin,
                                          date(year, 1, 1), period.end, reads=(ui.VALUES, ui.CATALOGUE)))
    out["notes"] = ui.cached(store, annotations.comments, indicator_id, reads=(ui.ANNOTATIONS,))
    return out


pick = ui.view(store, "indikator-val", choices, year, period.key)
options = pick["options"]

SHOWN = "indikator_shown"  # the indicator the URL last named: a link to another one wins
wanted = st.query_params.get("indikator", "")
if "indikator" not in st.session_state or (wanted and wanted != st.session_state.get(SHOWN)):
    st.session_state["indikator"] = wanted if wanted in pick["labels"] else (None if wanted else options[0])
if wanted and wanted not in pick["labels"] and st.session_state["indikator"] is None:
    st.warning(f"Indikatorn '{escape_markdown(wanted)}' finns inte i katalogen. Välj en indikator i listan.",
               icon="⚠️")

indicator_id = st.selectbox("Indikator", options, key="indikator", format_func=pick["labels"].get,
                            placeholder="Välj en indikator")
st.session_state[SHOWN] = indicator_id or wanted
if indicator_id is None:
    st.stop()
st.query_params["indikator"] = indicator_id
page = ui.view(store, "indikator", shown, indicator_id, year, period.key)
in_plan, r, view, meta, prognos, history = (page[k] for k in ("in_plan", "r", "view", "meta", "prognos", "history"))

st.title(r.name)
if in_plan:
    st.caption(f"{r.goal_area} · Nämndmål: {r.goal}")
else:
    st.info(f"Indikatorn ingår inte i planen för {year}; den visas som verksamhetsmått, utan målnivå och "
            f"bedömning." + ("" if page["stored"] else " Den har inga lagrade värden ännu."), icon="ℹ️")
official = r.official is not None and r.official.colour is not None
ui.html(f'<div style="font-size:1.05rem">{render.badge(r.assessment.colour, big=True)} '
        f'{"<em>(förvaltningens bedömning)</em>" if official else ""}</div>')
st.markdown(escape_markdown(r.assessment.reason))  # may quote an analyst's motivation
if r.official is not None and r.official.colour is None and r.official.text:
    st.caption(escape_markdown(f"Rapporten ({r.official.by}): {r.official.text}"))

c1, c2, c3 = st.columns([1, 1, 2])
c1.metric(f"Utfall {period.label()}", r.value_label)
previous = r.previous
c2.metric("Samma period förra året",
          "—" if previous is None or previous.value is None else format_value(previous.value, r.unit))
target = r.target_text if r.target_text.lower() not in ("ingen", "manuell") else "—"
trend_text = "—" if r.trend is None else f"{r.trend.arrow} {r.trend.text}"
c3.markdown(f"**Målnivå:** {escape_markdown(target)}  \n**Trend:** {escape_markdown(trend_text)}")

if view.has_demo:
    st.info(sources.DEMO_NOTE + " Öppna ringar i diagrammet är exempeldata.", icon="⚠️")
stem = f"{indicator_id}-{period.key}"


def exported(s) -> object:
    """The chart as it leaves the dashboard: small numbers masked, source under it."""
    policy = policy_from_env()
    row = meeting.build_rows(s, [r], year, period, policy)[0]
    return meeting.build_slide(s, r, row, year, period, policy).figure


this_year, all_years = st.tabs([f"{year} mot {year - 1}", "Alla år" if history is None else
                                f"Alla år {history.first_year}–{history.last_year}"])
with this_year:
    if page["trend_figure"] is not None:
        st.plotly_chart(page["trend_figure"], width="stretch", config=ui.CHART_CONFIG)
        ui.chart_downloads(exported, stem, "trend")
    elif page["kolada_figure"] is not None:
        st.plotly_chart(page["kolada_figure"], width="stretch", config=ui.CHART_CONFIG)
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
        if page["track"] is not None:  # the method's record on this indicator's earlier years
            st.caption(page["track"])
    placement = page["placement"]
    if placement is not None:
        st.subheader("Placeringar mot budget", anchor="placeringar")
        st.markdown(escape_markdown(placement.sentence()))
        st.dataframe(placement.table(), hide_index=True, width="stretch")
        st.caption("Kostnad = antal × budgeterat pris per dygn × dagar i månaden; avvikelse = budget − kostnad "
                   "(negativ = över budget)." + (" ⚠ Exempeldata ingår." if placement.is_demo else ""))
with all_years:
    if history is None:
        st.write("Indikatorn har inga lagrade värden att visa över åren.")
    else:
        st.plotly_chart(page["history_figure"], width="stretch", config=ui.CHART_CONFIG, key="history_chart")
        st.caption(f"Alla lagrade år till och med {period.label()}, för hela förvaltningen." +
                   (" Öppna markeringar är exempeldata." if history.has_demo else ""))
        st.markdown("**Samma period varje år**")
        st.dataframe(history.years, hide_index=True, width="content")

if view.units:
    st.header("Per enhet", anchor=False)
    st.plotly_chart(page["units_figure"], width="stretch", config=ui.CHART_CONFIG)
    ui.chart_downloads(lambda s: meeting.units_figure(s, r, year, period, policy_from_env()), f"{stem}-enheter",
                       "units")
    gaps = page["gaps"]
    if gaps:  # both are shown: the stored total above, the units here (asn_dash.rules.rollup)
        st.warning("Enheterna summerar inte till förvaltningens lagrade total, som visas ovan. Kontrollera vilken "
                   "siffra som stämmer:\n\n" + "\n".join(f"- {escape_markdown(c.sentence(r.unit))}"
                                                        for c in gaps[-12:]), icon="⚠️")

st.header("Data", anchor=False)
st.dataframe(view.table, hide_index=True, width="stretch")

st.header("Kommentarer", anchor=False)
notes = page["notes"]
if notes.empty:
    st.write("Inga kommentarer ännu.")
for n in notes.itertuples(index=False):
    with st.container(border=True):
        st.markdown(f"**Kommentar ({n.written_on:%Y-%m-%d})** · {n.period} · {escape_markdown(n.author)}")
        st.text(n.text)

if not me.can("kommentera"):
    st.stop()  # läsare: everything above, nothing that writes

comment_box = ui.lazy_expander("Skriv en kommentar", "indikator-comment-open")  # the form only when opened
if comment_box is not None:
    with comment_box, st.form("comment", clear_on_submit=True):
        text = st.text_area(f"Kommentar ({escape_markdown(me.name)})", max_chars=annotations.MAX_TEXT)
        if st.form_submit_button("Spara kommentar"):
            try:
                annotations.add_comment(store, me, indicator_id, period.key, text)
                st.success("Kommentaren är sparad.")
                st.rerun()
            except AsnError as exc:
                ui.show_error(exc)

if not in_plan:
    st.stop()  # a verksamhetsmått has no target and no bedömning

manual = r.rule.kind == MANUAL
verdict_box = ui.lazy_expander("Sätt förvaltningens bedömning" if manual else "Ändra bedömningen",
                               "indikator-verdict-open")
if verdict_box is None:
    st.stop()  # closed: nothing of the form is drawn
with verdict_box:
    if r.verdict_id is not None:
        st.markdown("Gällande bedömning: " + escape_markdown(r.assessment.reason))
        if st.button("Återta bedömningen"):
            try:
                annotations.withdraw_verdict(store, me, r.verdict_id)
                st.rerun()
            except AsnError as exc:
                ui.show_error(exc)
    with st.form("verdict"):
        st.caption(f"Bedömningen gäller {period.label()} i planen för {year} och sparas med namn, datum och "
                   f"motivering; tidigare bedömningar finns kvar i historiken." +
                   ("" if manual else " Den beräknade bedömningen visas fortsatt bredvid."))
        colour = st.radio("Bedömning", COLOURS, format_func=colours.label, horizontal=True, key="verdict_colour")
        text = st.text_area("Motivering" if manual else "Motivering (obligatorisk, minst 10 tecken)",
                            max_chars=annotations.MAX_TEXT, key="verdict_text")
        if st.form_submit_button("Spara bedömning"):
            try:
                if manual:
                    annotations.set_manual_status(store, me, indicator_id, period.key, colour, text)
                else:
                    annotations.add_override(store, me, year, indicator_id, period.key, colour, text)
                st.rerun()
            except AsnError as exc:
                ui.show_error(exc)
    past = ui.cached(store, annotations.verdict_history, year, verdicts.INDICATOR, indicator_id,
                     reads=(ui.ANNOTATIONS,))
    if not past.empty:
        st.caption("Bedömningshistorik (nyast först)")
        st.dataframe(past.drop(columns="id"), hide_index=True, width="stretch")
