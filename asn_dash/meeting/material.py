"""A nämnd meeting's material: the period's indicator table and one slide per indicator of the
running order (chart, assessment, reason, comment, source), with small numbers masked.

Shared by the presentation page and the XLSX/PPTX exports, so what is projected is what goes
into the meeting papers. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import plotly.graph_objects as go

from asn_dash import annotations
from asn_dash.colours import label
from asn_dash.formatting import format_value
from asn_dash.kolada import comparison
from asn_dash.meeting import charts
from asn_dash.rules import outlook
from asn_dash.rules.assessment import COLOURS
from asn_dash.rules.evaluation import MEASURES_ID, AreaSummary, IndicatorResult
from asn_dash.rules.periods import KIND_MONTH, KIND_TERTIAL, KIND_YEAR, MONTHS_SV_LONG, Period
from asn_dash.rules.suppression import SECONDARY, Policy, suppress
from asn_dash.rules.targets import BASELINE
from asn_dash.services import evaluation
from asn_dash.services import outlook as outlook_reads
from asn_dash.services import views as indicator_view
from asn_dash.services.chart_data import Line, Point, Reference
from asn_dash.store import queries
from asn_dash.store.store import Store

NAMND = "Arbetsmarknads- och socialnämnden"
KOMMUN = "Tyresö kommun"
SOURCE_OWN = "Källa: egen uppföljning"
DEMO_MARK = "⚠ Exempeldata – påhittade värden, inte verkliga utfall"
NO_CHART = "Indikatorn har inga värden att visa i diagram."
DEMO_NOTE = "⚠ Innehåller exempeldata: påhittade demovärden, inte verkliga utfall."


@dataclass
class Row:
    """One line of the indicator table (Indikator | Utfall | Målnivå | Bedömning | Kommentar)."""

    goal_area: str
    goal: str
    indicator_id: str
    name: str
    unit: str
    value: float | None  # None when missing, textual or masked
    value_label: str
    target: str
    colour: str
    reason: str
    comment: str
    comment_label: str  # "Kommentar (2025-09-02, Anna A)"
    masked: bool
    is_demo: bool
    forecast: str = ""  # "Prognos helår 2025: …" (asn_dash.rules.outlook), "" without one or if masked
    description: str = ""  # the catalogue's description of the indicator
    source: str = SOURCE_OWN  # "Källa: …" of the value


@dataclass
class Slide:
    row: Row
    source: str
    figure: go.Figure | None
    notes: list[str] = field(default_factory=list)  # masking, exempeldata


@dataclass
class Meeting:
    year: int
    period: Period
    plan_title: str
    created: date
    areas: list[AreaSummary]
    rows: list[Row]
    slides: list[Slide]
    policy: Policy
    municipal_goals: dict[str, str] = field(default_factory=dict)  # målområde name → kommunövergripande mål

    @property
    def title(self) -> str:
        return f"{NAMND}, {KOMMUN}"

    @property
    def report_title(self) -> str:
        return report_title(self.period)

    @property
    def file_stem(self) -> str:
        return file_stem(self.period)

    @property
    def subtitle(self) -> str:
        return f"Uppföljning {self.period.span_label()} · {self.plan_title}"

    @property
    def masked_any(self) -> bool:
        return any(r.masked for r in self.rows) or any(s.row.masked for s in self.slides)

    @property
    def has_demo(self) -> bool:
        return any(r.is_demo for r in self.rows)

    @property
    def notes(self) -> list[str]:
        """What the title of every export says about the figures: masking, exempeldata."""
        notes = [self.policy.note] if self.policy.active else []
        return notes + [DEMO_NOTE] if self.has_demo else notes


def _names(period: Period) -> tuple[str, str]:
    """(what the report is called, its file name without extension, in ASCII)."""
    y = period.year
    if period.kind == KIND_TERTIAL:
        return f"Tertialrapport T{period.tertial} {y}", f"ASN-tertialrapport-T{period.tertial}-{y}"
    if period.kind == KIND_MONTH:
        return f"Månadsrapport {MONTHS_SV_LONG[period.month - 1]} {y}", f"ASN-manadsrapport-{y}-{period.month:02d}"
    if period.kind == KIND_YEAR:
        return f"Verksamhetsberättelse {y}", f"ASN-verksamhetsberattelse-{y}"
    return f"Uppföljning {period.label()}", f"ASN-R12-{y}-{period.month:02d}"


def report_title(period: Period) -> str:
    """ "Tertialrapport T2 2025", "Månadsrapport augusti 2025", "Verksamhetsberättelse 2025" …"""
    return _names(period)[0]


def file_stem(period: Period) -> str:
    """``ASN-tertialrapport-T2-2025``, ``ASN-manadsrapport-2025-08``, ``ASN-verksamhetsberattelse-2025``,
    ``ASN-R12-2025-08``: the exports' file names say what they are."""
    return _names(period)[1]


