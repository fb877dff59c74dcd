"""The forecast engine's inputs read from the store (``asn_dash.rules.forecast_inputs.History``):
the whole administration's values of each indicator, and the förvaltning's own prognoses."""

from __future__ import annotations

from datetime import date

from asn_dash.rules.forecast_inputs import History, bounds
from asn_dash.sources import DEMO
from asn_dash.store import queries
from asn_dash.store.store import Store

# The years before ``up_to``'s year that a view's forecast reads (the model, its track record,
# placements): enough for the seasonal ETS forms and a backtest of several years, and a bound, so
# an Översikt or Indikator view costs the same however many older years are stored.
HISTORY_YEARS = 10


def load(store: Store, indicator_ids: list[str], up_to: date, years: int | None = HISTORY_YEARS) -> dict[str, History]:
    """The histories of ``indicator_ids`` with the values that end by ``up_to``, from January
    ``years`` years before ``up_to``'s year (every stored value if ``years`` is None)."""
    if not indicator_ids:
        return {}
    meta = store.query(
        "SELECT id, name, unit, frequency, period_aggregation, coalesce(allow_negative, false) AS allow_negative"
        " FROM indicators WHERE list_contains(?, id)", [list(indicator_ids)]).set_index("id")
    series = queries.admin_series(store, list(meta.index), queries.whole_administration(store),
                                 [(None if years is None else date(up_to.year - years, 1, 1), up_to)])
    out = {}
    for indicator_id, m in meta.iterrows():
        obs = series.get(indicator_id, {})
        values = {k: o.value for k, o in obs.items() if o.value is not None and not k.endswith("-R12")}
        demo = frozenset(k for k, o in obs.items() if o.source == DEMO)
        lower, upper = bounds(m["unit"], bool(m["allow_negative"]))
        out[indicator_id] = History(indicator_id, m["name"], m["unit"], m["frequency"], m["period_aggregation"],
                                    lower, upper, values, demo)
    return out


def prognoses(store: Store, indicator_ids: list[str], year: int) -> dict[str, dict[str, float]]:
    """The förvaltning's own prognos for ``year`` (value kind *prognos*, the whole administration):
    per indicator, period key → value, for the year itself (``2025``) and for months (``2025-09``)."""
    if not indicator_ids:
        return {}
    frame = store.query(
        "SELECT indicator_id, period, value FROM observations_all WHERE value_kind = 'prognos' AND unit_id = ?"
        " AND list_contains(?, indicator_id) AND period_end BETWEEN ? AND ? AND value IS NOT NULL"
        " AND period_kind IN ('år', 'månad')",  # a range, not year(period_end): older years are skipped unread
        [queries.whole_administration(store), list(indicator_ids), date(year, 1, 1), date(year, 12, 31)])
    out: dict[str, dict[str, float]] = {}
    for r in frame.itertuples(index=False):
        out.setdefault(r.indicator_id, {})[r.period] = float(r.value)
    return out


def monthly_indicators(store: Store) -> list[str]:
    """The indicators reported per month, in catalogue order."""
    return store.query("SELECT id FROM indicators WHERE frequency = 'månad' ORDER BY rowid")["id"].tolist()


def tertial_indicators(store: Store) -> list[str]:
    """The indicators reported per tertial, in catalogue order."""
    return store.query("SELECT id FROM indicators WHERE frequency = 'tertial' ORDER BY rowid")["id"].tolist()
