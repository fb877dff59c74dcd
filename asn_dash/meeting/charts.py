"""Plotly figures. Pure builders: data in, ``go.Figure`` out; no Streamlit.

Swedish number formats come from ``layout.separators`` (decimal comma, space for
thousands); exempeldata points are drawn as open circles and named in the hover text.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from asn_dash.colours import SERIES, TEXT, rgb
from asn_dash.formatting import UNIT_SUFFIX
from asn_dash.rules.periods import MONTHS_SV
from asn_dash.services.chart_data import DatedLine, Line, Point, Reference

FONT = "Source Sans Pro, Arial, sans-serif"


def _suffix(unit: str) -> str:
    return UNIT_SUFFIX.get(unit, "").replace("\u00a0", " ")


def count_step(top: float | None, max_ticks: int = 8) -> int:
    """A whole-number tick step (1, 2, 5, 10, 20, 50 …) giving at most ``max_ticks`` ticks up to
    ``top``: counts are never labelled 2,5."""
    top = max(top or 0.0, 1.0)
    magnitude = 1
    while True:
        for m in (1, 2, 5):
            if top / (m * magnitude) <= max_ticks:
                return m * magnitude
        magnitude *= 10


def _integer_axis(fig: go.Figure, unit: str, values: list[float | None]) -> None:
    if unit == "antal":
        top = max((v for v in values if v is not None), default=None)
        fig.update_yaxes(tick0=0, dtick=count_step(top), tickformat=",d")


def _base_layout(fig: go.Figure, title: str, unit: str, font_size: int) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": font_size + 6}},
        separators=", ",
        font={"family": FONT, "size": font_size, "color": "#000000"},
        plot_bgcolor="#FFFFFF",
        paper_bgcolor="#FFFFFF",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": font_size}},
        margin={"l": 60, "r": 20, "t": 2 * font_size + 70 if title else font_size + 40, "b": font_size + 30},
        hovermode="x unified",
        showlegend=True,
    )
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=[m.capitalize() for m in MONTHS_SV],
                     range=[-0.5, 11.5], showgrid=False, linecolor="#000000", ticks="outside")
    fig.update_yaxes(gridcolor="#D9D9D9", zerolinecolor="#808080", ticksuffix=_suffix(unit), rangemode="tozero")
    # Set on the axes, not only inherited from the layout font: Streamlit's chart theme would
    # otherwise draw the tick labels in its light grey (3,8:1 on white).
    ticks = {"color": TEXT, "size": font_size, "family": FONT}
    fig.update_xaxes(tickfont=ticks)
    fig.update_yaxes(tickfont=ticks)
    fig.update_layout(legend_font_color=TEXT, title_font_color=TEXT)
    return fig


def trend_figure(title: str, unit: str, lines: list[Line], references: list[Reference] = (),
                 font_size: int = 15) -> go.Figure:
    """Month-by-month lines (this year, last year, R12 …) with horizontal reference lines."""
    fig = go.Figure()
    for n, line in enumerate(lines):
        colour = line.colour or SERIES[n % len(SERIES)]
        pts = sorted(line.points, key=lambda p: p.month)
        fig.add_trace(go.Scatter(
            x=[MONTHS_SV[p.month - 1].capitalize() for p in pts],
            y=[p.value for p in pts],
            name=line.name,
            mode="lines+markers",
            connectgaps=False,
            line={"color": colour, "width": 3, "dash": line.dash},
            marker={"size": 9, "color": colour,
                    "symbol": ["circle-open" if p.is_demo else "circle" for p in pts],
                    "line": {"width": 2, "color": colour}},
            customdata=[" (exempeldata)" if p.is_demo else "" for p in pts],
            hovertemplate=f"{line.name}: %{{y:,.4~f}}{_suffix(unit)}%{{customdata}}<extra></extra>",
        ))
    ref_colours = ["#D55E00", "#000000", "#CC79A7"]
    for n, ref in enumerate(references):
        fig.add_hline(y=ref.value, line={"color": ref_colours[n % 3], "width": 2, "dash": "dash"},
                      annotation={"text": ref.name, "font": {"size": font_size - 1}},
                      annotation_position="bottom right")
    _integer_axis(fig, unit, [p.value for line in lines for p in line.points] + [r.value for r in references])
    return _base_layout(fig, title, unit, font_size)


def units_figure(title: str, unit: str, by_unit: dict[str, list[Point]], font_size: int = 14) -> go.Figure:
    """One line per unit for the plan year."""
    lines = [Line(name, points, colour=SERIES[n % len(SERIES)]) for n, (name, points) in enumerate(by_unit.items())]
    return trend_figure(title, unit, lines, font_size=font_size)


def years_figure(title: str, unit: str, frame, font_size: int = 15) -> go.Figure:
    """One line per column of ``frame`` (index = year): Tyresö against riket and groups."""
    fig = go.Figure()
    for n, column in enumerate(frame.columns):
        series = frame[column].dropna()
        if series.empty:  # e.g. riket has no value for the KPI: no empty legend entry
            continue
        fig.add_trace(go.Scatter(
            x=[str(y) for y in series.index], y=series.values, name=column, mode="lines+markers",
            line={"color": SERIES[n % len(SERIES)], "width": 4 if n == 0 else 2.5,
                  "dash": "solid" if n < 2 else "dot"},
            marker={"size": 9}, hovertemplate=f"{column}: %{{y:,.4~f}}{_suffix(unit)}<extra></extra>"))
    fig = _base_layout(fig, title, unit, font_size)
    fig.update_xaxes(type="category", categoryorder="category ascending", categoryarray=None, range=None)
    _integer_axis(fig, unit, [float(v) for v in frame.to_numpy().ravel() if v is not None and v == v])
    return fig


def with_footer(fig: go.Figure, lines: list[str], font_size: int = 14) -> go.Figure:
    """Source and masking lines under the x axis, so an exported image carries them."""
    lines = [line for line in lines if line]
    if not lines:
        return fig
    axis_font = fig.layout.font.size or 15
    tick_space = axis_font + 20  # the month labels under the axis
    margin_b = tick_space + int(font_size * 1.4 * len(lines)) + 16
    fig.update_layout(margin={"b": margin_b})
    fig.add_annotation(text="<br>".join(_escape(line) for line in lines), xref="paper", yref="paper",
                       x=0, xanchor="left", y=0, yanchor="top", yshift=-tick_space, showarrow=False,
                       align="left", font={"size": font_size, "color": "#000000"})
    return fig


def _escape(text: str) -> str:
    """Plotly renders a subset of HTML in annotations: user-facing text is escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- every stored year: the Indikator page's multi-year chart -----------------------------------

