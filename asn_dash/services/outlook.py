"""Prognos helår read from the store: the forecastable indicators of a plan year, their histories
and the förvaltning's prognoses, turned into ``asn_dash.rules.outlook.Outlook``s; and an
indicator's track record, in words for the Indikator page."""

from __future__ import annotations

from datetime import date

from asn_dash.formatting import NBSP, format_number, format_value
from asn_dash.rules import backtest
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


def indicator_track_record(store: Store, indicator_id: str, year: int) -> backtest.TrackRecord | None:
    """The chosen method's record for one indicator on the years before ``year``."""
    h = forecast_inputs.load(store, [indicator_id], date(year - 1, 12, 31)).get(indicator_id)
    if h is None or h.frequency not in FORECAST_FREQUENCIES:
        return None
    return backtest.track_record(h.months(), h.aggregation, year, lower=h.lower, upper=h.upper,
                                 tertials=h.values if h.frequency == "tertial" else None)


def track_text(record: backtest.TrackRecord | None, unit: str) -> str:
    """"Träffsäkerhet: fel i snitt 3 %, 8 av 10 inom intervallet (prognoser från april och augusti
    2020–2024)."""
    if record is None:
        return "Träffsäkerhet: ingen tidigare helårsprognos att jämföra med (kräver ett helt år med ett år före)."
    if record.mape is not None:
        error = f"{format_number(record.mape, 0 if record.mape >= 1 else 1)}{NBSP}%"
    elif unit == "procent":
        error = f"{format_number(record.mae, 2)} procentenheter"
    else:
        error = format_value(record.mae, unit)
    years = (str(record.first_year) if record.first_year == record.last_year
             else f"{record.first_year}–{record.last_year}")
    origins = " och ".join(TERTIAL_ORIGINS if record.tertial else MONTHS_SV_LONG_ORIGINS)
    return (f"Träffsäkerhet: fel i snitt {error}, {record.inside} av {record.cases} inom intervallet "
            f"(prognoser från {origins} {years}).")


MONTHS_SV_LONG_ORIGINS = ("april", "augusti")  # backtest.ORIGINS as words
TERTIAL_ORIGINS = ("T1", "T2")
