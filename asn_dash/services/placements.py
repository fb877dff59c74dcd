"""Placements against the budget assumption read from the store: the catalogue's budget, the
indicator's history and the förvaltning's prognos, made into 002's table by
``asn_dash.rules.placements``."""

from __future__ import annotations

import pandas as pd

from asn_dash.rules.periods import Period
from asn_dash.rules.placements import PlacementYear, placement_forecast
from asn_dash.services import forecast_inputs
from asn_dash.store import queries
from asn_dash.store.store import Store


def placement_outlook(store: Store, indicator_id: str, year: int, period: Period) -> PlacementYear | None:
    """The placement table of ``indicator_id`` for ``year`` as of ``period``'s end; None when the
    catalogue has no budget assumption (volume and price per day) for that year. The förvaltning's
    monthly prognos counts (value kind *prognos*) win over the model's for the months they cover."""
    budget = queries.budget(store, indicator_id, year)
    if budget is None or pd.isna(budget.volume_per_month) or pd.isna(budget.price_per_day):
        return None
    volume, price = float(budget.volume_per_month), float(budget.price_per_day)
    end = min(period.end, Period(year).end)
    h = forecast_inputs.load(store, [indicator_id], end)[indicator_id]
    prognos = forecast_inputs.prognoses(store, [indicator_id], year).get(indicator_id, {})
    return placement_forecast(h, year, volume, price, prognos)
