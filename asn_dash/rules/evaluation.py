"""Evaluate a plan year for a period: every indicator's value, assessment and trend, the
målområde summaries and the month-by-month grid, from plan data read once
(``asn_dash.services.evaluation`` reads it from the store)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd

from asn_dash.formatting import MISSING, format_value
from asn_dash.rules import verdicts
from asn_dash.rules.aggregation import Obs, PeriodValue, period_value
from asn_dash.rules.assessment import COLOURS, GRON, GUL, NA, ROD, Assessment, Rank, Trend, assess, trend
from asn_dash.rules.periods import Period, rolling_12
from asn_dash.rules.targets import BASELINE, MANUAL, NONE, QUARTILE, TargetRule
from asn_dash.rules.verdicts import AREA, GOAL, INDICATOR, OfficialVerdict

# A Kolada KPI's rank among the municipalities in a year, for quartile rules: (kpi, year) → rank.
RankLookup = Callable[[str, int], Rank | None]


@dataclass
class IndicatorResult:
    goal_area_id: str
    goal_area: str
    goal_id: str
    goal: str
    indicator_id: str
    name: str
    unit: str
    direction: str
    target_text: str
    rule: TargetRule
    current: PeriodValue | None
    previous: PeriodValue | None
    assessment: Assessment  # the verdict shown: the official one where there is one, else the computed one
    trend: Trend | None
    verdict_id: int | None = None  # the analytiker's verdict in force (it can be withdrawn)
    official: OfficialVerdict | None = None
    computed: Assessment | None = None  # the target rule's own assessment

    @property
    def cause(self) -> str | None:
        """Why the indicator is not assessed (``verdicts.CAUSES``); None when it is."""
        return verdicts.not_assessed_cause(self.rule.kind, self.assessment.colour)

    @property
    def value_label(self) -> str:
        if self.current is None:
            return MISSING
        if self.current.text:
            return self.current.text
        return format_value(self.current.value, self.unit)

    @property
    def is_demo(self) -> bool:
        return self.current is not None and self.current.is_demo

    @property
    def target_label(self) -> str:
        """The target as the report table shows it: "—" without one, manual ones in words."""
        t = self.target_text.strip().lower()
        return "—" if t == "ingen" else ("Bedöms av förvaltningen" if t == "manuell" else self.target_text)


@dataclass
class AreaSummary:
    """A målområde (or, with ``level`` nämndmål, a nämndmål: then ``goal_area_id`` is its id): the
    computed verdict by the plan's area rule, with its reason, and the official one in force."""

    goal_area_id: str
    name: str
    colour: str  # computed: the area rule over the indicators' verdicts
    counts: dict[str, int] = field(default_factory=dict)
    official: OfficialVerdict | None = None
    reason: str = ""  # why the computed colour
    level: str = AREA
    goals: list["AreaSummary"] = field(default_factory=list)  # a målområde's nämndmål, in plan order

    @property
    def published_colour(self) -> str | None:
        """The official verdict's colour (from a report or set by an analytiker), if any."""
        return self.official.colour if self.official is not None else None

    @property
    def verdict(self) -> str:
        """The colour shown as the verdict: the official one where there is one."""
        return self.published_colour or self.colour

    @property
    def computed(self) -> verdicts.Computed:
        return verdicts.Computed(self.colour, self.reason)

    @property
    def explanation(self) -> str | None:
        """Why the official verdict and the computed one differ (None when they agree)."""
        return verdicts.explain(self.official, self.computed)


@dataclass
class PlanData:
    """Everything needed to evaluate one plan year for some periods, read once."""

    year: int
    structure: pd.DataFrame
    series: dict[str, dict[str, Obs]]
    meta: dict[str, dict]
    admin_unit: str
    area_rule: str = verdicts.STANDARD
    official: list[OfficialVerdict] = field(default_factory=list)  # the plan year's, oldest first
    periods: tuple[Period, ...] = ()  # what the series were read for (see reading_windows)


