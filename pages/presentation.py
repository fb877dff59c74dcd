"""Presentation: the nämnd meeting's running order, one chart per screen for a projector, and the
meeting papers (PPTX deck, XLSX indicator table). Small numbers are masked in all of it."""

import streamlit as st

from asn_dash import agendas
from asn_dash.app import render, ui
from asn_dash.errors import AsnError
from asn_dash.formatting import escape_markdown
from asn_dash.meeting import material as meeting
from asn_dash.meeting import pptx as meeting_pptx
from asn_dash.meeting import xlsx as meeting_xlsx
from asn_dash.rules.suppression import OFF, policy_from_env

ORDER_KEY, SLIDE_KEY, SHOWING_KEY, MASK_KEY, SCREEN_KEY = "dagordning", "bild", "visar", "maskera", "skarm"
# chart height and zoom of the summary that fill the screen below the title and controls
SCREENS = {"1920 × 1080": (860, 1.45), "1280 × 720": (520, 1.0)}

ui.ensure_app_navigation()
store = ui.store()
me = ui.user()
year, period = ui.selection()
results, areas = ui.evaluation_for(store, year, period)
everything = results + ui.measures_for(store, year, period)
by_id = {r.indicator_id: r for r in everything}
policy = policy_from_env() if st.session_state.get(MASK_KEY, True) else OFF

if ORDER_KEY not in st.session_state:
    st.session_state[ORDER_KEY] = meeting.default_order(results)
if st.session_state.pop("agenda_chosen", False) and st.session_state.get("agenda_name"):
    # loaded here, not in the callback: callbacks run before app.py has opened this run's store
    st.session_state[ORDER_KEY] = agendas.load(store, st.session_state["agenda_name"])
order = st.session_state[ORDER_KEY] = [i for i in st.session_state[ORDER_KEY] if i in by_id]


def _load_agenda() -> None:
    st.session_state["agenda_chosen"] = True


def _step(delta: int) -> None:
    st.session_state[SLIDE_KEY] = max(0, min(len(order), st.session_state.get(SLIDE_KEY, 0) + delta))


def _show(on: bool) -> None:
    st.session_state[SHOWING_KEY] = on
    st.session_state[SLIDE_KEY] = 0


def _material(s, with_slides: bool) -> meeting.Meeting:
    return meeting.build(s, year, period, order, policy, results=everything, areas=areas,
                         with_slides=with_slides, font_size=20)


def present() -> None:
    """One slide: 0 = the målområde summary, then the running order."""
    ui.html(render.PRESENTATION_CSS)
    n = st.session_state.get(SLIDE_KEY, 0)
    title_col, count_col, prev_col, next_col, end_col = st.columns([7, 1, 1.3, 1.3, 1.1], vertical_alignment="center")
    count_col.markdown(f"**{n + 1} / {len(order) + 1}**")
    prev_col.button("Föregående", on_click=_step, args=(-1,), shortcut="Left", disabled=n == 0, width="stretch")
    next_col.button("Nästa", on_click=_step, args=(1,), shortcut="Right", disabled=n >= len(order),
                    type="primary", width="stretch")
    end_col.button("Avsluta", on_click=_show, args=(False,), shortcut="Esc", width="stretch")
    height, zoom = SCREENS[st.session_state.get(SCREEN_KEY, "1920 × 1080")]
    if n == 0:
        title_col.title(f"Målområden – {period.span_label()}", anchor=False)
        ui.html(f'<div style="zoom:{zoom}">{render.area_cards(areas)}</div>')
        st.subheader("Måluppfyllelse per månad", anchor=False)
        ui.html(f'<div style="zoom:{zoom * 0.9}">{render.month_grid(ui.month_grid_for(store, year, period))}</div>')
        return
    result = by_id[order[n - 1]]
    row = meeting.build_rows(store, [result], year, period, policy)[0]
    slide = meeting.build_slide(store, result, row, year, period, policy, font_size=22, title="")
    title_col.title(result.name, anchor=False)
    chart_col, text_col = st.columns([2.6, 1], gap="large")
    with chart_col:
        if slide.figure is not None:
            slide.figure.update_layout(height=height)
            # theme=None: our own large black type, as in the exported images
            st.plotly_chart(slide.figure, width="stretch", theme=None, config={"displayModeBar": False})
        else:
            st.markdown(meeting.NO_CHART if not slide.notes else "Diagrammet visas inte.")
            for line in [slide.source, *slide.notes]:
                st.caption(escape_markdown(line))
    with text_col:
        ui.html(f'<div style="zoom:1.6">{render.badge(row.colour, big=True)}</div>')
        st.markdown(f"**Utfall {escape_markdown(period.span_label())}:** {escape_markdown(meeting.value_text(row))}  \n"
                    f"**Målnivå:** {escape_markdown(row.target)}")
        st.markdown(escape_markdown(row.reason))
        if row.comment:
            st.markdown(f"**{escape_markdown(row.comment_label)}**")
            st.text(row.comment)
        where = result.goal_area if result.goal == result.goal_area else f"{result.goal_area} · {result.goal}"
        st.caption(escape_markdown(where))


