"""Official and computed verdicts: which one is the verdict, which one is "beräknad", and why
they differ. Pure Python; the store reads and writes are in :mod:`asn_dash.annotations`.

A verdict says whether a målområde, nämndmål or indicator is on track for a period:

* the **official** verdict comes from a published report or is set by an analytiker (author,
  date, motivation). Per plan year, level, target and period; rows are never deleted — the
  newest one supersedes the older ones, a withdrawn one stops counting;
* the **computed** verdict comes from the rules: an indicator's target rule
  (:mod:`asn_dash.rules.assessment`), and for a målområde or nämndmål the plan's *area rule*
  over its indicators' verdicts (:func:`area_verdict`).

The official one is shown as the verdict and the computed one beside it as "beräknad"; where they
differ, :func:`explain` says so, e.g. "Beräknad: Röd – 1 av 2 bedömda indikatorer röd, 1 grön;
förvaltningens bedömning: Grön – Målet förväntas uppfyllas under året …".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from asn_dash.rules.assessment import COLOURS, GRON, GUL, NA, ROD, Assessment
from asn_dash.rules.periods import Period, parse_key
from asn_dash.rules.targets import MANUAL, NONE

AREA, GOAL, INDICATOR = "målområde", "nämndmål", "indikator"
LEVELS = (AREA, GOAL, INDICATOR)
REPORT, ANALYST = "rapport", "analytiker"


@dataclass(frozen=True)
class OfficialVerdict:
    id: int
    plan_year: int
    level: str
    target: str
    period: str  # canonical period key
    colour: str | None  # Grön / Gul / Röd; None when only a text was given (the report's ●)
    text: str | None
    origin: str  # REPORT or ANALYST
    source: str | None = None  # REPORT: "document · table"
    author: str | None = None  # ANALYST: "Namn (användarnamn)"
    decided_on: date | None = None
    unit_id: str | None = None  # None: the whole administration
    withdrawn: bool = False

    @property
    def by(self) -> str:
        """Who gave it: the report ("004 Tertialrapport T2 2025") or "Namn (användarnamn) 2025-09-05"."""
        if self.origin == REPORT:
            return (self.source or "publicerad rapport").split(" · ")[0]
        return f"{self.author} {self.decided_on:%Y-%m-%d}" if self.decided_on else str(self.author)

    @property
    def summary(self) -> str:
        """The text's first sentence (at most ~160 characters), for a card or a table cell."""
        return first_sentence(self.text or "")


