"""Placements against the budget assumption, in the shape of 002's tables ("Antal placeringar per
pris jämfört med budgetantagande"): per month the number of placements against the budgeted
volume, the cost that count implies at the budgeted price per day, and the deviation from
budget; for the year "Prognos helår" and "avvikelse mot budget" in tkr.

The year's cost forecast = the recorded months' counts + forecast counts for the months still to
come, each × budgeted price per day × the days of its month, against budgeted volume × price ×
days. The forecast counts are the förvaltning's own monthly prognos where there is one, else the
forecast engine's (``asn_dash.rules.forecast``), whose simulated paths also give the cost's 80 %
interval. A negative deviation is an overrun, as in the reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from asn_dash.formatting import NBSP, format_number, format_value
from asn_dash.rules import forecast as fc
from asn_dash.rules.forecast_inputs import History
from asn_dash.rules.periods import MONTHS_SV

MODEL, ANALYST, MIXED = "modell", "förvaltningen", "förvaltningen och modell"


@dataclass(frozen=True)
class PlacementMonth:
    month: int
    count: float | None  # None: neither recorded nor forecast
    forecast: bool  # the count is a forecast, not a recorded value
    budget_count: float
    days: int
    price: float

    @property
    def cost(self) -> float | None:
        """kr: count × budgeted price per day × days in the month."""
        return None if self.count is None else self.count * self.price * self.days

    @property
    def budget_cost(self) -> float:
        return self.budget_count * self.price * self.days

    @property
    def deviation(self) -> float | None:
        """Budget − cost, kr: negative is an overrun."""
        return None if self.cost is None else self.budget_cost - self.cost


@dataclass(frozen=True)
class PlacementYear:
    indicator_id: str
    name: str
    year: int
    volume: float  # budgeted placements per month
    price: float  # budgeted price per day, kr
    months: tuple[PlacementMonth, ...]
    forecast_by: str | None  # MODEL, ANALYST or None (every month recorded)
    cost_low: float | None = None  # the 80 % interval of the year's cost (model forecasts), kr
    cost_high: float | None = None
    model: str | None = None
    is_demo: bool = False

    @property
    def recorded(self) -> int:
        return sum(1 for m in self.months if m.count is not None and not m.forecast)

    @property
    def complete(self) -> bool:
        """Every month has a count (recorded or forecast), so the year's cost is known or forecast."""
        return all(m.count is not None for m in self.months)

    @property
    def cost(self) -> float | None:
        """Prognos helår (or the year's outcome when all months are recorded), kr."""
        return sum(m.cost for m in self.months) if self.complete else None

    @property
    def budget(self) -> float:
        return sum(m.budget_cost for m in self.months)

    @property
    def deviation(self) -> float | None:
        return None if self.cost is None else self.budget - self.cost

    @property
    def mean_count(self) -> float | None:
        return None if not self.complete else float(np.mean([m.count for m in self.months]))

    def sentence(self) -> str:
        """"Prognos helår 2019: 17 691 tkr mot budget 11 786 tkr (7 placeringar per månad à 4 613 kr
        per dygn); avvikelse mot budget −5 905 tkr. Jan–apr utfall, maj–dec prognos (…)."""
        assumption = (f"{format_number(self.volume, 0)} placeringar per månad à {format_value(self.price, 'kr')} "
                      f"per dygn")
        if self.cost is None:
            return (f"Prognos helår {self.year} saknas: för få månader att räkna fram resten av året. "
                    f"Budget {tkr(self.budget)} ({assumption}).")
        what = "Utfall" if self.forecast_by is None else "Prognos"
        text = (f"{what} helår {self.year}: {tkr(self.cost)} mot budget {tkr(self.budget)} ({assumption}); "
                f"avvikelse mot budget {tkr(self.deviation, signed=True)}.")
        if self.forecast_by is None:
            return text + " Alla månader är utfall."
        recorded = [m.month for m in self.months if not m.forecast]
        done = (f"{_span(recorded)} utfall, " if recorded else "")
        rest = _span([m.month for m in self.months if m.forecast])
        who = {ANALYST: "förvaltningens prognos", MIXED: "prognos (förvaltningens där den finns, annars modellens)"}.get(
            self.forecast_by, "prognos")
        band = (f"; 80{NBSP}%: {_tkr(self.cost_low)}–{tkr(self.cost_high)}"
                if self.cost_low is not None and self.forecast_by == MODEL else "")
        detail = done + rest + ' ' + who
        return f"{text} {detail[0].upper() + detail[1:]}{band}."

    def table(self) -> pd.DataFrame:
        """002's layout: months as columns (forecast months marked), a Helår column."""
        def col(m: PlacementMonth) -> str:
            name = MONTHS_SV[m.month - 1].capitalize()
            return f"{name} (prognos)" if m.forecast else name

        columns = [col(m) for m in self.months] + ["Helår"]
        rows = {
            "Antal placeringar (helår: snitt per månad)": [_num(m.count) for m in self.months] + [_num(self.mean_count, 1)],
            "Budgeterat antal": [_num(m.budget_count) for m in self.months] + [_num(self.volume, 1)],
            "Kostnad, tkr": [_tkr(m.cost) for m in self.months] + [_tkr(self.cost)],
            "Budget, tkr": [_tkr(m.budget_cost) for m in self.months] + [_tkr(self.budget)],
            "Avvikelse mot budget, tkr": [_tkr(m.deviation) for m in self.months] + [_tkr(self.deviation)],
        }
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
        frame.index.name = f"{self.name} {self.year}"
        return frame.reset_index()


