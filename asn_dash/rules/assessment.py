"""Goal assessment: an indicator's period value against its target rule → Grön, Gul, Röd or —.

Pure functions, no Streamlit, no store. Every result carries a Swedish sentence with the
numbers that led to it, e.g. "389 jan–aug 2025 mot 374 samma period 2024, +4 %; målet är
minskning → Röd".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from asn_dash.formatting import format_number, format_value
from asn_dash.rules.aggregation import PeriodValue
from asn_dash.rules.periods import Period
from asn_dash.rules.targets import BASELINE, FIXED, HIGHER, MANUAL, NONE, QUARTILE, SCALE_012, TOLERANCE, YES_NO, TargetRule

GRON, GUL, ROD, NA = "Grön", "Gul", "Röd", "—"
COLOURS = (GRON, GUL, ROD)


@dataclass(frozen=True)
class Assessment:
    colour: str
    reason: str
    reference: float | None = None  # the value compared against (target, baseline, …)
    change_pct: float | None = None  # relative change against the reference, in %
    overridden: bool = False
    computed_colour: str | None = None  # before an analyst's override

    @property
    def assessed(self) -> bool:
        return self.colour in COLOURS


@dataclass(frozen=True)
class ManualStatus:
    colour: str
    text: str
    author: str
    decided_on: date


@dataclass(frozen=True)
class Rank:
    """Tyresö's place among municipalities for one KPI and year (1 = best)."""

    place: int
    of: int
    year: int

    @property
    def share(self) -> float:
        """0 for the best municipality, 1 for the worst."""
        return 0.0 if self.of <= 1 else (self.place - 1) / (self.of - 1)


def _pct(value: float) -> str:
    sign = "+" if value > 0 else ""
    return f"{sign}{format_number(value, 0 if abs(value) >= 1 or value == 0 else 1)}\u00a0%"


def _when(pv: PeriodValue) -> str:
    text = pv.as_of.span_label() if pv.as_of.kind != "år" else str(pv.as_of.year)
    return text


def _suffix(pv: PeriodValue) -> str:
    notes = []
    if pv.partial:
        notes.append(f"{pv.months_reported} av {pv.months_expected} månader rapporterade")
    if pv.is_fallback:
        notes.append(f"senaste utfall avser {pv.as_of.label()}")
    return f" ({'; '.join(notes)})" if notes else ""


def assess(rule: TargetRule, unit: str, current: PeriodValue | None, period: Period, *,
           baseline: PeriodValue | None = None, rank: Rank | None = None,
           manual: ManualStatus | None = None) -> Assessment:
    """Assess one indicator for one period. ``baseline`` is the value of the comparison
    period (BASELINE rules), ``rank`` Tyresö's place (QUARTILE), ``manual`` the analyst's
    status (MANUAL)."""
    if rule.kind == NONE:
        return Assessment(NA, "Ingen målnivå; indikatorn följs utan bedömning.")
    if rule.kind == MANUAL:
        if manual is None:
            return Assessment(NA, f"Förvaltningens bedömning för {period.label()} saknas ännu.")
        return Assessment(manual.colour, f"Bedömd av {manual.author} {manual.decided_on:%Y-%m-%d}: "
                                         f"{manual.text} → {manual.colour}")
    if rule.kind == QUARTILE:
        return _quartile(rank, current, unit)
    if current is None or current.value is None:
        return Assessment(NA, f"Inget utfall för {period.span_label()} ännu.")
    shown = format_value(current.value, unit)
    when = _when(current)
    if rule.kind == FIXED:
        return _fixed(rule, unit, current, shown, when)
    if rule.kind == BASELINE:
        return _baseline(rule, unit, current, baseline, shown, when)
    if rule.kind == TOLERANCE:
        limit = rule.value
        if current.value >= 0:
            colour, band = GRON, "inom budget"
        elif current.value > -limit:
            colour, band = GUL, f"underskott under {format_number(limit, 0)}\u00a0%"
        else:
            colour, band = ROD, f"underskott på {format_number(limit, 0)}\u00a0% eller mer"
        return Assessment(colour, f"Avvikelse {shown} av budget {when}{_suffix(current)}: {band} → {colour}",
                          reference=0.0)
    if rule.kind == YES_NO:
        yes = current.value >= 1
        colour = GRON if yes else ROD
        goal = "" if yes else "; målet är Ja"
        return Assessment(colour, f"{'Ja' if yes else 'Nej'} {when}{goal} → {colour}", reference=1.0)
    if rule.kind == SCALE_012:
        return _scale_012(rule, current, when)
    raise ValueError(f"unknown rule kind {rule.kind}")


SCALE_STEPS = {2: (GRON, "Ja"), 1: (GUL, None), 0: (ROD, "Nej")}


def _scale_012(rule: TargetRule, current: PeriodValue, when: str) -> Assessment:
    """Kolada's routine KPIs scored Ja = 2, Delvis = 1, Nej = 0 with the target 2 (003). 003 prints
    only the outcome and the target, no colour: 2 Grön, 1 Gul (part of the way), 0 Röd is our
    reading, the same as the Ja/Nej rule with a middle step."""
    step = round(current.value)
    if step not in SCALE_STEPS or step != current.value:
        return Assessment(NA, f"Värdet {format_number(current.value, 1)} {when} ligger inte på skalan "
                              "0, 1 eller 2 och kan inte bedömas.")
    colour, word = SCALE_STEPS[step]
    word = word or (rule.middle_label or "delvis").capitalize()
    goal = "" if step == 2 else "; målet är 2 (Ja)"
    return Assessment(colour, f"{word} ({step} av 2) {when}{goal} → {colour}", reference=2.0)