def area_verdicts(area: AreaSummary) -> tuple[str | None, str]:
    """(the report's official verdict, the computed one) for a målområde.

    The one place the exports read verdicts from, so the official-vs-computed model can
    replace ``published_colour`` here alone. ``None``: no official verdict for the period."""
    return area.published_colour, area.colour


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, ending with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.–-") + "…"


def masked_reason(colour: str, policy: Policy) -> str:
    """The assessment without the numbers (they would give the masked value away)."""
    if colour not in COLOURS:
        return f"Små tal ({policy.label}) redovisas inte utanför panelen."
    return (f"{label(colour)}. Utfall eller jämförelsevärde är små tal ({policy.label}) och redovisas inte "
            f"utanför panelen; motiveringen med siffror finns i panelen.")


# --- masking of one indicator's chart and figures ---------------------------------------------

CUR, PREV, PERIOD, BASE = "cur", "prev", "period", "base"


@dataclass
class MaskedChart:
    lines: list[Line]
    references: list[Reference]
    units: dict[str, list]
    hidden: dict  # key → "1–3" or "×"


def mask_chart(view: indicator_view.IndicatorView, result: IndicatorResult, period: Period, year: int,
               aggregation: str, unit_aggregation: str, policy: Policy) -> MaskedChart:
    """Hide small values of a sensitive indicator and every value they could be recomputed from.

    Cells: this year's and last year's months, the period value, the comparison value and the
    per-unit months. Equations: the period value is the sum/mean (or last) of its months, the
    comparison value the same over last year's months, each month the sum of its units."""
    kinds = {f"Utfall {year}": CUR, f"Samma månader {year - 1}": PREV}  # other lines (R12) are not exported
    values: dict = {}
    for line in view.lines:
        kind = kinds.get(line.name)
        for p in line.points if kind else ():
            values[(kind, p.month)] = p.value
    for unit_name, points in view.units.items():
        for p in points:
            values[("unit", unit_name, p.month)] = p.value
    current = result.current.value if result.current is not None else None
    values[PERIOD] = current
    reference = result.assessment.reference
    values[BASE] = reference

    months = [m.month for m in period.months() if m.year == year]
    last = [months[-1]] if months else []
    span = last if aggregation == "last" else months
    groups = [[(CUR, m) for m in span] + [PERIOD]]
    if reference is not None and result.rule.kind == BASELINE:
        groups.append([(PREV, m) for m in span] + [BASE])
    if unit_aggregation == "sum":
        for m in range(1, 13):
            groups.append([k for k in values if isinstance(k, tuple) and k[0] == "unit" and k[2] == m] + [(CUR, m)])
    hidden = suppress(values, groups, policy, keep=[PERIOD, BASE])

    lines = [Line(line.name, [_gap(p) if (kinds[line.name], p.month) in hidden else p for p in line.points],
                  line.dash, line.colour) for line in view.lines if line.name in kinds]
    references = [r for r in view.references if not (BASE in hidden and reference is not None
                                                      and r.value == reference)]
    units = {u: [_gap(p) if ("unit", u, p.month) in hidden else p for p in pts] for u, pts in view.units.items()}
    return MaskedChart([line for line in lines if _drawn(line.points)], references, units, hidden)


def _gap(point: Point) -> Point:
    """A masked month stays on the axis without a value: the line breaks there."""
    return replace(point, value=None)


def _drawn(points: list[Point]) -> bool:
    return any(p.value is not None for p in points)


def hidden_note(hidden: dict, policy: Policy) -> str | None:
    """One line for the trend chart: how many of its values are hidden, and why (hidden unit
    values belong to the per-unit chart, see ``units_figure``)."""
    months = [v for k, v in hidden.items() if isinstance(k, tuple) and k[0] in (CUR, PREV)]
    small, secondary = months.count(policy.label), len(months) - months.count(policy.label)
    parts = [f"{small} månadsvärden är små tal ({policy.label}) och visas inte"] if small else []
    if secondary:
        parts.append(f"{secondary} till är dolda ({SECONDARY}) så att de små inte kan räknas fram")
    if not parts and BASE in hidden:
        parts.append("jämförelsevärdet visas inte")
    if not parts and PERIOD in hidden:
        parts.append("utfallet visas inte")
    return "Små tal maskeras: " + "; ".join(parts) + "." if parts else None


