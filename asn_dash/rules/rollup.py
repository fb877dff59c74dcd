"""Unit totals that add up.

For an additive indicator (the catalogue's ``unit_aggregation: sum`` — counts and kronor) the whole
administration's value is the sum of its units, unless a total is stored for that period (the
reports' published figure, or an upload for the administration): then the stored total is the
headline figure, and where the units' sum differs from it both are shown and the difference is
flagged, so an upload for one unit is never silently lost behind an older total. Non-additive
indicators (percentages, means: ``mean`` or ``none``) are never rolled up — an unweighted mean of
units' shares is not the administration's share.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn_dash.formatting import format_value
from asn_dash.rules.periods import parse_key

ADDITIVE = "sum"
TOLERANCE = 1e-6  # stored values are exact decimals; anything above rounding noise is a difference


def is_additive(unit_aggregation: str | None) -> bool:
    return unit_aggregation == ADDITIVE


@dataclass(frozen=True)
class TotalCheck:
    """One indicator and period where both a stored total and unit values exist."""

    indicator_id: str
    period: str
    stored: float
    units_sum: float
    units: int

    @property
    def difference(self) -> float:
        return self.units_sum - self.stored

    @property
    def differs(self) -> bool:
        return abs(self.difference) > TOLERANCE

    def sentence(self, unit: str) -> str:
        """E.g. "aug 2025: summan av enheterna (2 st) är 444, förvaltningens lagrade total 373 (+71)"."""
        sign = "+" if self.difference > 0 else "−"
        gap = format_value(abs(self.difference), unit)
        units = "enheten" if self.units == 1 else f"enheterna ({self.units} st)"
        return (f"{parse_key(self.period).label()}: summan av {units} är {format_value(self.units_sum, unit)}, "
                f"förvaltningens lagrade total {format_value(self.stored, unit)} ({sign}{gap})")


def differing(checks: list[TotalCheck]) -> list[TotalCheck]:
    """The checks whose units do not add up to the stored total, in period order."""
    return sorted((c for c in checks if c.differs), key=lambda c: (c.indicator_id, parse_key(c.period).end))
