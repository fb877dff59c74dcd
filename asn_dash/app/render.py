"""HTML fragments for the assessment views: badges, målområde cards, the month grid and the
report table. Every text is escaped; the only markup is ours. Colour always comes with a
symbol and a word (see ``colours.py``)."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

import pandas as pd

from asn_dash.colours import label
from asn_dash.colours import style as colour_style
from asn_dash.rules.assessment import COLOURS, NA
from asn_dash.rules.evaluation import AreaSummary, IndicatorResult, MonthGrid
from asn_dash.rules.periods import Period
from asn_dash.rules.targets import MANUAL

_CELL = "padding:6px 10px;border-bottom:1px solid #D0D0D0;vertical-align:top;text-align:left"


# Every page (injected by app.py): a keyboard focus ring that shows on white and on the grey
# sidebar (Streamlit's own is faint or missing on the page links), and captions, hints and
# placeholders in a grey that keeps WCAG AA contrast (Streamlit's is 3,9:1 on white).
APP_CSS = """<style>
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, summary:focus-visible,
[role="button"]:focus-visible, [role="combobox"]:focus-visible, [role="radio"]:focus-visible,
[role="checkbox"]:focus-visible, [tabindex]:focus-visible {
  outline: 3px solid #0072B2 !important; outline-offset: 2px !important; box-shadow: 0 0 0 5px #FFFFFF !important; }
[data-testid="stCaptionContainer"] { color: #4D4D4D !important; opacity: 1 !important; }
button kbd { color: inherit !important; opacity: 1 !important; }
[data-testid="stSidebarNavLink"] span { color: #000000 !important; }
</style>"""

# Presentation mode: no sidebar, header or toolbar; large type for the back of the room: nothing
# under 18 px on a 1280 × 720 projector. Long titles are cut to two lines with "…".
PRESENTATION_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.8rem 2rem 0.5rem 2rem !important; max-width: 100% !important; }
[data-testid="stMain"] h1 { font-size: 2.3rem !important; line-height: 1.15 !important; padding: 0 !important;
  display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
[data-testid="stMain"] h2 { font-size: 1.6rem !important; padding: 0.4rem 0 0.2rem 0 !important; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p { font-size: 1.4rem; line-height: 1.35; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.15rem; }
[data-testid="stMain"] [data-testid="stText"] { font-size: 1.25rem; white-space: pre-wrap; }
[data-testid="stMain"] button { white-space: nowrap; }
[data-testid="stMain"] button p { font-size: 1.2rem !important; white-space: nowrap; }
[data-testid="stMain"] button kbd { font-size: 1.15rem !important; }
.asn-badge { font-size: 1.15rem !important; padding: 2px 8px !important; }
.asn-badge-big { font-size: 1.8rem !important; padding: 4px 14px !important; }
.asn-card { font-size: 1.15rem !important; padding: 10px 12px !important; }
.asn-card * { font-size: 1.15rem !important; }
.asn-card .asn-card-name { font-size: 1.3rem !important; }
.asn-grid, .asn-grid th, .asn-grid td { font-size: 1.15rem !important; }
.asn-grid td .asn-badge { white-space: normal !important; display: inline-block; line-height: 1.2; }
</style>"""

LONG_TITLE_CSS = '<style>[data-testid="stMain"] h1 { font-size: 1.7rem !important; }</style>'

# Printing Översikt from the browser: only the content (no sidebar, header, toolbar or
# controls), every section on paper rather than the first screen, and the month grid and the
# målområde cards never split across pages.
PRINT_CSS = """<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
  header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stButton"], [data-testid="stDownloadButton"],
  [data-testid="stSelectbox"], [data-testid="stMultiSelect"], [data-testid="stRadio"],
  [data-testid="stCheckbox"], [data-testid="stFileUploader"], [data-testid="stElementToolbar"] { display: none !important; }
  html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"] { height: auto !important; overflow: visible !important;
    position: static !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  .asn-grid-wrap, .asn-grid, .asn-cards, .asn-card, table tr { break-inside: avoid; page-break-inside: avoid; }
  .asn-grid-wrap { overflow: visible !important; }
  h1, h2, h3, [data-testid="stElementContainer"]:has(h1, h2, h3) { break-after: avoid; page-break-after: avoid; }
  * { -webkit-print-color-adjust: exact !important; print-color-adjust: exact !important; }
}
</style>"""


def badge(colour: str, big: bool = False, compact: bool = False) -> str:
    style = colour_style(colour)
    size = "1.15rem" if big else ("0.8rem" if compact else "0.95rem")
    pad = "1px 5px" if compact else "2px 10px"
    classes = "asn-badge asn-badge-big" if big else "asn-badge"
    return (f'<span class="{classes}" style="background:{style.background};color:{style.text};padding:{pad};'
            f'border-radius:12px;font-weight:600;font-size:{size};white-space:nowrap">'
            f'{escape(label(colour))}</span>')


def indicator_query(indicator_id: str, year: int, period: Period) -> dict[str, str]:
    """The Indikator page's URL parameters for one indicator and view."""
    return {"indikator": indicator_id, "planar": str(year), "period": period.key}


_SMALL = "font-size:0.85rem;color:#333"


def text_html(value: str) -> str:
    """Text people wrote (a motivation, a comment, a reason quoting one) in HTML: escaped, and
    its line breaks kept as ``<br>`` (a Markdown underline or ``<script>`` stays text)."""
    return escape(str(value)).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def _by(official) -> str:
    return "Förvaltningens bedömning" + (f" · {escape(official.by)}" if official is not None else "")


def _computed_line(computed, compact: bool = True) -> str:
    """"Beräknad: ▲ Gul – 1 av 3 bedömda indikatorer röd, 2 gröna: …" (the rule's suggestion)."""
    return (f'<div class="asn-computed" style="{_SMALL};margin-top:4px">Beräknad: {badge(computed.colour, compact=compact)}'
            f' – {text_html(computed.reason)}</div>')


def area_cards(areas: list[AreaSummary], forecasts: dict[str, str] | None = None, brief: bool = False) -> str:
    """One card per målområde: the official verdict as the verdict (with who gave it and its first
    sentence), the computed one beside it as "Beräknad" (marked when they differ), the counts, and
    with ``forecasts`` (målområde id → its "Prognos helår" line) the forecast. ``brief`` (the
    projector): the verdict, "Beräknad" with its colour only, and the counts."""
    cards = []
    for a in areas:
        forecast = (forecasts or {}).get(a.goal_area_id)
        forecast = f'<div style="margin-top:6px;font-size:0.85rem">{escape(forecast)}</div>' if forecast else ""
        counts = " · ".join(f"{escape(label(c))} {a.counts.get(c, 0)}" for c in COLOURS)
        unassessed = a.counts.get(NA, 0)
        if brief:
            source = summary = ""
            computed = (f'<div style="margin-top:6px">Beräknad: {badge(a.colour, compact=True)}</div>'
                        if a.published_colour else '<div style="margin-top:6px">Beräknad</div>')
        elif a.published_colour:
            source = f'<div style="{_SMALL};margin-top:6px">{_by(a.official)}</div>'
            summary = (f'<div style="font-size:0.85rem;margin-top:4px;font-style:italic">'
                       f'{text_html(a.official.summary)}</div>' if a.official.summary else "")
            # "≠" only where the rule gives a colour of its own; "Ej bedömd" beside it says enough
            differs = ('<div style="font-size:0.8rem;font-weight:600;margin-top:6px">≠ Skiljer sig från beräkningen'
                       '</div>' if a.explanation and a.colour in COLOURS else "")
            computed = differs + _computed_line(a.computed)
        else:
            source = f'<div style="{_SMALL};margin-top:6px">Beräknad – ingen officiell bedömning för perioden</div>'
            summary, computed = "", f'<div style="{_SMALL};margin-top:4px">{text_html(a.reason)}</div>'
        cards.append(
            f'<div class="asn-card" role="group" aria-label="{escape(a.name)}" style="flex:1 1 0;min-width:190px;'
            f'border:1px solid #C8C8C8;border-radius:8px;padding:12px 14px;background:#FFFFFF">'
            f'<div class="asn-card-name" style="font-weight:700;font-size:1.05rem;margin-bottom:8px">'
            f'{escape(a.name)}</div>'
            f'<div>{badge(a.verdict, big=True)}</div>{source}{summary}{computed}'
            f'<div style="margin-top:8px;font-size:0.9rem">{counts}</div>'
            f'<div style="font-size:0.85rem;color:#444">{unassessed} ej bedömda</div>{forecast}</div>'
        )
    return f'<div class="asn-cards" style="display:flex;flex-wrap:wrap;gap:12px">{"".join(cards)}</div>'


def verdict_block(summary: AreaSummary) -> str:
    """Under a målområde's or nämndmål's heading: the official verdict and its full text (the
    report's sammanfattande bedömning or the analytiker's motivation), then the computed one."""
    o = summary.official
    if o is None:
        return (f'<div class="asn-verdict">{badge(summary.colour)} '
                f'<span style="{_SMALL}">Beräknad – ingen officiell bedömning för perioden: '
                f'{text_html(summary.reason)}</span></div>')
    head = (f'{badge(o.colour)} <strong>{_by(o)}</strong>' if o.colour
            else f'<strong>Förvaltningens sammanfattande bedömning · {escape(o.by)}</strong>')
    text = (f'<div style="white-space:pre-line;margin-top:4px;font-size:0.92rem">{text_html(o.text)}</div>'
            if o.text else "")
    differs = (f'<div style="font-size:0.85rem;font-weight:600;margin-top:4px">≠ {text_html(summary.explanation)}</div>'
               if summary.explanation else _computed_line(summary.computed))
    return f'<div class="asn-verdict" style="margin-bottom:6px">{head}{text}{differs}</div>'


_COMPUTED_MARK = '<span title="beräknad"> *</span>'


def _grid_cell(colour, computed_mark: bool) -> str:
    shown = badge(colour if isinstance(colour, str) else NA, compact=True)
    return f'<span style="white-space:nowrap">{shown}{_COMPUTED_MARK}</span>' if computed_mark else shown


def month_grid(grid: MonthGrid, brief: bool = False) -> str:
    """Målområde rows × month columns, each cell a badge: the official verdict, or the computed one
    where no report or analytiker gave one for the month — marked with * when the grid mixes
    both, said once below it when every month is computed. ``brief`` (the projector): no marks."""
    colours, official = grid.colours, grid.official
    some = bool(official.to_numpy().any())
    marked = some and not brief and not official.to_numpy().all()
    cell = "padding:4px 2px;border-bottom:1px solid #D0D0D0;text-align:center"
    head = "".join(f'<th scope="col" style="{cell}">{escape(str(c))}</th>' for c in colours.columns)
    rows = []
    for name, row in colours.iterrows():
        cells = "".join(
            f'<td style="{cell}">{_grid_cell(v, marked and not official.loc[name, month])}</td>'
            for month, v in row.items())
        rows.append(f'<tr><th scope="row" style="{_CELL};font-weight:600;width:24%;font-size:0.85rem">'
                    f'{escape(str(name))}</th>{cells}</tr>')
    note = "" if brief or official.to_numpy().all() else (
        '<div style="font-size:0.8rem;color:#444;margin-top:4px">' +
        ("* beräknad enligt regeln (ingen officiell bedömning för månaden)" if some else
         "Alla månader är beräknade enligt regeln: ingen officiell bedömning per månad för perioden.") + '</div>')
    return (f'{_scroll_region("Måluppfyllelse per månad", "asn-grid-wrap")}'
            f'<table class="asn-grid" style="border-collapse:collapse;width:100%;font-size:0.9rem">'
            f'<thead><tr><th scope="col" style="{_CELL}">Målområde</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>{note}')


def _scroll_region(name: str, css_class: str = "") -> str:
    """A wrapper that scrolls sideways on narrow screens; keyboard users can focus and scroll it."""
    return (f'<div class="{css_class}" role="region" aria-label="{escape(name)}" tabindex="0" '
            f'style="overflow-x:auto">')


def _trend_cell(r: IndicatorResult) -> str:
    if r.trend is None:
        return "–"
    word = {True: "bättre", False: "sämre", None: ""}[r.trend.good]
    title = escape(r.trend.text)
    return f'<span title="{title}" style="font-size:1.1rem">{r.trend.arrow}</span> {word}'


def assessment_cell(r: IndicatorResult) -> str:
    """The verdict of one indicator: the badge, why (the official motivation or the rule's
    reason), and for a rule-based indicator with an official verdict the computed one beside it."""
    o = r.official
    text = (f'<div style="{_SMALL};margin-top:4px">Rapporten: {text_html(o.text)}</div>'
            if o is not None and o.colour is None and o.text else "")
    if o is None or o.colour is None or r.computed is None:
        return (f'{badge(r.assessment.colour)}<div style="font-size:0.82rem;color:#333;margin-top:4px">'
                f'{text_html(r.assessment.reason)}</div>{text}')
    given = (f'<div style="{_SMALL};margin-top:4px">{_by(o)}: {text_html(o.text or "")}</div>')
    computed = "" if r.rule.kind == MANUAL else (
        f'<div style="{_SMALL};margin-top:4px">{"≠ " if r.computed.colour != o.colour else ""}Beräknad: '
        f'{badge(r.computed.colour, compact=True)} – {text_html(r.computed.reason)}</div>')
    return f'{badge(r.assessment.colour)}{given}{computed}'


REPORT_COLUMNS = ("Indikator", "Utfall", "Målnivå", "Bedömning", "Trend")
FORECAST_COLUMN = "Prognos helår"
_WIDTHS = {False: ("24%", "13%", "15%", "37%", "11%"),
           True: ("20%", "11%", "14%", "33%", "12%", "10%")}  # with the forecast column
_ROW_CELL = "padding:4px 10px;vertical-align:top;text-align:left;border-bottom:1px solid #D0D0D0"
_HEAD_CELL = "padding:4px 10px;vertical-align:bottom;text-align:left;border-bottom:2px solid #808080"

# Links in Översikt's own HTML (each indicator of the report tables and of the "not assessed"
# lists): real <a href>s, so the address, a new tab and a copied link work, but a plain click must
# not load the page anew: a new session would lose a local sign-in. This script (in a fragment of
# its own, no text from outside) turns such a click into a history step, which Streamlit's frontend
# handles like the browser's back button: the same session runs the linked page with its query
# (frontend of streamlit 1.67; tests/e2e/test_ledning.py and test_journey.py click these links).
# Drawn as HTML, a table costs the server one element instead of one per row and cell.
_NAV_SCRIPT = """<script>
if (!window.asnInAppLinks) {
  window.asnInAppLinks = true;
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a.asn-nav") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey
        || event.shiftKey || event.altKey) { return; }
    event.preventDefault();
    window.history.pushState(null, "", link.href);
    window.dispatchEvent(new PopStateEvent("popstate"));
  });
}
</script>"""

_LINK_CSS = """<style>
a.asn-nav { color: #0B57A4; text-decoration: underline; }
.asn-links { list-style: none; padding-left: 0; margin: 2px 0 10px 0; display: flex; flex-wrap: wrap; gap: 2px 18px; }
.asn-links li { margin: 0; }
details.asn-units > summary { cursor: pointer; padding: 6px 0; font-weight: 600; }
</style>"""

OVERVIEW_HEAD = PRINT_CSS + _LINK_CSS + _NAV_SCRIPT  # once per Översikt run (runs the script)


def indicator_href(indicator_id: str, year: int, period: Period) -> str:
    """The Indikator page's address for one indicator and view, relative to the app's root."""
    return "indikator?" + urlencode(indicator_query(indicator_id, year, period))


def indicator_link(indicator_id: str, text: str, year: int, period: Period) -> str:
    """An in-app link to the indicator (see ``_NAV_SCRIPT``)."""
    return f'<a class="asn-nav" href="{escape(indicator_href(indicator_id, year, period))}">{escape(text)}</a>'


def report_table(rows: list[IndicatorResult], year: int, period: Period,
                 forecasts: dict[str, str] | None = None) -> str:
    """Indikator | Utfall | Målnivå | Bedömning | Trend, the indicator's name an in-app link. With
    ``forecasts`` (indicator id → marker) a "Prognos helår" column after Bedömning."""
    widths = _WIDTHS[forecasts is not None]
    heads = [*REPORT_COLUMNS[:4], *([FORECAST_COLUMN] if forecasts is not None else []), REPORT_COLUMNS[4]]
    head = "".join(f'<th scope="col" style="{_HEAD_CELL};width:{w}">{h}</th>' for h, w in zip(heads, widths))
    body = []
    for r in rows:
        demo = ' <span style="font-size:0.8rem">(⚠ exempeldata)</span>' if r.is_demo else ""
        forecast = [] if forecasts is None else [
            f'<span style="font-size:0.85rem">{escape(forecasts.get(r.indicator_id, "–"))}</span>']
        values = (f"{escape(r.value_label)}{demo}", escape(r.target_label), assessment_cell(r), *forecast,
                  _trend_cell(r))
        cells = "".join(f'<td style="{_ROW_CELL}">{v}</td>' for v in values)
        body.append(f'<tr class="asn-row"><th scope="row" style="{_ROW_CELL};font-weight:400">'
                    f'{indicator_link(r.indicator_id, r.name, year, period)}</th>{cells}</tr>')
    return (f'<table class="asn-report" style="border-collapse:collapse;width:100%;table-layout:fixed;'
            f'font-size:0.95rem"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def area_heading(name: str, anchor: str) -> str:
    """A målområde's heading (an anchor for the page's links to it), ruled under like Streamlit's."""
    return (f'<h2 id="{escape(anchor)}" class="asn-area" style="font-size:1.75rem;font-weight:600;margin:1.2rem 0 '
            f'0.6rem 0;padding:0 0 0.4rem 0;border-bottom:2px solid #C8C8C8">{escape(name)}</h2>')


def goal_heading(name: str) -> str:
    return (f'<h3 class="asn-goal" style="font-size:1.4rem;font-weight:600;margin:1.2rem 0 0.4rem 0;padding:0">'
            f'Nämndmål: {escape(name)}</h3>')


def note(text: str) -> str:
    """A caption-like line (our own text)."""
    return f'<p style="font-size:0.875rem;color:#4D4D4D;margin:0.3rem 0 0.6rem 0">{escape(text)}</p>'


def not_assessed(area_name: str, total: int, groups: list[tuple[str, list[tuple[str, str]]]], year: int,
                 period: Period) -> str:
    """What is not assessed in a målområde: per cause, its indicators as in-app links. ``groups``:
    (cause, [(indicator id, shown text)]) in order; ``total``: the målområde's indicators."""
    count = sum(len(items) for _, items in groups)
    if not count:
        return ""
    parts = [f'<p style="margin:0.8rem 0 0.3rem 0"><strong>Ej bedömda i {escape(area_name)}: {count} av {total} '
             f'indikatorer</strong></p>']
    for cause, items in groups:
        links = "".join(f'<li>{indicator_link(i, text, year, period)}</li>' for i, text in items)
        parts.append(f'<div class="asn-cause"><div class="asn-cause-name" style="font-size:0.875rem;color:#4D4D4D">'
                     f'{escape(cause)} ({len(items)})</div>'
                     f'<ul class="asn-links" aria-label="{escape(cause)}">{links}</ul></div>')
    return f'<div class="asn-unassessed">{"".join(parts)}</div>'


def unit_colours(frame: pd.DataFrame) -> str:
    """Per unit colour for one målområde, with the share of units that reach their goals, in a
    closed "Andelen enheter som når sina mål" disclosure (HTML's own: no server round trip)."""
    if frame.empty:
        return ""
    items = "".join(f'<li style="margin:2px 0">{badge(r.colour)} {escape(r.unit_name)}</li>'
                    for r in frame.sort_values("unit_name").itertuples())
    green = int((frame["colour"] == "Grön").sum())
    shown = (f'<div><strong>{green} av {len(frame)} enheter</strong> når sina mål '
             f'({escape(str(frame["source_ref"].iloc[0]))}, {escape(str(frame["period"].iloc[0]))})'
             f'<ul style="list-style:none;padding-left:0">{items}</ul></div>')
    return f'<details class="asn-units"><summary>Andelen enheter som når sina mål</summary>{shown}</details>'


def kkik_table(values: pd.DataFrame, colours: pd.DataFrame) -> str:
    """Nyckeltal rows × year columns, each value with its quartile badge, '---' where missing."""
    years = [c for c in values.columns if c != "Nyckeltal"]
    head = "".join(f'<th scope="col" style="{_CELL}">{escape(y)}</th>' for y in years)
    rows = []
    for (_, v), (_, c) in zip(values.iterrows(), colours.iterrows()):
        cells = "".join(
            f'<td style="{_CELL};white-space:nowrap">{escape(v[y])}'
            + (f"<br>{badge(c[y], compact=True)}" if c[y] in COLOURS else "") + "</td>" for y in years)
        rows.append(f'<tr><th scope="row" style="{_CELL};font-weight:600">{escape(v["Nyckeltal"])}</th>{cells}</tr>')
    return (f'{_scroll_region("Nyckeltal per år")}<table style="border-collapse:collapse;width:100%;font-size:0.9rem">'
            f'<thead><tr><th scope="col" style="{_CELL}">Nyckeltal</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def economy_table(economy, section, year: int, period: Period) -> str:
    """One printed economy table (``asn_dash.rules.economy``): Verksamhet | the figures, each
    column named by its value kind, sum rows in bold (the page links each verksamhet in-app).
    Exempeldata and computed deviations say so in the cell, not by colour."""
    heads = economy.headers
    cols = "".join(f'<th scope="col" style="{_CELL};text-align:right">{escape(heads[c])}</th>'
                   for c in section.columns)
    rows = []
    for r in section.rows:
        weight = "font-weight:700;border-top:2px solid #333" if r.is_sum else ""
        cells = []
        for c in section.columns:
            cell = r.cells[c]
            marks = []
            if cell.demo:
                marks.append("⚠ exempeldata")
            if cell.source == "beräknad":
                marks.append("beräknad")
            note = (f'<div style="font-size:0.8rem;font-weight:400">({escape(", ".join(marks))})</div>'
                    if marks else "")
            title = f' title="{escape(cell.ref)}"' if cell.ref else ""
            cells.append(f'<td style="{_CELL};{weight};text-align:right;white-space:nowrap"{title}>'
                         f'{escape(cell.text)}{note}</td>')
        rows.append(f'<tr><th scope="row" style="{_CELL};{weight}">{escape(r.name)}</th>{"".join(cells)}</tr>')
    return (f'{_scroll_region(section.title)}<table class="asn-economy" '
            f'style="border-collapse:collapse;width:100%;font-size:1.1rem">'
            f'<caption style="text-align:left;font-weight:700;font-size:1.15rem;padding:4px 0">'
            f'{escape(section.title)} (tkr)</caption>'
            f'<thead><tr><th scope="col" style="{_CELL}">Verksamhet</th>{cols}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')
