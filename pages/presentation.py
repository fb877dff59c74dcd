"""Presentation: the nämnd meeting's running order, one chart per screen for a projector, and the
meeting papers (PPTX deck, XLSX indicator table, the report section as DOCX and PDF). Small
numbers are masked in all of it."""

from dataclasses import dataclass

import streamlit as st

from asn_dash import agendas
from asn_dash.app import render, ui
from asn_dash.errors import AsnError
from asn_dash.formatting import escape_markdown
from asn_dash.meeting import docx as meeting_docx
from asn_dash.meeting import material as meeting
from asn_dash.meeting import pdf as meeting_pdf
from asn_dash.meeting import pptx as meeting_pptx
from asn_dash.meeting import xlsx as meeting_xlsx
from asn_dash.rules.periods import parse_key
from asn_dash.rules.suppression import OFF, Policy, policy_from_env

ORDER_KEY, SLIDE_KEY, SHOWING_KEY, MASK_KEY, SCREEN_KEY = "dagordning", "bild", "visar", "maskera", "skarm"
ADD_KEY, ORDER_OPEN_KEY = "lagg_till", "dagordning-andra"


@dataclass(frozen=True)
class Screen:
    chart_height: int  # px: fills the screen below the title and controls
    reason_chars: int  # longer texts are cut with "…" (the deck's notes and the report have them in full)
    comment_chars: int
    place_chars: int  # "målområde · nämndmål" under the text
    long_title: int  # titles longer than this get smaller type


SCREENS = {"1920 × 1080": Screen(850, 260, 420, 160, 70), "1280 × 720": Screen(470, 120, 140, 70, 45)}
MIME = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pdf": "application/pdf"}

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


def _name(indicator_id: str) -> str:
    return f"{by_id[indicator_id].name} ({by_id[indicator_id].goal_area})"


def _numbered(n: int, indicator_id: str) -> str:
    return f"{n}\\. {escape_markdown(_name(indicator_id))}"


def _load_agenda() -> None:
    st.session_state["agenda_chosen"] = True


def _add() -> None:
    """One chosen indicator joins the end of the order (typing a word never adds every match)."""
    chosen = st.session_state.get(ADD_KEY)
    if chosen and chosen not in st.session_state[ORDER_KEY]:
        st.session_state[ORDER_KEY] = [*st.session_state[ORDER_KEY], chosen]
    st.session_state[ADD_KEY] = None


def _move(indicator_id: str, delta: int) -> None:
    items = list(st.session_state[ORDER_KEY])
    n = items.index(indicator_id)
    target = max(0, min(len(items) - 1, n + delta))
    items.insert(target, items.pop(n))
    st.session_state[ORDER_KEY] = items


def _remove(indicator_id: str) -> None:
    st.session_state[ORDER_KEY] = [i for i in st.session_state[ORDER_KEY] if i != indicator_id]


def _clear() -> None:
    st.session_state[ORDER_KEY] = []


def _step(delta: int) -> None:
    st.session_state[SLIDE_KEY] = max(0, min(len(order), st.session_state.get(SLIDE_KEY, 0) + delta))


def _show(on: bool) -> None:
    st.session_state[SHOWING_KEY] = on
    st.session_state[SLIDE_KEY] = 0


def _material(s, with_slides: bool) -> meeting.Meeting:
    return meeting.build(s, year, period, order, policy, results=everything, areas=areas,
                         with_slides=with_slides, font_size=20)


def _docx(s) -> bytes:
    return meeting_docx.to_docx(_material(s, True))


def slide(indicator_id: str, year: int, period_key: str, max_count: int) -> tuple:
    """One indicator's slide (row, source line, notes, the figure as a dict), kept per data version
    by ``ui.view``: stepping back and forth in a meeting does not fit the forecast and draw the
    chart again."""
    period, policy = parse_key(period_key), Policy(max_count)
    result = by_id[indicator_id]
    row = meeting.build_rows(store, [result], year, period, policy)[0]
    made = meeting.build_slide(store, result, row, year, period, policy, font_size=22, title="", footer=False)
    return row, made.source, made.notes, None if made.figure is None else made.figure.to_dict()


