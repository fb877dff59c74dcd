"""The assessment palette: colour + symbol + word, never colour alone.

Backgrounds come from the Okabe–Ito palette (bluish green, yellow, vermillion), chosen to stay
apart for deuteranopia and protanopia; black text on each keeps WCAG AA contrast (≥ 4.5:1).
``tests/test_colours.py`` checks both with the formulas below.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ColourStyle:
    word: str
    symbol: str
    background: str
    text: str


STYLES = {
    "Grön": ColourStyle("Grön", "✔", "#009E73", "#000000"),
    "Gul": ColourStyle("Gul", "▲", "#F0E442", "#000000"),
    "Röd": ColourStyle("Röd", "✖", "#D55E00", "#000000"),
    "—": ColourStyle("Ej bedömd", "–", "#E8E8E8", "#000000"),
}

# Tables in every export (XLSX, PPTX, DOCX) and the dashboard: black text, a light grey header
# row and thin grey rules; assessment cells take their STYLES background.
TEXT = "#000000"
TABLE_HEADER = "#D9D9D9"
TABLE_RULE = "#BFBFBF"

# Chart colours for series (Okabe–Ito): this year, last year, target, units …
SERIES = ["#0072B2", "#999999", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]


def style(colour: str) -> ColourStyle:
    """The style of an assessment colour; anything unassessed looks like "Ej bedömd"."""
    return STYLES.get(colour, STYLES["—"])


def label(colour: str) -> str:
    """``✔ Grön``, ``▲ Gul``, ``✖ Röd``, ``– Ej bedömd``."""
    s = style(colour)
    return f"{s.symbol} {s.word}"


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def luminance(hex_colour: str) -> float:
    r, g, b = (_linear(c) for c in rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio between two colours."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# Viénot, Brettel & Mollon (1999) dichromacy simulation in linear RGB.
_CVD = {
    "protanopia": ((0.11238, 0.88762, 0.0), (0.11238, 0.88762, 0.0), (0.00401, -0.00401, 1.0)),
    "deuteranopia": ((0.29275, 0.70725, 0.0), (0.29275, 0.70725, 0.0), (-0.02234, 0.02234, 1.0)),
}


def simulate(hex_colour: str, kind: str) -> tuple[float, float, float]:
    """How a colour looks with protanopia or deuteranopia, as linear RGB."""
    lin = [_linear(c) for c in rgb(hex_colour)]
    return tuple(sum(m * c for m, c in zip(row, lin)) for row in _CVD[kind])


def distance(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5