def tkr(kr: float | None, signed: bool = False) -> str:
    """kr as ``17 691 tkr`` (``+596 tkr`` with ``signed``)."""
    if kr is None:
        return "—"
    text = format_number(kr / 1000, 0) + f"{NBSP}tkr"
    return f"+{text}" if signed and round(kr / 1000) > 0 else text


def _tkr(kr: float | None) -> str:
    return "—" if kr is None else format_number(kr / 1000, 0)


def _num(v: float | None, decimals: int = 0) -> str:
    if v is None:
        return "—"
    return format_number(v, 0 if float(v).is_integer() else max(decimals, 1))


def _span(months: list[int]) -> str:
    if not months:
        return ""
    first, last = MONTHS_SV[months[0] - 1], MONTHS_SV[months[-1] - 1]
    return first if first == last else f"{first}–{last}"


def placement_year(indicator_id: str, name: str, year: int, volume: float, price: float, counts: dict[int, float],
                   forecast: dict[int, float] | None = None, *, forecast_by: str | None = MODEL,
                   cost_band: tuple[float, float] | None = None, model: str | None = None,
                   is_demo: bool = False) -> PlacementYear:
    """The year from recorded ``counts`` (month → count) and ``forecast`` counts for other months."""
    days = fc.days_in_months(year).astype(int)
    forecast = forecast or {}
    months = []
    for m in range(1, 13):
        recorded = m in counts
        count = counts[m] if recorded else forecast.get(m)
        months.append(PlacementMonth(m, count, not recorded and count is not None, volume, int(days[m - 1]), price))
    used_forecast = any(mm.forecast for mm in months)
    low, high = cost_band if cost_band else (None, None)
    return PlacementYear(indicator_id, name, year, volume, price, tuple(months),
                         forecast_by if used_forecast else None, low, high, model if used_forecast else None, is_demo)


def placement_forecast(h: History, year: int, volume: float, price: float,
                       prognos: dict[str, float]) -> PlacementYear:
    """The placement table of ``year`` from the indicator's history ``h`` (values up to the period's
    end) and the budget assumption (``volume`` per month, ``price`` per day). The förvaltning's
    monthly ``prognos`` counts (period key → count) win over the model's for the months they cover."""
    indicator_id = h.indicator_id
    months = h.months()
    counts = {int(k[5:7]): v for k, v in months.items() if k.startswith(f"{year}-")}
    analyst = {int(k[5:7]): v for k, v in prognos.items() if len(k) == 7 and int(k[5:7]) not in counts}
    result = fc.forecast_year(fc.monthly_series(months), year, lower=h.lower, upper=h.upper) if months else None
    model = {} if result is None or result.complete else {
        m: float(result.point[m - 1]) for m in range(1, 13) if not result.recorded[m - 1]}
    if analyst and all(m in analyst for m in model) and len(counts) + len(analyst) == 12:
        return placement_year(indicator_id, h.name, year, volume, price, counts, analyst, forecast_by=ANALYST,
                              is_demo=h.uses_demo(months))
    if not model:
        return placement_year(indicator_id, h.name, year, volume, price, counts, is_demo=h.uses_demo(months))
    if analyst:  # the förvaltning's months win; the model fills the rest (no model interval then)
        return placement_year(indicator_id, h.name, year, volume, price, counts, {**model, **analyst},
                              forecast_by=MIXED, model=result.model, is_demo=h.uses_demo(months))
    cost = result.outcome("sum", weights=fc.days_in_months(year) * price)
    return placement_year(indicator_id, h.name, year, volume, price, counts, model, cost_band=(cost.low, cost.high),
                          model=result.model, is_demo=h.uses_demo(months))
