"""Översikt: where each goal stands for the chosen plan year and period — the official verdicts
with the computed ones beside them, the assessed indicators per nämndmål, and what is not
assessed grouped by cause."""

import streamlit as st

from asn_dash import annotations, colours, sources
from asn_dash.app import render, ui
from asn_dash.errors import AsnError
from asn_dash.formatting import escape_markdown
from asn_dash.rules import outlook, verdicts
from asn_dash.rules.assessment import COLOURS
from asn_dash.store import queries

ui.ensure_app_navigation()
store = ui.store()
me = ui.user()
year, period = ui.selection()
results, areas = ui.evaluation_for(store, year, period)
plan = ui.cached(store, queries.plan, year, reads=(ui.CATALOGUE,))
may_assess = me.can("sätta förvaltningens bedömning")  # läsare see no forms
outlooks = ui.cached(store, outlook.plan_outlooks, year, period, reads=(ui.VALUES, ui.CATALOGUE))  # Prognos helår
markers = {i: o.marker for i, o in outlooks.items() if o.marker} if outlooks else None

ui.html(render.PRINT_CSS)
st.title("Översikt")
st.markdown(f"**{plan['title']}** · uppföljning för **{period.span_label()}**")
st.caption(f"Målstruktur enligt {plan['source']}. Utfall och bedömning för hela förvaltningen; "
           f"trenden jämför med samma period förra året. Bedömningen är förvaltningens officiella (ur "
           f"rapporten eller satt av en analytiker); den beräknade enligt reglerna visas bredvid. Klicka på en "
           f"indikator för detaljer.")
if any(r.is_demo for r in results):
    st.info(sources.DEMO_NOTE, icon="⚠️")
ui.html(render.ROW_CSS)

st.header("Målområden", anchor="malomraden")
ui.html(render.area_cards(areas, outlook.area_markers([(r.goal_area_id, r.indicator_id) for r in results], outlooks)))
st.page_link("pages/ekonomi.py", label="Ekonomi per verksamhet: budget, utfall och prognos helår →",
             query_params={"planar": str(year), "period": period.key})  # the Ekonomi card's drill-down

st.header("Måluppfyllelse per månad", anchor="manad")
st.caption(f"Bedömning per målområde och månad {year}: den officiella där den finns, annars beräknad enligt regeln.")
ui.html(render.month_grid(ui.month_grid_for(store, year, period)))


def link(r, label: str | None = None) -> None:
    """In-app navigation to the indicator (keeps the session, so a local sign-in stays); the URL it
    leads to carries the view and can be shared."""
    st.page_link("pages/indikator.py", label=escape_markdown(label or r.name),
                 query_params=render.indicator_query(r.indicator_id, year, period))


def report_table(goal_id: str, rows) -> None:
    """Indikator | Utfall | Målnivå | Bedömning | (Prognos helår |) Trend, the indicator's name a link."""
    forecasts = {r.indicator_id: markers[r.indicator_id] for r in rows if r.indicator_id in (markers or {})} or None
    for r in [None, *rows]:
        key = f"asn-head-{goal_id}" if r is None else f"asn-row-{goal_id}-{r.indicator_id}"
        with st.container(key=key):
            name, rest = st.columns([1, 3.2], vertical_alignment="top")
            with name:
                if r is None:
                    ui.html(render.report_head())
                else:
                    link(r)
            with rest:
                ui.html(render.report_cells(r, forecasts))


def verdict_form(level: str, target: str, what: str, form_key: str, targets=None) -> None:
    """One step for an analytiker: colour and motivation, saved as the official verdict for the
    period (``targets``: pick among these indicators)."""
    with st.form(form_key, clear_on_submit=True):
        chosen = target
        if targets:
            by_id = {r.indicator_id: r.name for r in targets}
            chosen = st.selectbox("Indikator", list(by_id), format_func=by_id.get, key=f"{form_key}-indikator")
        colour = st.radio("Bedömning", COLOURS, format_func=colours.label, horizontal=True,
                          key=f"{form_key}-colour")
        text = st.text_area("Motivering", max_chars=annotations.MAX_TEXT, key=f"{form_key}-text")
        if st.form_submit_button(f"Spara bedömning för {period.label()}", key=f"{form_key}-save"):
            try:
                annotations.set_verdict(store, me, year, level, chosen, period.key, colour, text)
                st.session_state["asn-saved"] = f"Bedömningen av {what} för {period.label()} är sparad."
                st.rerun()
            except AsnError as exc:
                ui.show_error(exc)


def not_assessed(area, rows) -> None:
    """What is not assessed in a målområde, grouped by cause, each indicator a link."""
    missing = [r for r in rows if r.cause is not None]
    if not missing:
        return
    st.markdown(f"**Ej bedömda i {escape_markdown(area.name)}: {len(missing)} av {len(rows)} indikatorer**")
    for cause in verdicts.CAUSES:
        group = [r for r in missing if r.cause == cause]
        if not group:
            continue
        with st.container(key=f"asn-cause-{area.goal_area_id}-{verdicts.CAUSES.index(cause)}"):
            st.caption(f"{cause} ({len(group)})")
            with st.container(horizontal=True, gap="small"):
                for r in group:
                    shown = r.value_label if r.current is not None else None
                    link(r, f"{r.name} ({shown})" if cause == verdicts.NO_TARGET and shown else None)
            if cause == verdicts.NO_BEDOMNING and may_assess:
                with st.expander(f"Sätt förvaltningens bedömning för {period.label()}"):
                    verdict_form(verdicts.INDICATOR, "", "indikatorn", f"asn-set-{area.goal_area_id}", group)


saved = st.session_state.pop("asn-saved", None)
if saved:
    st.success(saved)

unit_colours = ui.cached(store, annotations.unit_verdicts, year, period, reads=(ui.ANNOTATIONS, ui.CATALOGUE))
for area in areas:
    st.header(area.name, divider="gray", anchor=area.goal_area_id)
    ui.html(render.verdict_block(area))
    if may_assess:
        with st.expander(f"Sätt eller ändra målområdets bedömning för {period.label()}"):
            given = area.official
            if given is not None and given.origin == verdicts.ANALYST:  # the report's counts again
                if st.button(f"Återta bedömningen av {given.by}", key=f"asn-withdraw-{area.goal_area_id}"):
                    try:
                        annotations.withdraw_verdict(store, me, given.id)
                        st.session_state["asn-saved"] = f"Bedömningen av målområdet för {period.label()} är återtagen."
                        st.rerun()
                    except AsnError as exc:
                        ui.show_error(exc)
            verdict_form(verdicts.AREA, area.goal_area_id, "målområdet", f"asn-area-{area.goal_area_id}")
    area_results = [r for r in results if r.goal_area_id == area.goal_area_id]
    for goal in area.goals:
        goal_results = [r for r in area_results if r.goal_id == goal.goal_area_id]
        st.subheader(f"Nämndmål: {goal.name}", anchor=False)
        if goal.official is not None:
            ui.html(render.verdict_block(goal))
        assessed = [r for r in goal_results if r.cause is None]
        if assessed:
            report_table(goal.goal_area_id, assessed)
        else:
            st.caption("Ingen indikator under nämndmålet är bedömd för perioden (se nedan).")
    not_assessed(area, area_results)
    units = unit_colours[unit_colours["goal_area_id"] == area.goal_area_id] if not unit_colours.empty else unit_colours
    if not units.empty:
        with st.expander("Andelen enheter som når sina mål"):
            ui.html(render.unit_colours(units))