def present() -> None:
    """One slide: 0 = the målområde summary, then the running order."""
    ui.html(render.PRESENTATION_CSS)
    screen = SCREENS[st.session_state.get(SCREEN_KEY, "1920 × 1080")]
    n = st.session_state.get(SLIDE_KEY, 0)
    title_col, count_col, prev_col, next_col, end_col = st.columns([6.2, 1, 1.6, 1.2, 1.4], vertical_alignment="center")
    count_col.markdown(f"**{n + 1} / {len(order) + 1}**")
    prev_col.button("Föregående", on_click=_step, args=(-1,), shortcut="Left", disabled=n == 0, width="stretch")
    next_col.button("Nästa", on_click=_step, args=(1,), shortcut="Right", disabled=n >= len(order),
                    type="primary", width="stretch")
    end_col.button("Avsluta", on_click=_show, args=(False,), shortcut="Esc", width="stretch")
    if n == 0:
        title_col.title(f"Målområden – {period.span_label()}", anchor=False)
        ui.html(render.area_cards(areas, brief=True))
        st.header("Måluppfyllelse per månad", anchor=False)
        ui.html(render.month_grid(ui.month_grid_for(store, year, period), brief=True))
        return
    result = by_id[order[n - 1]]
    row, source, notes, figure = ui.view(store, "presentation-bild", slide, result.indicator_id, year, period.key,
                                         policy.max_count)
    if len(result.name) > screen.long_title:
        ui.html(render.LONG_TITLE_CSS)
    title_col.title(result.name, anchor=False)
    chart_col, text_col = st.columns([2.6, 1], gap="large")
    with chart_col:
        if figure is not None:
            figure["layout"]["height"] = screen.chart_height
            # theme=None: our own large black type, as in the exported images
            st.plotly_chart(figure, width="stretch", theme=None, config={"displayModeBar": False})
        else:
            st.markdown(meeting.NO_CHART if not notes else "Diagrammet visas inte.")
        # source and masking as text under the chart: it wraps on any screen
        st.caption("  \n".join(escape_markdown(line) for line in [source, *notes]))
    with text_col:
        ui.html(render.badge(row.colour, big=True))
        st.markdown(f"**Utfall {escape_markdown(period.span_label())}:** {escape_markdown(meeting.value_text(row))}  \n"
                    f"**Målnivå:** {escape_markdown(row.target)}")
        st.markdown(escape_markdown(meeting.shorten(row.reason, screen.reason_chars)))
        if row.comment:
            st.markdown(f"**{escape_markdown(row.comment_label)}**")
            st.text(meeting.shorten(row.comment, screen.comment_chars))
        where = result.goal_area if result.goal == result.goal_area else f"{result.goal_area} · {result.goal}"
        st.caption(escape_markdown(meeting.shorten(where, screen.place_chars)))


if st.session_state.get(SHOWING_KEY):
    present()
    st.stop()

st.title("Presentation och export")
st.markdown(f"Underlag för nämndens sammanträde: **{escape_markdown(period.span_label())}**, "
            f"planen för {year}. Ställ upp dagordningen, starta presentationen för projektorn eller ladda ner "
            f"underlaget till handlingarna.")

st.header("Dagordning", anchor=False)
saved = agendas.names(store)
if saved:
    st.selectbox("Sparad dagordning", saved, index=None, key="agenda_name", on_change=_load_agenda,
                 placeholder="Välj en sparad dagordning …")
st.selectbox("Lägg till en indikator", [i for i in by_id if i not in order], index=None, key=ADD_KEY,
             on_change=_add, format_func=_name, placeholder="Skriv för att söka, välj en indikator …",
             help="Den valda indikatorn läggs sist i dagordningen. Ordningen ändras under «Ändra ordningen».")
if not order:
    st.info("Dagordningen är tom. Lägg till indikatorer ovan eller välj en sparad dagordning.")
