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
from asn_dash.rules.evaluation import AreaSummary, IndicatorResult
from asn_dash.rules.periods import Period

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


def indicator_link(indicator_id: str, year: int, period: Period) -> str:
    return "indikator?" + urlencode({"indikator": indicator_id, "planar": year, "period": period.key})


def area_cards(areas: list[AreaSummary], forecasts: dict[str, str] | None = None) -> str:
    """One card per målområde; ``forecasts``: målområde id → its "Prognos helår" line."""
    cards = []
    for a in areas:
        forecast = (forecasts or {}).get(a.goal_area_id)
        forecast = f'<div style="margin-top:6px;font-size:0.85rem">{escape(forecast)}</div>' if forecast else ""
        counts = " · ".join(f"{escape(label(c))} {a.counts.get(c, 0)}" for c in COLOURS)
        unassessed = a.counts.get(NA, 0)
        published = (f'<div style="margin-top:6px;font-size:0.9rem">Rapportens bedömning: {badge(a.published_colour)}</div>'
                     if a.published_colour else "")
        cards.append(
            f'<div class="asn-card" role="group" aria-label="{escape(a.name)}" style="flex:1 1 0;min-width:170px;'
            f'border:1px solid #C8C8C8;border-radius:8px;padding:12px 14px;background:#FFFFFF">'
            f'<div class="asn-card-name" style="font-weight:700;font-size:1.05rem;margin-bottom:8px">'
            f'{escape(a.name)}</div>'
            f'<div>{badge(a.colour, big=True)}</div>'
            f'<div style="margin-top:8px;font-size:0.9rem">{counts}</div>'
            f'<div style="font-size:0.85rem;color:#444">{unassessed} ej bedömda</div>{published}{forecast}</div>'
        )
    return f'<div class="asn-cards" style="display:flex;flex-wrap:wrap;gap:12px">{"".join(cards)}</div>'


def month_grid(grid: pd.DataFrame) -> str:
    """Målområde rows × month columns, each cell a badge."""
    cell = "padding:4px 2px;border-bottom:1px solid #D0D0D0;text-align:center"
    head = "".join(f'<th scope="col" style="{cell}">{escape(str(c))}</th>' for c in grid.columns)
    rows = []
    for name, row in grid.iterrows():
        cells = "".join(f'<td style="{cell}">{badge(v if isinstance(v, str) else NA, compact=True)}</td>'
                        for v in row)
        rows.append(f'<tr><th scope="row" style="{_CELL};font-weight:600;width:24%;font-size:0.85rem">'
                    f'{escape(str(name))}</th>{cells}</tr>')
    return (f'{_scroll_region("Måluppfyllelse per månad", "asn-grid-wrap")}'
            f'<table class="asn-grid" style="border-collapse:collapse;width:100%;font-size:0.9rem">'
            f'<thead><tr><th scope="col" style="{_CELL}">Målområde</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


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


def report_table(results: list[IndicatorResult], year: int, period: Period,
                 forecasts: dict[str, str] | None = None) -> str:
    """The report table: Indikator | Utfall | Målnivå | Bedömning | Trend, one row per indicator;
    with ``forecasts`` (indicator id → marker) a "Prognos helår" column after Bedömning."""
    columns = ("Indikator", "Utfall", "Målnivå", "Bedömning", *(("Prognos helår",) if forecasts is not None else ()),
               "Trend")
    head = "".join(f'<th scope="col" style="{_CELL}">{h}</th>' for h in columns)
    rows = []
    for r in results:
        forecast = ("" if forecasts is None else
                    f'<td style="{_CELL};font-size:0.85rem">{escape(forecasts.get(r.indicator_id, "–"))}</td>')
        demo = ' <span style="font-size:0.8rem">(⚠ exempeldata)</span>' if r.is_demo else ""
        override = ' <span style="font-size:0.8rem">(ändrad)</span>' if r.assessment.overridden else ""
        rows.append(
            f'<tr><td style="{_CELL}"><a href="{escape(indicator_link(r.indicator_id, year, period))}" '
            f'target="_self">{escape(r.name)}</a></td>'
            f'<td style="{_CELL}">{escape(r.value_label)}{demo}</td>'
            f'<td style="{_CELL}">{escape(r.target_label)}</td>'
            f'<td style="{_CELL}">{badge(r.assessment.colour)}{override}'
            f'<div style="font-size:0.82rem;color:#333;margin-top:4px">{escape(r.assessment.reason)}</div></td>'
            f'{forecast}<td style="{_CELL};white-space:nowrap">{_trend_cell(r)}</td></tr>'
        )
    return (f'<table style="border-collapse:collapse;width:100%;font-size:0.95rem">'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def unit_colours(frame: pd.DataFrame) -> str:
    """Per unit colour for one målområde, with the share of units that reach their goals."""
    if frame.empty:
        return ""
    items = "".join(f'<li style="margin:2px 0">{badge(r.colour)} {escape(r.unit_name)}</li>'
                    for r in frame.sort_values("unit_name").itertuples())
    green = int((frame["colour"] == "Grön").sum())
    return (f'<div><strong>{green} av {len(frame)} enheter</strong> når sina mål '
            f'({escape(str(frame["source_ref"].iloc[0]))}, {escape(str(frame["period"].iloc[0]))})'
            f'<ul style="list-style:none;padding-left:0">{items}</ul></div>')


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