def first_sentence(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    match = re.search(r"(?<=[.!?])\s", text)
    sentence = text[:match.start()] if match else text
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit - 1]
    return (cut[:cut.rindex(" ")] if " " in cut[limit // 2:] else cut).rstrip(" ,;:–-") + " …"


def in_force(verdicts: Iterable[OfficialVerdict], period: Period, carry: Iterable[str] = (),
             unit_id: str | None = None) -> dict[tuple[str, str], OfficialVerdict]:
    """(level, target) → the official verdict in force for ``period``.

    ``verdicts`` come oldest first; the newest one that is not withdrawn wins. Verdicts are per
    period; only the indicators in ``carry`` (those the förvaltning assesses, rule 'manuell')
    keep their latest bedömning of the plan year until a newer period gets one."""
    carry = set(carry)
    out: dict[tuple[str, str], OfficialVerdict] = {}
    ends: dict[tuple[str, str], date] = {}
    for v in verdicts:
        if v.withdrawn or v.unit_id != unit_id:
            continue
        key = (v.level, v.target)
        if v.period == period.key:
            end = period.end
        elif v.level == INDICATOR and v.target in carry:
            p = parse_key(v.period)
            if p.year != period.year or p.end > period.end or p.rolling:
                continue
            end = p.end
        else:
            continue
        if key not in ends or end >= ends[key]:
            out[key], ends[key] = v, end
    return out


# --- computed verdicts of målområden and nämndmål -----------------------------------------------

STANDARD, MAJORITY, ALL_GREEN = "standard", "majority", "all_green"
AREA_RULES = {
    STANDARD: "Röd när fler indikatorer är röda än gröna; Grön när minst två tredjedelar är gröna och "
              "ingen är röd; annars Gul",
    MAJORITY: "den färg flest indikatorer har; vid lika antal den sämre färgen",
    ALL_GREEN: "Grön bara när alla bedömda indikatorer är gröna; Röd när någon är röd; annars Gul",
}

_WORDS = {GRON: ("grön", "gröna"), GUL: ("gul", "gula"), ROD: ("röd", "röda")}


@dataclass(frozen=True)
class Computed:
    colour: str
    reason: str

    @property
    def line(self) -> str:
        return f"Beräknad: {word(self.colour)} – {self.reason}"


def word(colour: str) -> str:
    """Grön / Gul / Röd, or "Ej bedömd" for —."""
    return colour if colour in COLOURS else "Ej bedömd"


def _tally(counts: dict[str, int], first: str, assessed: int) -> str:
    order = [first] + [c for c in (ROD, GUL, GRON) if c != first and counts[c]]
    parts = [f"{counts[c]} {_WORDS[c][counts[c] != 1]}" for c in order]
    parts[0] = f"{counts[first]} av {assessed} bedömda indikatorer {_WORDS[first][counts[first] != 1]}"
    return ", ".join(parts)


def area_verdict(colours: list[str], rule: str = STANDARD) -> Computed:
    """A målområde's or nämndmål's computed colour from its indicators' verdicts, with the reason."""
    if rule not in AREA_RULES:
        raise ValueError(f"okänd områdesregel '{rule}'")
    assessed = [c for c in colours if c in COLOURS]
    if not assessed:
        n = len(colours)
        return Computed(NA, f"ingen av {n} indikator{'er' if n != 1 else ''} är bedömd")
    counts = {c: assessed.count(c) for c in COLOURS}
    green, yellow, red = counts[GRON], counts[GUL], counts[ROD]
    if rule == STANDARD:
        if red > green:
            colour, why = ROD, "fler röda än gröna ger Röd"
        elif red == 0 and green * 3 >= len(assessed) * 2:
            colour, why = GRON, "minst två tredjedelar gröna och ingen röd ger Grön"
        else:
            colour = GUL
            why = ("röd hindrar Grön" if red else "färre än två tredjedelar gröna") + ", inte fler röda än gröna"
    elif rule == MAJORITY:
        most = max(counts.values())
        tied = [c for c in (ROD, GUL, GRON) if counts[c] == most]
        colour = tied[0]  # the worse of the tied colours
        why = "flest ger färgen" if len(tied) == 1 else "lika många; den sämre färgen gäller"
    else:
        if red:
            colour, why = ROD, "någon röd ger Röd"
        elif yellow:
            colour, why = GUL, "inte alla gröna ger Gul"
        else:
            colour, why = GRON, "alla gröna ger Grön"
    first = colour if counts[colour] else next(c for c in (ROD, GUL, GRON) if counts[c])
    return Computed(colour, f"{_tally(counts, first, len(assessed))}: {why}")


def area_colour(colours: list[str]) -> str:
    """A målområde's overall colour from its assessed indicators by the default area rule
    (Röd when more indicators are Röd than Grön; Grön when at least two thirds are Grön and none
    is Röd; otherwise Gul; no assessed indicator: —). The rules and their reasons:
    :func:`area_verdict`."""
    return area_verdict(colours).colour


def explain(official: OfficialVerdict | None, computed: Computed) -> str | None:
    """Why the official verdict and the computed one differ; None when they agree (or there is no
    official colour to differ from)."""
    if official is None or official.colour is None or official.colour == computed.colour:
        return None
    why = official.summary or f"enligt {official.by}"
    return f"{computed.line}; förvaltningens bedömning: {official.colour} – {why}"


# --- indicators -------------------------------------------------------------------------------

def apply(computed: Assessment, official: OfficialVerdict | None, manual: bool) -> Assessment:
    """The assessment shown for an indicator: the official colour where there is one (the computed
    one kept in ``computed_colour``), its motivation and, for rule-based indicators, the
    computed reason beside it."""
    if official is None or official.colour is None:
        return computed
    given = f"Förvaltningens bedömning ({official.by}): {official.text or official.colour}"
    ended = given if given.rstrip().endswith((".", "!", "?")) else f"{given}."
    reason = given if manual else f"{ended} Beräknad: {word(computed.colour)} – {computed.reason}"
    return replace(computed, colour=official.colour, overridden=True, computed_colour=computed.colour,
                   reason=reason)


NO_VALUE = "Saknar utfall"
NO_BEDOMNING = "Förvaltningens bedömning saknas"
NO_TARGET = "Ingen målnivå"
CAUSES = (NO_BEDOMNING, NO_VALUE, NO_TARGET)


def not_assessed_cause(rule_kind: str, colour: str) -> str | None:
    """Why an indicator has no colour: no target (rule 'ingen'), no bedömning yet (rule
    'manuell'), or no outcome to compare (no value, no comparison value, no ranking)."""
    if colour in COLOURS:
        return None
    if rule_kind == NONE:
        return NO_TARGET
    if rule_kind == MANUAL:
        return NO_BEDOMNING
    return NO_VALUE