editor = ui.lazy_expander("Ändra ordningen", ORDER_OPEN_KEY) if order else None
if editor is not None:
    with editor:  # the buttons only while it is open: three per indicator are most of the page's elements
        for n, indicator_id in enumerate(order):
            name_col, up_col, down_col, remove_col = st.columns([8, 1.2, 1.2, 1.4], vertical_alignment="center")
            name_col.markdown(_numbered(n + 1, indicator_id))
            up_col.button("↑ Upp", key=f"upp_{indicator_id}", on_click=_move, args=(indicator_id, -1),
                          disabled=n == 0, width="stretch", help=f"Flytta upp {by_id[indicator_id].name}")
            down_col.button("↓ Ned", key=f"ned_{indicator_id}", on_click=_move, args=(indicator_id, 1),
                            disabled=n == len(order) - 1, width="stretch",
                            help=f"Flytta ned {by_id[indicator_id].name}")
            remove_col.button("Ta bort", key=f"bort_{indicator_id}", on_click=_remove, args=(indicator_id,),
                              width="stretch", help=f"Ta bort {by_id[indicator_id].name} ur dagordningen")
elif order:  # closed: the order as one text under its editor's heading
    st.markdown("  \n".join(_numbered(n, i) for n, i in enumerate(order, start=1)))
if order:
    st.button("Töm dagordningen", on_click=_clear)
if me.can("spara dagordningar"):
    with st.form("save_agenda", clear_on_submit=False):
        name = st.text_input("Spara dagordningen som", placeholder="t.ex. Nämnden oktober")
        if st.form_submit_button("Spara dagordning"):
            try:
                agendas.save(store, me, name, order)
                st.success(f"Dagordningen «{escape_markdown(name.strip())}» är sparad.")
            except AsnError as exc:
                ui.show_error(exc)

st.header("Presentation", anchor=False)
st.checkbox(f"Maskera små tal ({policy_from_env().label}) för känsliga indikatorer", value=True, key=MASK_KEY,
            help="Placeringar, skyddat boende, LVM m.fl. Gäller presentationen och allt som laddas ner.")
if not policy.active:
    st.warning("Små tal visas omaskerade. Använd bara internt – inte i handlingar eller på projektor i ett "
               "öppet sammanträde.", icon="⚠️")
st.radio("Projektorns upplösning", list(SCREENS), key=SCREEN_KEY, horizontal=True)
st.button("Starta presentation", type="primary", on_click=_show, args=(True,), disabled=not order)

st.header("Ladda ner till handlingarna", anchor=False)
stem = meeting.file_stem(period)
no_pdf = meeting_pdf.soffice() is None
pptx, xlsx, docx, pdf = st.columns(4)
pptx.download_button("Bildspel (PPTX)", data=ui.deferred(lambda s: meeting_pptx.to_pptx(_material(s, True))),
                     file_name=f"{stem}.pptx", on_click="ignore", width="stretch", mime=MIME["pptx"])
xlsx.download_button("Indikatortabell (XLSX)", data=ui.deferred(lambda s: meeting_xlsx.to_xlsx(_material(s, False))),
                     file_name=f"{stem}.xlsx", on_click="ignore", width="stretch", mime=MIME["xlsx"])
docx.download_button("Rapportavsnitt (Word)", data=ui.deferred(_docx), file_name=f"{stem}.docx",
                     on_click="ignore", width="stretch", mime=MIME["docx"])
pdf.download_button("Rapportavsnitt (PDF)", data=ui.deferred(lambda s: meeting_pdf.docx_to_pdf(_docx(s))),
                    file_name=f"{stem}.pdf", on_click="ignore", width="stretch", mime=MIME["pdf"], disabled=no_pdf,
                    help=meeting_pdf.MISSING if no_pdf else None)
st.caption(f"Bildspelet har en titelbild, målområdena och en bild per indikator i dagordningen ({len(order)} st). "
           f"Tabellen har alla planens indikatorer och verksamhetsmåtten. Rapportavsnittet är upplagt som "
           f"tertialrapporten: målområdenas sammanfattande bedömning, en tabell per nämndmål, kommentarer och "
           f"diagrammen för dagordningens indikatorer. "
           + (policy.note if policy.active else ""))