if st.session_state.get(SHOWING_KEY):
    present()
    st.stop()

st.title("Presentation och export")
st.markdown(f"Underlag för nämndens sammanträde: **{escape_markdown(period.span_label())}**, "
            f"planen för {year}. Välj indikatorerna i den ordning de ska visas, starta presentationen för "
            f"projektorn eller ladda ner underlaget till handlingarna.")

saved = agendas.names(store)
if saved:
    st.selectbox("Sparad dagordning", saved, index=None, key="agenda_name", on_change=_load_agenda,
                 placeholder="Välj en sparad dagordning …")
st.multiselect("Dagordning (visas i den ordning du väljer)", list(by_id), key=ORDER_KEY,
               format_func=lambda i: f"{by_id[i].name} ({by_id[i].goal_area})")
if me.can("spara dagordningar"):
    with st.form("save_agenda", clear_on_submit=False):
        name = st.text_input("Spara dagordningen som", placeholder="t.ex. Nämnden oktober")
        if st.form_submit_button("Spara dagordning"):
            try:
                agendas.save(store, me, name, order)
                st.success(f"Dagordningen «{escape_markdown(name.strip())}» är sparad.")
            except AsnError as exc:
                ui.show_error(exc)

st.checkbox(f"Maskera små tal ({policy_from_env().label}) för känsliga indikatorer", value=True, key=MASK_KEY,
            help="Placeringar, skyddat boende, LVM m.fl. Gäller presentationen och allt som laddas ner.")
if not policy.active:
    st.warning("Små tal visas omaskerade. Använd bara internt – inte i handlingar eller på projektor i ett "
               "öppet sammanträde.", icon="⚠️")
st.radio("Projektorns upplösning", list(SCREENS), key=SCREEN_KEY, horizontal=True)

start, pptx, xlsx = st.columns(3)
start.button("Starta presentation", type="primary", on_click=_show, args=(True,), disabled=not order,
             width="stretch")
stamp = f"{period.key}-{year}"
pptx.download_button("Ladda ner bildspel (PPTX)",
                     data=ui.deferred(lambda s: meeting_pptx.to_pptx(_material(s, True))),
                     file_name=f"asn-{stamp}.pptx", on_click="ignore", width="stretch",
                     mime="application/vnd.openxmlformats-officedocument.presentationml.presentation")
xlsx.download_button("Ladda ner indikatortabell (XLSX)",
                     data=ui.deferred(lambda s: meeting_xlsx.to_xlsx(_material(s, False))),
                     file_name=f"asn-{stamp}.xlsx", on_click="ignore", width="stretch",
                     mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
st.caption(f"Bildspelet har en titelbild, målområdena och en bild per indikator i dagordningen ({len(order)} st). "
           f"Tabellen har alla planens indikatorer och verksamhetsmåtten. "
           + (policy.note if policy.active else ""))