def _fixed(rule: TargetRule, unit: str, current: PeriodValue, shown: str, when: str) -> Assessment:
    v, target, yellow = current.value, rule.value, rule.yellow_limit
    higher = rule.direction == HIGHER
    word = "minst" if higher else "högst"
    if (v >= target) if higher else (v <= target):
        colour = GRON
    elif yellow is not None and ((v >= yellow) if higher else (v <= yellow)):
        colour = GUL
    else:
        colour = ROD
    band = f" (gul {'från' if higher else 'till'} {format_value(yellow, unit)})" if yellow is not None else ""
    return Assessment(
        colour,
        f"{shown} {when}{_suffix(current)} mot målnivån {word} {format_value(target, unit)}{band} → {colour}",
        reference=target,
        change_pct=None if target == 0 else (v - target) / abs(target) * 100,
    )


def _baseline(rule: TargetRule, unit: str, current: PeriodValue, baseline: PeriodValue | None,
              shown: str, when: str) -> Assessment:
    goal = "minskning" if rule.direction != HIGHER else ("bibehållet eller ökat värde" if rule.allow_equal else "ökning")
    if baseline is None or baseline.value is None:
        missing = baseline.period if baseline is not None else None
        what = f"för {missing.span_label()}" if missing else ""
        return Assessment(NA, f"{shown} {when}; jämförelsevärde {what} saknas, så målet "
                              f"({goal}) kan inte bedömas ännu.".replace("  ", " "))
    v, ref = current.value, baseline.value
    ref_when = _when(baseline)
    if ref == 0:
        change_pct, change = None, f"{'+' if v - ref > 0 else ''}{format_value(v - ref, unit)}"
    else:
        change_pct = (v - ref) / abs(ref) * 100
        change = _pct(change_pct)
    same = "samma period " if baseline.as_of.kind == current.as_of.kind and baseline.as_of.kind != "år" else ""
    ref_text = f"{format_value(ref, unit)} {same}{baseline.as_of.year if same else ref_when}"
    if v == ref:
        colour = GRON if rule.allow_equal else GUL
        change = "oförändrat"
    elif (v < ref) == (rule.direction != HIGHER):
        colour = GRON
    else:
        colour = ROD
    return Assessment(
        colour,
        f"{shown} {when}{_suffix(current)} mot {ref_text}{_suffix(baseline)}, {change}; målet är {goal} → {colour}",
        reference=ref, change_pct=change_pct,
    )


QUARTILE_BANDS = {GRON: "bland de 25 % bästa", GUL: "bland de 50 % mittersta", ROD: "bland de 25 % sämsta"}


def quartile_colour(rank: Rank | None) -> str:
    """KKiK colours: best 25 % Grön, middle 50 % Gul, worst 25 % Röd; no rank: —."""
    if rank is None:
        return NA
    if rank.share <= 0.25:
        return GRON
    return GUL if rank.share < 0.75 else ROD


def _quartile(rank: Rank | None, current: PeriodValue | None, unit: str) -> Assessment:
    if rank is None:
        return Assessment(NA, "Jämförelse med alla kommuner saknas (Kolada-värden för året är inte hämtade "
                              "eller inte publicerade).")
    colour = quartile_colour(rank)
    band = QUARTILE_BANDS[colour]
    shown = f"{format_value(current.value, unit)} " if current is not None and current.value is not None else ""
    return Assessment(colour, f"Tyresö {shown}{rank.year}: plats {rank.place} av {rank.of} kommuner, "
                              f"{band} → {colour}")


def apply_override(result: Assessment, colour: str, comment: str, author: str, decided_on: date) -> Assessment:
    """An analyst's colour replaces the computed one; the reason keeps both."""
    if colour not in COLOURS:
        raise ValueError(f"Ogiltig färg '{colour}': välj Grön, Gul eller Röd.")
    return replace(
        result,
        colour=colour,
        overridden=True,
        computed_colour=result.colour,
        reason=f"Ändrad till {colour} av {author} {decided_on:%Y-%m-%d}: {comment} "
               f"(beräknad bedömning: {result.colour}; {result.reason})",
    )


def rank_among(values: dict[str, float], municipality: str, direction: str, year: int) -> Rank | None:
    """Tyresö's competition rank (1 = best) among the municipalities that reported a value."""
    if municipality not in values:
        return None
    own = values[municipality]
    better = sum(1 for v in values.values() if (v > own if direction == HIGHER else v < own))
    return Rank(place=better + 1, of=len(values), year=year)


TREND_UP, TREND_DOWN, TREND_FLAT = "↑", "↓", "→"


@dataclass(frozen=True)
class Trend:
    arrow: str
    good: bool | None  # None: flat, or the indicator has no direction
    text: str


def trend(current: PeriodValue | None, previous: PeriodValue | None, direction: str,
          flat_pct: float = 1.0) -> Trend | None:
    """Direction of change against the same period last year, and whether that is good."""
    if current is None or previous is None or current.value is None or previous.value is None:
        return None
    diff = current.value - previous.value
    rel = abs(diff) / abs(previous.value) * 100 if previous.value else (0.0 if diff == 0 else 100.0)
    if rel < flat_pct:
        return Trend(TREND_FLAT, None, "oförändrat mot samma period förra året")
    up = diff > 0
    good = None if direction not in ("högre", "lägre") else (up == (direction == "högre"))
    verdict = "" if good is None else (" (bättre)" if good else " (sämre)")
    return Trend(TREND_UP if up else TREND_DOWN, good,
                 f"{'ökar' if up else 'minskar'} mot samma period förra året{verdict}")