# --- building the material ----------------------------------------------------------------------

def _source(store: Store, result: IndicatorResult, kpi: str | None, chart_is_kolada: bool) -> str:
    sources = result.current.sources if result.current is not None else frozenset()
    if kpi and (chart_is_kolada or "kolada" in sources):
        fetched = store.scalar("SELECT max(fetched_at) FROM kolada_values WHERE kpi = ?", [kpi])
        when = f", hämtad {fetched:%Y-%m-%d}" if fetched is not None else ""
        return f"{comparison.SOURCE_RAW} ({kpi}){when}; medelvärden: egen bearbetning"
    return SOURCE_OWN


def build_rows(store: Store, results: list[IndicatorResult], year: int, period: Period,
               policy: Policy) -> list[Row]:
    ids = [r.indicator_id for r in results]
    info = store.query("SELECT id, sensitive, description, kolada_kpi FROM indicators WHERE list_contains(?, id)",
                       [ids]).set_index("id")
    sensitive = set(info.index[info["sensitive"]])
    comments = annotations.latest_comments(store, ids, year, period)
    forecasts = outlook_reads.plan_outlooks(store, year, period, ids)
    rows = []
    for r in results:
        current = r.current.value if r.current is not None else None
        small = r.indicator_id in sensitive and policy.is_small(current)
        # The reason quotes the value, the comparison value and the change: one small → hide it.
        masked = small or (r.indicator_id in sensitive and policy.is_small(r.assessment.reference))
        value = current if (current is not None and not r.current.text and not small) else None
        value_label = policy.label if small else r.value_label
        c = comments.get(r.indicator_id)
        rows.append(Row(
            r.goal_area, r.goal, r.indicator_id, r.name, r.unit, value, value_label, r.target_label,
            r.assessment.colour, masked_reason(r.assessment.colour, policy) if masked else r.assessment.reason,
            "" if c is None else str(c["text"]),
            "" if c is None else f"Kommentar ({c['written_on']:%Y-%m-%d}, {c['author']})",
            masked, r.is_demo,
            forecast=forecast_text(forecasts.get(r.indicator_id), r.indicator_id in sensitive, policy),
            description=_text(info.at[r.indicator_id, "description"]),
            source=_source(store, r, _text(info.at[r.indicator_id, "kolada_kpi"]) or None, False)))
    return rows


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def build_slide(store: Store, result: IndicatorResult, row: Row, year: int, period: Period, policy: Policy,
                *, font_size: int = 18, title: str | None = None, footer: bool = True) -> Slide:
    """One indicator's slide. ``title`` None: the chart carries "name – period"; ``footer``: the
    source and masking lines are drawn under the chart (for a chart shown on its own; the deck
    and the report print them as text beside the image instead)."""
    info = queries.indicator_info(store, result.indicator_id)
    kpi = info["kolada_kpi"] if isinstance(info["kolada_kpi"], str) else None
    view = indicator_view.build(store, result, year, period)
    notes = []
    figure = None
    chart_is_kolada = False
    chart_title = f"{result.name} – {period.span_label()}" if title is None else title
    if view.lines:
        if info["sensitive"]:
            masked = mask_chart(view, result, period, year, info["period_aggregation"], info["unit_aggregation"],
                                policy)
            lines, refs = masked.lines, masked.references
            note = hidden_note(masked.hidden, policy)
            if note:
                notes.append(note)
                row.masked = True
            if PERIOD in masked.hidden or BASE in masked.hidden:  # the reason quotes both
                row.reason = masked_reason(row.colour, policy)
            if PERIOD in masked.hidden:
                row.value, row.value_label = None, masked.hidden[PERIOD]
        else:
            lines, refs = view.lines, view.references
        if lines:
            figure = charts.trend_figure(chart_title, result.unit, lines, refs, font_size=font_size)
    elif kpi:
        years = comparison.trend(store, kpi, None, list(range(year - 9, year + 1)))
        if not years.empty:
            figure = charts.years_figure(chart_title, result.unit, years, font_size=font_size)
            chart_is_kolada = True
    if figure is not None and not chart_is_kolada and row.forecast and not info["sensitive"]:  # Prognos helår
        own = outlook_reads.plan_outlooks(store, year, period, [row.indicator_id]).get(row.indicator_id)
        charts.with_forecast(figure, charts.forecast_band(own))
    if view.has_demo and any(p.is_demo for line in view.lines for p in line.points):
        notes.append(DEMO_MARK)
    source = _source(store, result, kpi, chart_is_kolada)
    if figure is not None and footer:
        charts.with_footer(figure, [source, *notes], font_size=max(12, font_size - 4))
    return Slide(row, source, figure, notes)


