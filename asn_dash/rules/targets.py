"""Target rules ("målnivå") as the plans write them, parsed into a small structure.

The catalogue states each indicator's target in the reports' own words, so a reviewer can
check it against the plan. Accepted forms (case-insensitive)::

    minst 60 %                       fixed target, higher is better
    minst 60 % (gul från 40 %)       ... Gul between 40 and 60, Röd below 40
    högst 4 %                        fixed target, lower is better
    högst 7 (gul till 9)             ... Gul above 7 up to 9, Röd above 9
    minska jämfört med 2023          relative to the same period of a named year
    öka jämfört med föregående år    relative to the same period of the previous year
    behålla eller öka jämfört med 2023
    inom budget (gul under 2 %)      tolerance band on a deviation in % of budget (negative =
                                     overrun): within budget Grön, overrun under 2 % Gul, else Röd
    ja                               Ja/Nej indicator, Ja (1) is the goal
    ja = 2 (delvis = 1, nej = 0)     a 0/1/2 scale with target 2, as 003 prints Kolada's routine
                                     KPIs "(Ja=2, Delvis= 1, Nej=0)"; the middle step keeps the
                                     report's label, e.g. "ja = 2 (nej, men genomfört uppföljning
                                     = 1, nej = 0)": 2 Grön, 1 Gul, 0 Röd
    kvartil                          Tyresö among all municipalities (KKiK: best 25 % Grön)
    manuell                          status set by an analyst
    ingen                            no target: shown, never coloured
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

FIXED = "fixed"
BASELINE = "baseline"
TOLERANCE = "tolerance"
YES_NO = "yes_no"
SCALE_012 = "scale_012"
QUARTILE = "quartile"
MANUAL = "manual"
NONE = "none"

HIGHER = "högre"
LOWER = "lägre"

_NUM = r"(-?\d+(?:[ \u00a0]\d{3})*(?:[.,]\d+)?)\s*%?"


@dataclass(frozen=True)
class TargetRule:
    kind: str
    text: str
    direction: str | None = None  # HIGHER or LOWER: which way is better
    value: float | None = None  # the fixed target, or the tolerance in percent
    yellow_limit: float | None = None  # fixed: the Gul/Röd boundary
    baseline_year: int | None = None  # None with BASELINE means "the previous year"
    allow_equal: bool = False  # "behålla eller öka": equal to the baseline is Grön
    middle_label: str | None = None  # SCALE_012: the report's word for 1 ("delvis")

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _num(text: str) -> float:
    return float(text.replace(" ", "").replace("\u00a0", "").replace(",", "."))


_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"^minst {_NUM}(?: \(gul från {_NUM}\))?$"), "min"),
    (re.compile(rf"^högst {_NUM}(?: \(gul till {_NUM}\))?$"), "max"),
    (re.compile(r"^(minska|öka|behålla eller öka) jämfört med (\d{4}|föregående år)$"), "baseline"),
    (re.compile(rf"^inom budget \(gul under {_NUM}\)$"), "budget"),
    (re.compile(r"^ja ?= ?2 \((.+?) ?= ?1, ?nej ?= ?0\)$"), "scale"),
]


def parse_target(text: str | None) -> TargetRule:
    """Parse a target rule; raise ``ValueError`` with a Swedish explanation if it cannot."""
    raw = "ingen" if text is None else str(text)
    norm = " ".join(raw.strip().lower().split())
    if norm in ("", "ingen", "—", "-"):
        return TargetRule(NONE, raw)
    if norm == "ja":
        return TargetRule(YES_NO, raw, direction=HIGHER, value=1.0)
    if norm == "kvartil":
        return TargetRule(QUARTILE, raw)
    if norm == "manuell":
        return TargetRule(MANUAL, raw)
    for pattern, form in _PATTERNS:
        m = pattern.match(norm)
        if not m:
            continue
        if form == "min":
            value = _num(m[1])
            yellow = _num(m[2]) if m[2] else None
            if yellow is not None and yellow > value:
                raise ValueError(f"Målregeln '{raw}': gul-gränsen måste vara lägre än målet.")
            return TargetRule(FIXED, raw, direction=HIGHER, value=value, yellow_limit=yellow)
        if form == "max":
            value = _num(m[1])
            yellow = _num(m[2]) if m[2] else None
            if yellow is not None and yellow < value:
                raise ValueError(f"Målregeln '{raw}': gul-gränsen måste vara högre än målet.")
            return TargetRule(FIXED, raw, direction=LOWER, value=value, yellow_limit=yellow)
        if form == "baseline":
            verb, year = m[1], m[2]
            return TargetRule(
                BASELINE,
                raw,
                direction=LOWER if verb == "minska" else HIGHER,
                baseline_year=None if year == "föregående år" else int(year),
                allow_equal=verb.startswith("behålla"),
            )
        if form == "budget":
            return TargetRule(TOLERANCE, raw, direction=HIGHER, value=_num(m[1]))
        if form == "scale":
            return TargetRule(SCALE_012, raw, direction=HIGHER, value=2.0, middle_label=m[1].strip())
    raise ValueError(
        f"Målregeln '{raw}' går inte att tolka. Skriv t.ex. 'minst 60 %', 'högst 4 %', "
        "'minska jämfört med 2023', 'öka jämfört med föregående år', "
        "'inom budget (gul under 2 %)', 'ja', 'ja = 2 (delvis = 1, nej = 0)', 'kvartil', 'manuell' "
        "eller 'ingen'."
    )
