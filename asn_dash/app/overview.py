"""Översikt's view: everything the page shows for a plan year and period, drawn once as texts and
HTML fragments (``asn_dash.app.render``), so that a warm view only sends them.

The page keeps the view per data version (``ui.view``): a warm view then costs one cache read and
a few elements instead of reading, evaluating and rendering again. Only plain values (strings,
tuples, dicts), so the cached copy is cheap to make.
"""

from __future__ import annotations

import pandas as pd

from asn_dash.app import render
from asn_dash.rules import outlook, verdicts
from asn_dash.rules.evaluation import AreaSummary, IndicatorResult, MonthGrid
from asn_dash.rules.periods import Period


def _forecasts_for(rows: list[IndicatorResult], markers: dict[str, str] | None) -> dict[str, str] | None:
    """Indicator id → its "Prognos helår" marker for the rows that have one (None: no forecast column)."""
    return {r.indicator_id: markers[r.indicator_id] for r in rows if r.indicator_id in (markers or {})} or None


def unassessed_groups(rows: list[IndicatorResult]) -> list[tuple[str, list[IndicatorResult]]]:
    """(cause, its indicators) for what is not assessed, in the order of the causes."""
    missing = [r for r in rows if r.cause is not None]
    return [(cause, group) for cause in verdicts.CAUSES if (group := [r for r in missing if r.cause == cause])]


def shown_name(r: IndicatorResult, cause: str) -> str:
    """The indicator's name, with its value where it has one but no target."""
    shown = r.value_label if r.current is not None else None
    return f"{r.name} ({shown})" if cause == verdicts.NO_TARGET and shown else r.name


def _area(area: AreaSummary, results: list[IndicatorResult], units: pd.DataFrame, markers: dict[str, str] | None,
          year: int, period: Period) -> dict:
    """One målområde: its heading and verdict, its nämndmål with their report tables, what is not
    assessed and the units' colours as one HTML fragment; what an analytiker's forms need beside it."""
    parts = [render.area_heading(area.name, area.goal_area_id), render.verdict_block(area)]
    for goal in area.goals:
        parts.append(render.goal_heading(goal.name))
        if goal.official is not None:
            parts.append(render.verdict_block(goal))
        assessed = [r for r in results if r.goal_id == goal.goal_area_id and r.cause is None]
        parts.append(render.report_table(assessed, year, period, _forecasts_for(assessed, markers)) if assessed else
                     render.note("Ingen indikator under nämndmålet är bedömd för perioden (se nedan)."))
    groups = unassessed_groups(results)
    parts.append(render.not_assessed(area.name, len(results), [
        (cause, [(r.indicator_id, shown_name(r, cause)) for r in group]) for cause, group in groups], year, period))
    parts.append(render.unit_colours(units))
    given = area.official
    return {"id": area.goal_area_id, "name": area.name, "html": "".join(parts),
            "no_verdict": [(r.indicator_id, r.name) for r in dict(groups).get(verdicts.NO_BEDOMNING, [])],
            "withdraw": (given.id, given.by) if given is not None and given.origin == verdicts.ANALYST else None}


def build(results: list[IndicatorResult], areas: list[AreaSummary], plan: dict, outlooks: dict,
          unit_colours: pd.DataFrame, grid: MonthGrid, year: int, period: Period) -> dict:
    """The page's texts and fragments (see the module docstring)."""
    markers = {i: o.marker for i, o in outlooks.items() if o.marker} if outlooks else None
    area_forecasts = outlook.area_markers([(r.goal_area_id, r.indicator_id) for r in results], outlooks)

    def units_of(area_id: str) -> pd.DataFrame:
        return unit_colours[unit_colours["goal_area_id"] == area_id] if not unit_colours.empty else unit_colours

    return {
        "title": f"**{plan['title']}** · uppföljning för **{period.span_label()}**",
        "source": plan["source"],
        "demo": any(r.is_demo for r in results),
        "cards": render.area_cards(areas, area_forecasts),
        "forecast_basis": outlook.basis_note(list(outlooks.values())) if outlooks else "",
        "grid": render.month_grid(grid),
        "areas": [_area(a, [r for r in results if r.goal_area_id == a.goal_area_id], units_of(a.goal_area_id),
                        markers, year, period) for a in areas],
    }