AXIS_NOT_ZERO = "Axeln börjar inte på noll"


def month_label(year: int, month: int) -> str:
    return f"{MONTHS_SV[month - 1]} {year}"


def value_range(values: list[float], unit: str) -> tuple[float, float] | None:
    """The y range of a level chart: the data with a margin, not stretched to zero. None when the
    data come close to zero anyway (then the axis starts at zero)."""
    if not values:
        return None
    low, high = min(values), max(values)
    pad = max((high - low) * 0.12, abs(high) * 0.02, 1.0 if unit == "antal" else 0.1)
    if low <= 0 or low - pad <= 0.15 * (high + pad):  # crosses or nearly touches zero: keep it
        return None
    return (low - pad, high + pad)


def history_figure(title: str, unit: str, lines: list[DatedLine], first_year: int, last_year: int,
                   last_month: int = 12, font_size: int = 15) -> go.Figure:
    """Every month from January of ``first_year`` to ``last_month`` of ``last_year``, one line per
    series (monthly values, R12 …), years marked on the x axis. For levels the y axis is not
    forced to zero; its title then says so. Counts get whole-number ticks."""
    months = [(y, m) for y in range(first_year, last_year + 1) for m in range(1, 13)
              if (y, m) <= (last_year, last_month)]
    categories = [month_label(y, m) for y, m in months]
    fig = go.Figure()
    for line in lines:
        pts = sorted(line.points, key=lambda p: (p.year, p.month))
        fig.add_trace(go.Scatter(
            x=[month_label(p.year, p.month) for p in pts], y=[p.value for p in pts], name=line.name,
            mode="markers" if line.markers_only else "lines+markers",
            line={"color": line.colour, "width": 2.5},
            marker={"size": 9 if line.markers_only else 5, "color": line.colour,
                    "symbol": [("diamond" if line.markers_only else "circle") + ("-open" if p.is_demo else "")
                               for p in pts],
                    "line": {"width": 1.5, "color": line.colour}},
            customdata=[" (exempeldata)" if p.is_demo else "" for p in pts],
            hovertemplate=f"{line.name}: %{{y:,.4~f}}{_suffix(unit)}%{{customdata}}<extra></extra>",
        ))
    fig = _base_layout(fig, title, unit, font_size)
    fig.update_xaxes(categoryarray=categories, range=[-0.5, len(categories) - 0.5], tickmode="array",
                     tickvals=[month_label(y, 1) for y in range(first_year, last_year + 1)],
                     ticktext=[str(y) for y in range(first_year, last_year + 1)], showgrid=True,
                     gridcolor="#EBEBEB")
    values = [p.value for line in lines for p in line.points]
    span = value_range(values, unit)
    if span is not None:
        fig.update_yaxes(rangemode="normal", range=list(span),
                         title={"text": AXIS_NOT_ZERO, "font": {"size": font_size - 1}})
    if unit == "antal" and values:
        low, high = span or (0.0, max(max(values), 1.0))
        fig.update_yaxes(tickformat=",d", tick0=0, dtick=count_step(high - low, max_ticks=7))
    return fig


