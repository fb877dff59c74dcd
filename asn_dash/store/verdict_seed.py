"""The reports' official verdicts (``data/seed/verdicts.csv``), read and checked against the catalogue.

One row per printed verdict: a målområde's, nämndmål's or indicator's colour and/or its
bedömning text for one period, as the report prints it (UTF-8, comma, header)::

    plan_year,level,target,period,colour,text,source_doc,source_table

``level`` is ``målområde``, ``nämndmål`` or ``indikator`` and ``target`` the id of that goal area,
goal or indicator in the plan of ``plan_year``; ``period`` a period key of the plan's year
(``2025-T2``, ``2021``, ``2021-03``); ``colour`` Grön/Gul/Röd, empty where the report gives only
text (e.g. ●, whose colour the text does not carry); ``text`` the judgement verbatim, empty where
only a colour is printed. Every error names file, row, column and reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from asn_dash.catalogue import Catalogue
from asn_dash.rules.periods import parse_key
from asn_dash.store.seed_csv import COLOURS, SEED_DIR, SeedRow, _bad, read_seed_csv

VERDICTS_FILE = SEED_DIR / "verdicts.csv"
COLUMNS = ["plan_year", "level", "target", "period", "colour", "text", "source_doc", "source_table"]
AREA, GOAL, INDICATOR = "målområde", "nämndmål", "indikator"
LEVELS = (AREA, GOAL, INDICATOR)


@dataclass(frozen=True)
class Verdict:
    plan_year: int
    level: str
    target: str
    period: str  # canonical period key
    colour: str | None  # Grön / Gul / Röd, None when the report prints only text
    text: str | None
    source_doc: str
    source_table: str | None
    line: int  # the row in the file (header = 1)


def _targets(cat: Catalogue) -> dict[tuple[int, str], set[str]]:
    """(plan year, level) → the ids a verdict may name."""
    out: dict[tuple[int, str], set[str]] = {}
    for plan in cat.plans:
        out[(plan.year, AREA)] = {a.id for a in plan.goal_areas}
        out[(plan.year, GOAL)] = {g.id for a in plan.goal_areas for g in a.goals}
        out[(plan.year, INDICATOR)] = {pi.id for a in plan.goal_areas for g in a.goals for pi in g.indicators}
    return out


def _verdict(path: Path, row: SeedRow, targets: dict[tuple[int, str], set[str]]) -> Verdict:
    d = row.data
    try:
        year = int(d["plan_year"])
    except ValueError:
        raise _bad(path, row, "plan_year", "inte ett årtal") from None
    if (year, AREA) not in targets:
        raise _bad(path, row, "plan_year", "det finns ingen plan för året i data/catalogue/plans.yaml")
    if d["level"] not in LEVELS:
        raise _bad(path, row, "level", "måste vara målområde, nämndmål eller indikator")
    if d["target"] not in targets[(year, d["level"])]:
        raise _bad(path, row, "target", f"{d['level']} finns inte i planen för {year}")
    try:
        period = parse_key(d["period"])
    except ValueError as exc:
        raise _bad(path, row, "period", str(exc).rstrip(".")) from None
    if period.year != year:
        raise _bad(path, row, "period", f"perioden ligger inte i planåret {year}")
    if d["colour"] and d["colour"] not in COLOURS:
        raise _bad(path, row, "colour", "måste vara Grön, Gul, Röd eller tom")
    if not d["colour"] and not d["text"]:
        raise _bad(path, row, "text", "varken färg eller text är ifylld")
    if not d["source_doc"]:
        raise _bad(path, row, "source_doc", "ange rapporten bedömningen kommer från")
    return Verdict(year, d["level"], d["target"], period.key, d["colour"] or None, d["text"] or None,
                   d["source_doc"], d["source_table"] or None, row.line)


def read_verdicts(path: Path | str, catalogue: Catalogue) -> list[Verdict]:
    """All verdicts of the file, in file order; :class:`SeedError` at the first bad row."""
    path = Path(path)
    targets = _targets(catalogue)
    out: list[Verdict] = []
    seen: dict[tuple, int] = {}
    for row in read_seed_csv(path, COLUMNS):
        verdict = _verdict(path, row, targets)
        key = (verdict.plan_year, verdict.level, verdict.target, verdict.period)
        if key in seen:
            raise _bad(path, row, "period", f"samma plan, nivå, mål och period står redan på rad {seen[key]}")
        seen[key] = row.line
        out.append(verdict)
    return out
