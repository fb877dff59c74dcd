"""The Översikt view model: målområden → nämndmål → indicator rows, formatted for display."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .formatting import MISSING, NBSP, format_value
from .periods import parse_key
from .seed import DEMO, PUBLISHED

SOURCE_LABELS = {
    PUBLISHED: "Publicerad rapport",
    DEMO: "⚠ Exempeldata",
    "uppladdning": "Uppladdad",
    "kolada": "Kolada",
}
DEMO_NOTE = (
    "Värden märkta «⚠ Exempeldata» är påhittade demovärden som visar hur panelen fungerar. "
    "De är förankrade i de publicerade siffrorna men är inte verkliga utfall."
)


@dataclass
class IndicatorRow:
    indicator_id: str
    indicator: str
    value: str
    period: str
    target: str
    source: str
    source_ref: str
    is_demo: bool


@dataclass
class GoalBlock:
    goal_id: str
    goal: str
    rows: list[IndicatorRow] = field(default_factory=list)


@dataclass
class AreaBlock:
    goal_area_id: str
    goal_area: str
    municipal_goal: str | None
    goals: list[GoalBlock] = field(default_factory=list)

    @property
    def indicator_count(self) -> int:
        return sum(len(g.rows) for g in self.goals)


def _target_label(text: str | None) -> str:
    if text is None or text.strip().lower() in ("", "ingen"):
        return MISSING
    if text.strip().lower() == "manuell":
        return "Bedöms av förvaltningen"
    return text


def build_overview(structure: pd.DataFrame, values: pd.DataFrame) -> list[AreaBlock]:
    """Combine a plan's structure with the latest values into display blocks."""
    by_indicator = {row.indicator_id: row for row in values.itertuples(index=False)}
    areas: dict[str, AreaBlock] = {}
    goals: dict[tuple[str, str], GoalBlock] = {}
    for s in structure.itertuples(index=False):
        area = areas.setdefault(
            s.goal_area_id,
            AreaBlock(s.goal_area_id, s.goal_area, s.municipal_goal if isinstance(s.municipal_goal, str) else None),
        )
        goal = goals.get((s.goal_area_id, s.goal_id))
        if goal is None:
            goal = goals[(s.goal_area_id, s.goal_id)] = GoalBlock(s.goal_id, s.goal)
            area.goals.append(goal)
        if not isinstance(s.indicator_id, str):
            continue
        v = by_indicator.get(s.indicator_id)
        if v is None:
            value, period, source, ref, demo = "Inget värde ännu", MISSING, MISSING, "", False
        else:
            if isinstance(v.text_value, str) and v.text_value:
                value = v.text_value
            else:
                value = format_value(v.value, s.unit)
            period = parse_key(v.period).label().replace(" ", NBSP)  # keep "T2 2025" on one line
            source = SOURCE_LABELS.get(v.source, v.source)
            ref = v.source_ref if isinstance(v.source_ref, str) else ""
            demo = v.source == DEMO
        goal.rows.append(IndicatorRow(s.indicator_id, s.indicator, value, period,
                                      _target_label(s.target_text), source, ref, demo))
    return list(areas.values())


def goal_table(goal: GoalBlock) -> pd.DataFrame:
    """The table shown under one nämndmål, with Swedish headers."""
    return pd.DataFrame(
        [
            {"Indikator": r.indicator, "Utfall": r.value, "Period": r.period, "Målnivå": r.target,
             "Källa": r.source, "Källhänvisning": r.source_ref}
            for r in goal.rows
        ],
        columns=["Indikator", "Utfall", "Period", "Målnivå", "Källa", "Källhänvisning"],
    )


def any_demo(areas: list[AreaBlock]) -> bool:
    return any(r.is_demo for a in areas for g in a.goals for r in g.rows)