@dataclass(frozen=True)
class ForecastBand:
    """This year's forecast months for a trend chart: ``points`` (month, value, low, high) from
    ``start`` (month, value), the last recorded month, where the dashed line begins."""

    name: str
    start: tuple[int, float] | None
    points: tuple[tuple[int, float, float, float], ...]
    colour: str = "#0072B2"
    is_demo: bool = False


def with_forecast(fig: go.Figure, band: ForecastBand | None) -> go.Figure:
    """Continue this year's line as a dashed forecast with its 80 % band (a shaded area between
    the interval's limits, drawn under the line)."""
    if band is None or not band.points:
        return fig
    pts = ([(band.start[0], band.start[1], band.start[1], band.start[1])] if band.start else []) + list(band.points)
    x = [MONTHS_SV[m - 1].capitalize() for m, *_ in pts]
    unit_suffix = fig.layout.yaxis.ticksuffix or ""
    demo = " (exempeldata)" if band.is_demo else ""
    fig.add_trace(go.Scatter(x=x, y=[p[3] for p in pts], mode="lines", line={"width": 0}, showlegend=False,
                             hoverinfo="skip", name=f"{band.name}, övre gräns"))
    fig.add_trace(go.Scatter(
        x=x, y=[p[2] for p in pts], mode="lines", line={"width": 0}, fill="tonexty",
        fillcolor=_rgba(band.colour, 0.18), name="80 % intervall", hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=x, y=[p[1] for p in pts], name=band.name, mode="lines+markers",
        line={"color": band.colour, "width": 3, "dash": "dash"},
        marker={"size": 7, "color": "#FFFFFF", "line": {"width": 2, "color": band.colour}},
        customdata=[[p[2], p[3]] for p in pts],
        hovertemplate=(f"{band.name}: %{{y:,.4~f}}{unit_suffix} (80 %: %{{customdata[0]:,.4~f}}–"
                       f"%{{customdata[1]:,.4~f}}){demo}<extra></extra>")))
    fig.update_layout(legend_traceorder="normal")  # a filled area would otherwise reverse the legend
    return fig


def trend_forecast_figure(title: str, unit: str, lines: list[Line], references: list[Reference],
                          band: ForecastBand | None, font_size: int = 15) -> go.Figure:
    """``trend_figure`` with this year's forecast continuation (``with_forecast``)."""
    return with_forecast(trend_figure(title, unit, lines, references, font_size=font_size), band)


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = rgb(hex_colour)
    return f"rgba({r},{g},{b},{alpha})"


def forecast_band(outlook) -> ForecastBand | None:
    """The continuation for an ``asn_dash.rules.outlook.Outlook`` (None without forecast months)."""
    if outlook is None or not outlook.band:
        return None
    return ForecastBand(f"Prognos {outlook.year}", outlook.last_point, outlook.band, is_demo=outlook.is_demo)
