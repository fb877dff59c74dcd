"""Prognos helår for a plan's indicators: the view model of the forecast on Indikator, Översikt
and in the meeting material.

For each indicator of the plan that is reported per month or per tertial and has a target a
number can meet (fixed target, baseline year, budget band), the year's outcome is forecast from
the values stored up to the chosen period's end (``asn_dash.rules.forecast``) and compared with
the target: the probability that the rule gives Grön for the year, in words and a symbol. An
analyst's own prognos (value kind *prognos* for the plan year) is shown beside the model's and
decides the verdict when present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from asn_dash.formatting import NBSP, UNIT_SUFFIX, format_number, format_value
from asn_dash.rules import backtest, forecast_inputs
from asn_dash.rules import forecast as fc
from asn_dash.rules.aggregation import Obs, period_value
from asn_dash.rules.periods import Period, parse_key
from asn_dash.rules.targets import BASELINE, FIXED, TOLERANCE, TargetRule

FORECAST_RULES = (FIXED, BASELINE, TOLERANCE)
FORECAST_FREQUENCIES = ("månad", "tertial")
LIKELY, UNLIKELY = 2 / 3, 1 / 3  # "troligen" as the IPCC's "likely": at least two chances in three
DEMO_MARK = "⚠ Exempeldata"
UNVALIDATED = "Prognosen är inte validerad"

YES, NO, UNSURE = "nås troligen", "nås troligen inte", "är osäkert"
SYMBOLS = {YES: "✔", NO: "✖", UNSURE: "▲"}
SHORT = {YES: YES, NO: NO, UNSURE: "osäkert"}  # the marker's words


@dataclass(frozen=True)
class Outlook:
    """The forecast of one indicator's outcome for its plan year, and what it means for the goal."""

    indicator_id: str
    name: str
    unit: str
    year: int
    rule: TargetRule
    outcome: fc.Outcome | None  # the model's forecast of the year's outcome
    model: str | None  # e.g. "ETS AAdN", "drift"
    band: tuple[tuple[int, float, float, float], ...]  # forecast months: (month, value, low, high)
    last_point: tuple[int, float] | None  # the last recorded month of the year, where the band starts
    reference: float | None  # the baseline year's outcome (BASELINE rules)
    analyst: float | None  # the förvaltning's own prognos for the year
    is_demo: bool
    missing: str | None = None  # why there is no model forecast
    basis: str | None = None  # why this method, and whether the real record validates it
    validated: bool = False  # a record of at least two real years stands behind the method and band
    record: backtest.TrackRecord | None = None  # the real record behind the method (``track_text``)

    def numbers(self) -> list[float]:
        """Every number the sentence and the chart band show (for small-number masking)."""
        out = [] if self.outcome is None else [self.outcome.value, self.outcome.low, self.outcome.high]
        out += [v for _, *vals in self.band for v in vals]
        return out + ([self.analyst] if self.analyst is not None else [])

    @property
    def probability(self) -> float | None:
        """The model's probability that the rule gives Grön for the year."""
        return None if self.outcome is None else self.outcome.probability(self.rule, self.reference)

    @property
    def analyst_meets(self) -> bool | None:
        if self.analyst is None:
            return None
        met = fc.target_met([self.analyst], self.rule, self.reference)
        return None if met is None else bool(met[0])

    @property
    def verdict(self) -> str | None:
        """YES, NO or UNSURE: the analyst's prognos when there is one, else the model's."""
        if self.analyst_meets is not None:
            return YES if self.analyst_meets else NO
        p = self.probability
        if p is None:
            return None
        return YES if p >= LIKELY else (NO if p <= UNLIKELY else UNSURE)

    @property
    def marker(self) -> str:
        """Översikt's marker: "Prognos: ✔ nås troligen" (symbol and words, never colour alone)."""
        if self.verdict is None:
            return ""
        who = " (förvaltningen)" if self.analyst_meets is not None else ""
        demo = f" ({DEMO_MARK})" if self.is_demo else ""
        word = SHORT[self.verdict] if self.analyst_meets is None else ("nås" if self.analyst_meets else "nås inte")
        return f"Prognos{who}: {SYMBOLS[self.verdict]} {word}{demo}"

    def goal_text(self) -> str:
        """The target as the sentence names it: "minska jämfört med 2024: 376", "högst 4 %"."""
        if self.rule.kind == BASELINE:
            base_year = self.rule.baseline_year or self.year - 1
            text = self.rule.text.strip().replace("föregående år", str(base_year))
            return text if self.reference is None else f"{text}: {format_value(self.reference, self.unit)}"
        if self.rule.kind == TOLERANCE:
            return "inom budget"
        return re.sub(r"\s*\(gul [^)]*\)", "", self.rule.text.strip())  # the Gul band is not the goal

    def sentence(self) -> str:
        """"Prognos helår 2025: 381 (80 %: 372–390). Målet (minska jämfört med 2024: 376) nås
        troligen inte (sannolikhet ≈ 25 %)." — with the förvaltning's prognos first when there is one."""
        if self.outcome is None and self.analyst is None:
            return f"Prognos helår {self.year} saknas: {self.missing}." if self.missing else ""
        model = "" if self.outcome is None else (
            f"{shown(self.outcome.value, self.unit)} (80{NBSP}%: "
            f"{interval(self.outcome.low, self.outcome.high, self.unit)})")
        p = self.probability
        chance = "" if p is None else f"sannolikhet {probability_text(p)}"
        goal = self.goal_text()
        if self.analyst is not None:
            first = f"Förvaltningens prognos helår {self.year}: {format_value(self.analyst, self.unit)}"  # as entered
            first += f"; modellens: {model}." if model else "."
            if self.analyst_meets is None:
                return first
            verdict = "nås" if self.analyst_meets else "nås inte"
            model_chance = f" (modellens {chance})" if chance else ""
            return f"{first} Målet ({goal}) {verdict} enligt förvaltningens prognos{model_chance}."
        first = f"Prognos helår {self.year}: {model}."
        if self.verdict is None:
            return first
        return f"{first} Målet ({goal}) {self.verdict} ({chance})."

    def to_dict(self) -> dict:
        """Plain JSON for the command line."""
        o = self.outcome
        return {"indicator": self.indicator_id, "year": self.year, "target": self.rule.text,
                "value": None if o is None else round(o.value, 4), "low": None if o is None else round(o.low, 4),
                "high": None if o is None else round(o.high, 4), "reference": self.reference,
                "probability": None if self.probability is None else round(self.probability, 3),
                "verdict": self.verdict, "analyst": self.analyst, "model": self.model, "exempeldata": self.is_demo,
                "validated": self.validated, "basis": self.basis, "missing": self.missing, "sentence": self.sentence()}

    def notes(self) -> list[str]:
        """What the reader must know beside the sentence: exempeldata, the method."""
        out = []
        if self.is_demo:
            out.append(f"{DEMO_MARK}: prognosen bygger på påhittade demovärden, inte på verkliga utfall.")
        if self.model and not self.validated and self.basis:
            out.append(f"{UNVALIDATED}: {backtest.TOO_SHORT}; intervallet bygger på modellens antaganden.")
        if self.model:
            out.append(f"Metod: {method_text(self.model)}" + (f" ({self.basis})." if self.validated else "."))
        return out


