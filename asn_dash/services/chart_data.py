"""What a chart shows, as plain values: the lines, points and reference lines that the view models
(``asn_dash.services.views``, the meeting material) build and ``asn_dash.meeting.charts`` draws."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Point:
    month: int  # 1–12
    value: float | None  # None: a masked month, drawn as a gap (never interpolated through)
    is_demo: bool = False


@dataclass(frozen=True)
class Line:
    name: str
    points: list[Point]
    dash: str = "solid"
    colour: str | None = None


@dataclass(frozen=True)
class Reference:
    value: float
    name: str  # e.g. "Målnivå minst 60 %" or "Jämförelse jan–aug 2024"


@dataclass(frozen=True)
class DatedPoint:
    year: int
    month: int  # 1–12; a tertial or year is drawn at its last month
    value: float
    is_demo: bool = False


@dataclass(frozen=True)
class DatedLine:
    name: str
    points: list[DatedPoint]
    colour: str
    markers_only: bool = False  # published period values: points, not a line