def units_figure(store: Store, result: IndicatorResult, year: int, period: Period, policy: Policy,
                 font_size: int = 18) -> go.Figure | None:
    """The per-unit chart as it may leave the dashboard (masked like the slide's chart)."""
    info = queries.indicator_info(store, result.indicator_id)
    view = indicator_view.build(store, result, year, period)
    if not view.units:
        return None
    notes = []
    units = view.units
    if info["sensitive"]:
        masked = mask_chart(view, result, period, year, info["period_aggregation"], info["unit_aggregation"], policy)
        units = {u: pts for u, pts in masked.units.items() if _drawn(pts)}
        hidden_units = sum(1 for k in masked.hidden if isinstance(k, tuple) and k[0] == "unit")
        if hidden_units:
            notes.append(f"Små tal maskeras: {hidden_units} enhetsvärden visas inte ({policy.label} eller "
                         f"{SECONDARY} så att de små inte kan räknas fram).")
    fig = charts.units_figure(f"{result.name} per enhet {year}", result.unit, units, font_size=font_size)
    return charts.with_footer(fig, [SOURCE_OWN, *notes], font_size=max(12, font_size - 4))


def default_order(results: list[IndicatorResult]) -> list[str]:
    """Without a saved running order: every plan indicator with a value, in plan order (the
    verksamhetsmått are added by choice)."""
    return [r.indicator_id for r in results if r.current is not None and r.goal_area_id != MEASURES_ID]


DEFAULT_POLICY = Policy()  # the default thresholds (asn_dash.rules.suppression)


def build(store: Store, year: int, period: Period, order: list[str] | None = None, policy: Policy = DEFAULT_POLICY,
          *, results: list[IndicatorResult] | None = None, areas: list[AreaSummary] | None = None,
          with_slides: bool = True, font_size: int = 18) -> Meeting:
    """The material for ``year``'s plan and ``period``; ``order`` = indicator ids of the slides.

    ``results`` are the plan's indicators followed by the verksamhetsmått (see
    ``evaluation.measure_results``); ``areas`` summarise the plan's målområden."""
    if results is None or areas is None:
        results, areas = evaluation.plan_results(store, year, period)
        results = results + evaluation.measure_results(store, year, period)
    rows = build_rows(store, results, year, period, policy)
    by_id = {r.indicator_id: (r, row) for r, row in zip(results, rows)}
    slides = []
    if with_slides:
        for indicator_id in (default_order(results) if order is None else order):
            if indicator_id in by_id:
                result, row = by_id[indicator_id]
                # a copy: a slide may mask more than the table row (its chart's months)
                slides.append(build_slide(store, result, replace(row), year, period, policy, font_size=font_size,
                                          title="", footer=False))
    plan = queries.plan(store, year)
    structure = queries.plan_structure(store, year)
    goals = {a: g for a, g in zip(structure["goal_area"], structure["municipal_goal"]) if isinstance(g, str)}
    return Meeting(year, period, str(plan["title"]), date.today(), areas, rows, slides, policy, goals)


def forecast_text(o: outlook.Outlook | None, sensitive: bool, policy: Policy) -> str:
    """The forecast sentence for the papers (with its exempeldata note); "" when a number in it
    is a small count of a sensitive indicator."""
    if o is None or (sensitive and any(policy.is_small(v) for v in o.numbers())):
        return ""
    return " ".join([o.sentence(), *(n for n in o.notes() if n.startswith((outlook.DEMO_MARK, outlook.UNVALIDATED)))])


def value_text(row: Row) -> str:
    return row.value_label if row.value is None else format_value(row.value, row.unit)


__all__ = ["Meeting", "Row", "Slide", "build", "build_rows", "build_slide", "mask_chart", "units_figure",
           "default_order", "value_text", "area_verdicts", "file_stem", "report_title", "shorten", "NAMND",
           "SOURCE_OWN"]