# A forecast is shown with fewer decimals than a measured value: a second decimal would claim a
# precision the interval does not have.
FORECAST_DECIMALS = {"procent": 1, "index": 1, "dagar": 1}


def shown(value: float, unit: str) -> str:
    """A forecast number: ``381``, ``5,7 %``."""
    return format_number(value, FORECAST_DECIMALS.get(unit, 0)) + UNIT_SUFFIX.get(unit, "")


def interval(low: float, high: float, unit: str) -> str:
    """``372–390``, ``5,4–6,0 %``, ``−1,2 till 0,8 %``."""
    decimals = FORECAST_DECIMALS.get(unit, 0)
    sep = " till " if low < 0 else "–"
    return f"{format_number(low, decimals)}{sep}{format_number(high, decimals)}{UNIT_SUFFIX.get(unit, '')}"


def probability_text(p: float) -> str:
    """``≈ 25 %`` (to the nearest 5 %), ``under 5 %``, ``över 95 %``."""
    if p < 0.05:
        return f"under 5{NBSP}%"
    if p > 0.95:
        return f"över 95{NBSP}%"
    return f"≈{NBSP}{int(5 * round(p * 20))}{NBSP}%"


def method_text(model: str) -> str:
    if model.startswith("ETS"):
        return f"exponentiell utjämning ({model})"
    return fc.METHOD_LABELS.get(model, model)


