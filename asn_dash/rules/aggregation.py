"""From stored values to the value of a reporting period, per the catalogue's aggregation.

A stored value for exactly the asked period (e.g. a published T2 figure) is used as it is.
Otherwise the months of the period are aggregated:

* ``sum``   the months added up (costs in tkr, counts of events);
* ``mean``  the average month (stock counts such as households or placements);
* ``last``  the last reported month (month-end values such as shares);
* ``r12``   the average of the 12 months up to the period's end (sjukfrånvaro), whatever the
  period's length, so T2 means the R12 at the end of August.

Indicators reported per tertial or per year (personalomsättning, Kolada KPIs) fall back to
the newest stored value that ends within the period's year (tertial) or in an earlier year
(yearly), and say which period that value is for.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn_dash.rules.periods import KIND_MONTH, Period, parse_key, rolling_12


@dataclass(frozen=True)
class Obs:
    value: float | None
    text: str | None
    source: str


@dataclass(frozen=True)
class PeriodValue:
    value: float | None
    text: str | None
    period: Period  # the period that was asked for
    as_of: Period  # the period the value actually describes (differs for fallbacks)
    months_reported: int
    months_expected: int
    sources: frozenset[str]

    @property
    def partial(self) -> bool:
        return self.months_reported < self.months_expected

    @property
    def is_demo(self) -> bool:
        return "exempeldata" in self.sources

    @property
    def is_fallback(self) -> bool:
        return self.as_of != self.period


def window(period: Period, period_aggregation: str) -> list[Period]:
    """The months whose values make up ``period``."""
    if period_aggregation == "r12":
        return rolling_12(period)
    return period.months()


def period_value(obs: dict[str, Obs], period: Period, period_aggregation: str,
                 frequency: str = "månad") -> PeriodValue | None:
    """The value of ``period`` from one series of observations (period key → Obs)."""
    exact = obs.get(period.key)
    # A month's own value is not its R12; for r12 indicators only a stored tertial or year
    # value (reported as R12) is taken as it is.
    if period_aggregation == "r12" and period.kind == KIND_MONTH:
        exact = None
    if exact is not None and (exact.value is not None or exact.text):
        return PeriodValue(exact.value, exact.text, period, period, 1, 1, frozenset({exact.source}))

    months = window(period, period_aggregation)
    found = [(m, obs[m.key]) for m in months if m.key in obs and obs[m.key].value is not None]
    if found and frequency not in ("status",):
        values = [o.value for _, o in found]
        how = period_aggregation
        if how == "sum":
            value = sum(values)
        elif how == "last":
            value = values[-1]
        else:  # mean, r12
            value = sum(values) / len(values)
        return PeriodValue(value, None, period, period, len(found), len(months),
                           frozenset(o.source for _, o in found))
    return _fallback(obs, period, frequency)


def _fallback(obs: dict[str, Obs], period: Period, frequency: str) -> PeriodValue | None:
    """Newest stored value ending by ``period``'s end, for indicators not reported monthly:
    same year for tertial and status indicators, an earlier year allowed for yearly ones."""
    if frequency == "månad":
        return None
    best: tuple[Period, Obs] | None = None
    for key, o in obs.items():
        if o.value is None and not o.text:
            continue
        p = parse_key(key)
        if p.end > period.end:
            continue
        same_year = p.year == period.year
        if not same_year and frequency != "år":
            continue
        if p.kind == KIND_MONTH and period.kind != KIND_MONTH and frequency != "status":
            continue  # months were aggregated above; a single month is not the period's value
        if best is None or (p.end, p.kind != KIND_MONTH) > (best[0].end, best[0].kind != KIND_MONTH):
            best = (p, o)
    if best is None:
        return None
    p, o = best
    return PeriodValue(o.value, o.text, period, p, 1, 1, frozenset({o.source}))