def reading_windows(structure: pd.DataFrame, periods: tuple[Period, ...]) -> list[tuple[date, date]]:
    """The spans of period ends whose values evaluating ``periods`` can use, merged: for each
    period, the same period a year earlier (trend) and each baseline rule's period, the 12 months
    up to its end (R12) and its year from January (tertial and status values of the same year).
    Yearly indicators may fall back to any earlier year and are read without a lower bound."""
    baselines = {r for r in structure["rule"] if r.kind == BASELINE} if len(structure) else set()
    asked = set()
    for p in periods:
        asked |= {p, p.shifted(-1)} | {_baseline_period(r, p) for r in baselines}
    spans = sorted((min(date(q.year, 1, 1), rolling_12(q)[0].start), q.end) for q in asked)
    merged: list[tuple[date, date]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _value(data: PlanData, indicator_id: str, period: Period) -> PeriodValue | None:
    m = data.meta[indicator_id]
    return period_value(data.series.get(indicator_id, {}), period, m["period_aggregation"], m["frequency"])


def _baseline_period(rule: TargetRule, period: Period) -> Period:
    if rule.baseline_year is None or rule.baseline_year >= period.year:
        return period.shifted(-1)
    return period.shifted(rule.baseline_year - period.year)


def evaluate(data: PlanData, period: Period, rank: RankLookup) -> list[IndicatorResult]:
    """Assess every indicator of the plan for ``period`` (one of the periods ``data`` was read for):
    the computed assessment, and the official verdict in force (``data.official``) shown in its
    place where there is one. ``rank`` gives a quartile rule's Kolada rank, asked only for those."""
    if period not in data.periods:
        raise ValueError(f"{period.key} was not read: load the plan data for it (load_plan(…, period))")
    manual_ids = [r.indicator_id for r in data.structure.itertuples() if r.rule.kind == MANUAL]
    official = verdicts.in_force(data.official, period, carry=manual_ids)
    results = []
    for r in data.structure.itertuples(index=False):
        m = data.meta[r.indicator_id]
        current = _value(data, r.indicator_id, period)
        previous = _value(data, r.indicator_id, period.shifted(-1))
        kwargs = {}
        if r.rule.kind == BASELINE:
            base = _baseline_period(r.rule, period)
            kwargs["baseline"] = _value(data, r.indicator_id, base) or PeriodValue(None, None, base, base, 0, 0, frozenset())
        elif r.rule.kind == QUARTILE and m["kolada_kpi"]:
            year = current.as_of.year if current is not None else period.year
            kwargs["rank"] = rank(m["kolada_kpi"], year)
        computed = assess(r.rule, m["unit"], current, period, **kwargs)
        given = official.get((INDICATOR, r.indicator_id))
        results.append(IndicatorResult(
            r.goal_area_id, r.goal_area, r.goal_id, r.goal, r.indicator_id, r.indicator, m["unit"], m["direction"],
            r.target_text, r.rule, current, previous, verdicts.apply(computed, given, r.rule.kind == MANUAL),
            trend(current, previous, m["direction"]),
            given.id if given is not None and given.origin == verdicts.ANALYST else None, given, computed))
    return results


def summarise(results: list[IndicatorResult], official: dict[tuple[str, str], OfficialVerdict] | None = None,
              rule: str = verdicts.STANDARD, level: str = AREA) -> list[AreaSummary]:
    """One summary per målområde (``level`` nämndmål: per nämndmål), in plan order: the area rule
    over the indicators' verdicts, and the official verdict from ``official`` ((level, id) → verdict,
    see ``verdicts.in_force``)."""
    areas: dict[str, AreaSummary] = {}
    colours: dict[str, list[str]] = {}
    for r in results:
        key, name = (r.goal_area_id, r.goal_area) if level == AREA else (r.goal_id, r.goal)
        if key not in areas:
            areas[key] = AreaSummary(key, name, NA, official=(official or {}).get((level, key)), level=level)
            colours[key] = []
        colours[key].append(r.assessment.colour)
    for key, area in areas.items():
        computed = verdicts.area_verdict(colours[key], rule)
        area.colour, area.reason = computed.colour, computed.reason
        area.counts = {c: colours[key].count(c) for c in (*COLOURS, NA)}
    return list(areas.values())


MEASURES_ID = "verksamhetsmatt"
MEASURES = "Verksamhetsmått"


def as_measures(frame: pd.DataFrame) -> pd.DataFrame:
    """Indicators (``indicator_id``, ``indicator``) as the "Verksamhetsmått" group, without targets."""
    frame["goal_area_id"] = frame["goal_id"] = MEASURES_ID
    frame["goal_area"] = frame["goal"] = MEASURES
    frame["target_text"] = "ingen"
    frame["rule"] = [TargetRule(NONE, "ingen")] * len(frame)
    return frame


def plan_areas(data: PlanData, period: Period, results: list[IndicatorResult]) -> list[AreaSummary]:
    """The målområde summaries of the plan's ``results`` for ``period``, each with its nämndmål
    (``AreaSummary.goals``): computed by the plan's area rule, with the official verdicts (reports,
    analytiker) in force for the period."""
    official = verdicts.in_force(data.official, period)
    areas = summarise(results, official, data.area_rule)
    goals = summarise(results, official, data.area_rule, GOAL)
    area_of = {r.goal_id: r.goal_area_id for r in results}
    for area in areas:
        area.goals = [g for g in goals if area_of[g.goal_area_id] == area.goal_area_id]
    return areas


@dataclass
class MonthGrid:
    """Målområde × month (jan … last month), as the reports' "Måluppfyllelse/månad": ``colours`` the
    verdict shown per cell, ``official`` whether it is an official one (True) or computed (False),
    ``computed`` the rule's colour in every cell."""

    colours: pd.DataFrame
    official: pd.DataFrame
    computed: pd.DataFrame


def month_grid(data: PlanData, last_month: int, rank: RankLookup) -> MonthGrid:
    """Per målområde and month the official verdict where a report (or an analytiker) gave one,
    else the computed one; ``data`` is read for every month from January to ``last_month``.

    Yearly indicators (Kolada KPIs, annual surveys) do not move from month to month, so the
    computed cells are built from the indicators followed monthly or per tertial."""
    from asn_dash.rules.periods import MONTHS_SV

    monthly = data.structure[[data.meta[i]["frequency"] != "år" for i in data.structure["indicator_id"]]]
    followed = replace(data, structure=monthly)
    names = dict(zip(data.structure["goal_area_id"], data.structure["goal_area"]))  # plan order, all areas
    months = [MONTHS_SV[m].capitalize() for m in range(last_month)]
    computed = pd.DataFrame(NA, index=list(names.values()), columns=months)
    colours = computed.copy()
    given = pd.DataFrame(False, index=list(names.values()), columns=months)
    for month, column in enumerate(months, start=1):
        period = Period(data.year, month=month)
        for area in summarise(evaluate(followed, period, rank), rule=data.area_rule):
            computed.loc[area.name, column] = colours.loc[area.name, column] = area.colour
        for (level, area_id), v in verdicts.in_force(data.official, period).items():
            if level == AREA and area_id in names and v.colour is not None:
                colours.loc[names[area_id], column] = v.colour
                given.loc[names[area_id], column] = True
    return MonthGrid(colours, given, computed)


__all__ = ["IndicatorResult", "AreaSummary", "PlanData", "MonthGrid", "RankLookup", "evaluate", "summarise",
           "plan_areas", "as_measures", "month_grid", "reading_windows", "GRON", "GUL", "ROD", "NA"]