def track_text(record: backtest.TrackRecord | None, unit: str) -> str:
    """"Träffsäkerhet på egna verkliga värden: fel i snitt 3 %, 8 av 10 inom intervallet
    (prognoser från april och augusti 2020–2024, …). Metod: …" — or, with too short a real
    history, that the forecast is not validated. Every claim names its basis."""
    if record is None or not record.validated:
        demo = (f" ({record.demo_excluded} tidigare prognostillfällen med exempeldata räknas inte)"
                if record is not None and record.demo_excluded else "")
        return (f"Träffsäkerhet: {backtest.TOO_SHORT}{demo}. Prognosen är inte validerad: den bygger på "
                "modellens antaganden, inte på en uppmätt träffsäkerhet.")
    if record.mape is not None:
        error = f"{format_number(record.mape, 0 if record.mape >= 1 else 1)}{NBSP}%"
    elif unit == "procent":
        error = f"{format_number(record.mae, 2)} procentenheter"
    else:
        error = format_value(record.mae, unit)
    years = (str(record.first_year) if record.first_year == record.last_year
             else f"{record.first_year}–{record.last_year}")
    origins = " och ".join(TERTIAL_ORIGINS if record.tertial else MONTHS_SV_LONG_ORIGINS)
    method = "" if record.tertial else f" Metod enligt träffsäkerheten: {method_name(record.method)} ({record.reason})."
    return (f"Träffsäkerhet på egna verkliga värden: fel i snitt {error}, {record.inside} av {record.cases} inom "
            f"intervallet (prognoser från {origins} {years}; varje års metod och intervall bestämda av åren "
            f"före).{method}")


def method_name(method: str) -> str:
    """A method id (``forecast.ETS`` …) in words."""
    return fc.METHOD_LABELS.get(method, method)


MONTHS_SV_LONG_ORIGINS = ("april", "augusti")  # backtest.ORIGINS as words
TERTIAL_ORIGINS = ("T1", "T2")


def _baseline_value(h: forecast_inputs.History, rule: TargetRule, year: int) -> float | None:
    if rule.kind != BASELINE:
        return None
    base_year = rule.baseline_year if rule.baseline_year and rule.baseline_year < year else year - 1
    obs = {k: Obs(v, None, "x") for k, v in h.values.items()}
    pv = period_value(obs, Period(base_year), h.aggregation, h.frequency)
    return None if pv is None or pv.value is None else pv.value


def analyst_year(prognos: dict[str, float] | None, h: forecast_inputs.History, year: int,
                 period: Period) -> float | None:
    """The förvaltning's prognos of the year's outcome: its prognos for the year, else — for a
    monthly indicator — the recorded months with its monthly prognos for every other month,
    aggregated as the rule will; None when it has not given one."""
    if not prognos:
        return None
    if str(year) in prognos:
        return prognos[str(year)]
    if h.frequency != "månad":
        return None
    recorded = h.months(f"{period.year}-{period.last_month:02d}")
    months = [recorded.get(f"{year}-{m:02d}", prognos.get(f"{year}-{m:02d}")) for m in range(1, 13)]
    if any(v is None for v in months):
        return None
    return float(fc.aggregate(np.array([months], dtype=float), h.aggregation)[0])


def outlook_for(h: forecast_inputs.History, rule: TargetRule, year: int, period: Period,
                prognos: dict[str, float] | None = None) -> Outlook | None:
    """The outlook of one indicator from its history, as of ``period``'s end, with the förvaltning's
    own ``prognos`` values for the year (period key → value) if any. None when the year is over
    (its outcome is known and assessed as it is)."""
    reference = _baseline_value(h, rule, year)
    last_month = f"{period.year}-{period.last_month:02d}"
    base = dict(indicator_id=h.indicator_id, name=h.name, unit=h.unit, year=year, rule=rule, reference=reference,
                analyst=analyst_year(prognos, h, year, period))
    if h.frequency == "tertial":
        keys = {k: v for k, v in h.values.items() if parse_key(k).end <= period.end}
        if str(year) in keys:
            return None
        outcome = fc.tertial_outcome(keys, year, lower=h.lower, upper=h.upper)
        missing = None if outcome is not None else (
            "inget tertialvärde för året ännu" if not any(k.startswith(f"{year}-T") for k in keys)
            else "för kort historik (minst två tidigare år med tertial och helår behövs)")
        record = backtest.track_record({}, h.aggregation, year, lower=h.lower, upper=h.upper, demo=h.demo,
                                       tertials={k: v for k, v in h.values.items() if k < str(year)})
        return Outlook(**base, outcome=outcome, model=fc.TERTIAL if outcome else None, band=(), last_point=None,
                       is_demo=h.uses_demo(keys), missing=missing, validated=record.validated, record=record,
                       basis=None if record.validated else f"ej validerad: {backtest.TOO_SHORT}")
    months = h.months(last_month)
    record = backtest.track_record(h.months(f"{year - 1}-12"), h.aggregation, year, lower=h.lower, upper=h.upper,
                                   demo=h.demo, unit=h.unit)  # the method and band its real record chooses
    result = fc.forecast_year(fc.monthly_series(months), year, method=record.method, lower=h.lower, upper=h.upper,
                              floor=fc.band_floor(h.unit), scale=record.scale)
    if result is None and record.method != fc.ETS:  # the chosen baseline needs more history than there is
        result = fc.forecast_year(fc.monthly_series(months), year, lower=h.lower, upper=h.upper,
                                  floor=fc.band_floor(h.unit))
    if result is not None and result.complete:
        return None
    if result is None:
        return Outlook(**base, outcome=None, model=None, band=(), last_point=None, is_demo=h.uses_demo(months),
                       missing=_why_not(months, year))
    recorded = [m + 1 for m in range(12) if result.recorded[m]]
    last_point = (recorded[-1], float(result.point[recorded[-1] - 1])) if recorded else None
    return Outlook(**base, outcome=result.outcome(h.aggregation), model=result.model,
                   band=tuple(result.months()), last_point=last_point, is_demo=h.uses_demo(months),
                   basis=method_basis(record, result.method), validated=record.validated, record=record)


