"""Översikt: where each goal stands for the chosen plan year and period — the official verdicts
with the computed ones beside them, the assessed indicators per nämndmål, and what is not
assessed grouped by cause.

What the page shows is built once per data version (``asn_dash.app.overview``, kept by
``ui.view``); a view draws it as a few HTML fragments, and an analytiker's forms only when opened."""

import streamlit as st

from asn_dash import annotations, colours, sources
from asn_dash.app import overview, render, ui
from asn_dash.errors import AsnError
from asn_dash.formatting import escape_markdown
from asn_dash.rules import verdicts
from asn_dash.rules.assessment import COLOURS
from asn_dash.rules.periods import parse_key
from asn_dash.services import outlook
from asn_dash.store import queries

ui.ensure_app_navigation()
store = ui.store()
me = ui.user()
year, period = ui.selection()
may_assess = me.can("sätta förvaltningens bedömning")  # läsare see no forms


def build(year: int, period_key: str) -> dict:
    """The page's view from the cached reads (a read whose data did not change stays warm)."""
    period = parse_key(period_key)
    results, areas = ui.evaluation_for(store, year, period)
    return overview.build(
        results, areas, ui.cached(store, queries.plan, year, reads=(ui.CATALOGUE,)),
        ui.cached(store, outlook.plan_outlooks, year, period, reads=(ui.VALUES, ui.CATALOGUE)),  # Prognos helår
        ui.cached(store, annotations.unit_verdicts, year, period, reads=(ui.ANNOTATIONS, ui.CATALOGUE)),
        ui.month_grid_for(store, year, period), year, period)


view = ui.view(store, "oversikt", build, year, period.key)

ui.html(render.OVERVIEW_HEAD, script=True)  # print layout, link styles, in-app links (render._NAV_SCRIPT)
st.title("Översikt")
st.markdown(view["title"])
st.caption(f"Målstruktur enligt {view['source']}. Utfall och bedömning för hela förvaltningen; "
           f"trenden jämför med samma period förra året. Bedömningen är förvaltningens officiella (ur "
           f"rapporten eller satt av en analytiker); den beräknade enligt reglerna visas bredvid. Klicka på en "
           f"indikator för detaljer.")
if view["demo"]:
    st.info(sources.DEMO_NOTE, icon="⚠️")

st.header("Målområden", anchor="malomraden")
ui.html(view["cards"])
if view["forecast_basis"]:  # what the forecast markers' probabilities rest on
    st.caption(view["forecast_basis"])
st.page_link("pages/ekonomi.py", label="Ekonomi per verksamhet: budget, utfall och prognos helår →",
             query_params={"planar": str(year), "period": period.key})  # the Ekonomi card's drill-down

st.header("Måluppfyllelse per månad", anchor="manad")
st.caption(f"Bedömning per målområde och månad {year}: den officiella där den finns, annars beräknad enligt regeln.")
ui.html(view["grid"])


def verdict_form(level: str, target: str, what: str, form_key: str, targets=None) -> None:
    """One step for an analytiker: colour and motivation, saved as the official verdict for the
    period (``targets``: pick among these (indicator id, name))."""
    with st.form(form_key, clear_on_submit=True):
        chosen = target
        if targets:
            by_id = dict(targets)
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


def area_forms(area: dict) -> None:
    """An analytiker's forms under a målområde, drawn only when their expander is opened: the
    målområde's verdict (set, change or withdraw), and one for the indicators that lack the
    förvaltning's."""
    box = ui.lazy_expander(f"Sätt förvaltningens bedömning för {period.label()}: målområdet"
                           + (" eller en ej bedömd indikator" if area["no_verdict"] else ""),
                           f"asn-forms-{area['id']}")
    if box is None:
        return
    with box:
        st.markdown("**Målområdets bedömning**")
        if area["withdraw"] is not None:  # an analytiker's verdict: the report's counts again
            verdict_id, by = area["withdraw"]
            if st.button(f"Återta bedömningen av {escape_markdown(by)}", key=f"asn-withdraw-{area['id']}"):
                try:
                    annotations.withdraw_verdict(store, me, verdict_id)
                    st.session_state["asn-saved"] = f"Bedömningen av målområdet för {period.label()} är återtagen."
                    st.rerun()
                except AsnError as exc:
                    ui.show_error(exc)
        verdict_form(verdicts.AREA, area["id"], "målområdet", f"asn-area-{area['id']}")
        if area["no_verdict"]:
            st.markdown(f"**{verdicts.NO_BEDOMNING}**")
            verdict_form(verdicts.INDICATOR, "", "indikatorn", f"asn-set-{area['id']}", area["no_verdict"])


saved = st.session_state.pop("asn-saved", None)
if saved:
    st.success(saved)

for area in view["areas"]:  # its heading is in its HTML (one element instead of two)
    ui.html(area["html"])
    if may_assess:
        area_forms(area)
