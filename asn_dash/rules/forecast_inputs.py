"""The forecast engine's plain inputs: per indicator the whole administration's stored values
(month, tertial and year keys), which of them are exempeldata, and the bounds a simulated value
must stay within. Read from the store by ``asn_dash.services.forecast_inputs``."""

from __future__ import annotations

from dataclasses import dataclass

from asn_dash.rules.periods import KIND_MONTH, parse_key


@dataclass(frozen=True)
class History:
    indicator_id: str
    name: str
    unit: str
    frequency: str
    aggregation: str  # period_aggregation
    lower: float | None
    upper: float | None
    values: dict[str, float]  # period key → value (months, tertials, years)
    demo: frozenset[str]  # the keys whose value is exempeldata

    def months(self, up_to: str | None = None) -> dict[str, float]:
        """Month key → value, up to and including the month ``up_to`` (a key like 2025-08)."""
        return {k: v for k, v in self.values.items() if is_month(k) and (up_to is None or k <= up_to)}

    def uses_demo(self, keys) -> bool:
        return any(k in self.demo for k in keys)


def bounds(unit: str, allow_negative: bool) -> tuple[float | None, float | None]:
    """Counts, money as costs and shares are never below zero; shares never above 100 %."""
    if allow_negative:
        return None, 100.0 if unit == "procent" else None
    return 0.0, 100.0 if unit == "procent" else None


def is_month(key: str) -> bool:
    return parse_key(key).kind == KIND_MONTH