def method_basis(record: backtest.TrackRecord, method: str) -> str:
    """Why the forecast uses ``method``, in words: the real record's choice, or unvalidated."""
    if not record.validated:
        return (f"ej validerad: {backtest.TOO_SHORT}; standardmetoden används och intervallet bygger på "
                "modellens antaganden")
    if method != record.method:
        return f"ej validerad: {method_name(record.method)} behöver längre historik"
    return (f"vald på egna verkliga värden, {record.reason}: fel i snitt "
            f"{'—' if record.mape is None else format_number(record.mape, 1) + NBSP + '%'} "
            f"i {record.cases} tidigare prognoser")


def _why_not(months: dict[str, float], year: int) -> str:
    if not months:
        return "inga månadsvärden"
    first, last = min(months), max(months)
    if last < f"{year - 1}-01":
        return f"senaste värdet är från {parse_key(last).label()}"
    if first > f"{year}-01":
        return f"värden finns först från {parse_key(first).label()}"
    return f"för kort historik ({len(months)} månader; minst {fc.MIN_MONTHS} behövs)"


def area_marker(outlooks: list[Outlook]) -> str:
    """A målområde's line: "Prognos helår: ✔ 2 nås troligen · ✖ 1 nås troligen inte"."""
    verdicts = [o.verdict for o in outlooks if o.verdict is not None]
    if not verdicts:
        return ""
    parts = [f"{SYMBOLS[v]} {verdicts.count(v)} {SHORT[v]}" for v in (YES, UNSURE, NO) if verdicts.count(v)]
    demo = f" ({DEMO_MARK})" if any(o.is_demo for o in outlooks if o.verdict is not None) else ""
    return "Prognos helår: " + " · ".join(parts) + demo


def basis_note(outlooks: list[Outlook]) -> str:
    """Översikt's line under the forecast markers: what their probabilities rest on."""
    shown = [o for o in outlooks if o.outcome is not None and o.verdict is not None]
    if not shown:
        return ""
    valid = sum(o.validated for o in shown)
    if valid == len(shown):
        return ("Prognos helår: metod och intervall för varje indikator är valda och kalibrerade på dess egna "
                "verkliga värden från tidigare år (träffsäkerheten visas på Indikator).")
    if valid == 0:
        return (f"Prognos helår: ingen av prognoserna är validerad – {backtest.TOO_SHORT}; sannolikheterna "
                "bygger på modellens antaganden.")
    return (f"Prognos helår: {valid} av {len(shown)} prognoser är validerade på egna verkliga värden; övriga har "
            f"{backtest.TOO_SHORT} och bygger på modellens antaganden (se Indikator).")


def area_markers(members: list[tuple[str, str]], outlooks: dict[str, Outlook]) -> dict[str, str]:
    """Målområde id → its line (``area_marker``), from (målområde id, indicator id) pairs."""
    by_area: dict[str, list[Outlook]] = {}
    for area_id, indicator_id in members:
        if indicator_id in outlooks:
            by_area.setdefault(area_id, []).append(outlooks[indicator_id])
    return {area_id: line for area_id, items in by_area.items() if (line := area_marker(items))}
