"""Prognos helår read from the store: the forecastable indicators of a plan year, their histories
and the förvaltning's prognoses, turned into ``asn_dash.rules.outlook.Outlook``s (each carries
the real track record that chose its method; ``rules.outlook.track_text`` says it in words)."""

from __future__ import annotations

from asn_dash.rules.outlook import FORECAST_FREQUENCIES, FORECAST_RULES, Outlook, outlook_for
from asn_dash.rules.periods import Period
from asn_dash.rules.targets import TargetRule, parse_target
from asn_dash.services import forecast_inputs
from asn_dash.store import queries
from asn_dash.store.store import Store


def _rules(store: Store, year: int) -> dict[str, TargetRule]:
    """Indicator → its target rule in ``year``'s plan (the first, if it is under two nämndmål)."""
    out: dict[str, TargetRule] = {}
    for r in queries.plan_structure(store, year).itertuples(index=False):
        if isinstance(r.indicator_id, str) and r.indicator_id not in out:
            out[r.indicator_id] = parse_target(r.target_text)
    return out


def _forecastable(store: Store, year: int) -> dict[str, TargetRule]:
    rules = {i: r for i, r in _rules(store, year).items() if r.kind in FORECAST_RULES}
    if not rules:
        return {}
    freq = store.query("SELECT id, frequency FROM indicators WHERE list_contains(?, id)", [list(rules)])
    ok = set(freq[freq["frequency"].isin(FORECAST_FREQUENCIES)]["id"])
    return {i: r for i, r in rules.items() if i in ok}


def plan_outlooks(store: Store, year: int, period: Period, indicator_ids: list[str] | None = None) -> dict[str, Outlook]:
    """Indicator id → outlook, for every forecastable indicator of ``year``'s plan (or of those
    among ``indicator_ids``), as of ``period`` (a period of the plan year). Empty once the year is
    over (December)."""
    if period.year != year or period.last_month == 12:
        return {}
    rules = _forecastable(store, year)
    if indicator_ids is not None:
        rules = {i: r for i, r in rules.items() if i in set(indicator_ids)}
    histories = forecast_inputs.load(store, list(rules), period.end)
    prognoses = forecast_inputs.prognoses(store, list(rules), year)
    out = {}
    for indicator_id, rule in rules.items():
        o = outlook_for(histories[indicator_id], rule, year, period, prognoses.get(indicator_id))
        if o is not None:
            out[indicator_id] = o
    return out
