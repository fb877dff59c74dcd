"""The indicator catalogue: reviewed YAML files under ``data/catalogue/``, validated on load.

Three files, each with one job:

* ``units.yaml``       the units (enheter), their names and avdelning over time;
* ``indicators.yaml``  every indicator: name, unit, frequency, direction, aggregation, source;
* ``plans.yaml``       per plan year: målområden → nämndmål → indicators with their target rule,
                       and the area rule for the målområden's computed verdicts.

Any problem raises :class:`CatalogueError`, whose message names the file, the line, the
entry and the fix, in Swedish and English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from asn_dash import catalogue_files
from asn_dash.catalogue_files import FILES, CatalogueError, catalogue_dir, digest, file_bytes
from asn_dash.rules.periods import parse_key
from asn_dash.rules.targets import BASELINE, FIXED, SCALE_012, TOLERANCE, YES_NO, TargetRule, parse_target
from asn_dash.rules.verdicts import AREA_RULES, STANDARD

DEFAULT_DIR, ENV_VAR = catalogue_files.DEFAULT_DIR, catalogue_files.ENV_VAR  # named here by callers
KOLADA_ID = re.compile(r"^[NU]\d{5}$")
INDICATOR_ID = re.compile(r"^[a-z][a-z0-9_]*$|^[NU]\d{5}$")
UPLOAD = "uppladdning"

Unit = Literal["antal", "procent", "tkr", "kr", "dagar", "index", "ja/nej", "text"]
Frequency = Literal["månad", "tertial", "år", "status"]
Direction = Literal["lägre", "högre", "ingen"]
UnitAggregation = Literal["sum", "mean", "none"]
PeriodAggregation = Literal["sum", "mean", "last", "r12"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitVersion(_Model):
    name: str = Field(min_length=1)
    avdelning: str | None = None
    valid_from: str

    @field_validator("valid_from")
    @classmethod
    def _month_key(cls, v: str) -> str:
        if parse_key(v).kind != "månad":
            raise ValueError("valid_from måste vara en månad, ÅÅÅÅ-MM")
        return v


class UnitDef(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    whole_administration: bool = False
    history: list[UnitVersion] = Field(min_length=1)

    @field_validator("history")
    @classmethod
    def _ordered(cls, v: list[UnitVersion]) -> list[UnitVersion]:
        starts = [h.valid_from for h in v]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise ValueError("historiken måste stå i tidsordning utan dubbletter av valid_from")
        return v


class UnitsFile(_Model):
    units: list[UnitDef] = Field(min_length=1)


class IndicatorDef(_Model):
    id: str = Field(pattern=INDICATOR_ID.pattern)
    name: str = Field(min_length=1)
    description: str | None = None
    unit: Unit
    frequency: Frequency
    direction: Direction
    unit_aggregation: UnitAggregation
    period_aggregation: PeriodAggregation
    source: str
    kolada_retired: str | None = None  # why a named Kolada KPI cannot be fetched
    sensitive: bool = False
    allow_negative: bool = False  # a percentage that may be negative, e.g. a budget deviation
    budget_volume: dict[int, float] | None = None  # placements: budgeted count per month, by year
    budget_price_per_day: dict[int, float] | None = None

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        if v != UPLOAD and not KOLADA_ID.match(v):
            raise ValueError(
                f"source måste vara '{UPLOAD}' eller ett Kolada-id som N31814/U31402 (fick '{v}')"
            )
        return v

    @property
    def kolada_kpi(self) -> str | None:
        return None if self.source == UPLOAD else self.source


class PlanIndicator(_Model):
    id: str
    target: str | None = None
    note: str | None = None


class GoalDef(_Model):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    # A målområde may hold several strategiska/kommunövergripande mål (003's "I balans"); the
    # goal then names its own, which wins over the area's municipal_goal.
    municipal_goal: str | None = None
    indicators: list[PlanIndicator] = Field(default_factory=list)


class GoalAreaDef(_Model):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    municipal_goal: str | None = None
    goals: list[GoalDef] = Field(min_length=1)


class PlanDef(_Model):
    year: int = Field(ge=2000, le=2100)
    title: str
    source: str
    area_rule: str = STANDARD  # how a målområde's computed verdict follows from its indicators
    goal_areas: list[GoalAreaDef] = Field(min_length=1)

    @field_validator("area_rule")
    @classmethod
    def _area_rule(cls, v: str) -> str:
        if v not in AREA_RULES:
            raise ValueError(f"okänd områdesregel '{v}'; använd {', '.join(AREA_RULES)} "
                             f"(se docs/rules.md, 'How goals are assessed')")
        return v


class PlansFile(_Model):
    plans: list[PlanDef] = Field(min_length=1)


class IndicatorsFile(_Model):
    indicators: list[IndicatorDef] = Field(min_length=1)


@dataclass(frozen=True)
class Catalogue:
    units: list[UnitDef]
    indicators: list[IndicatorDef]
    plans: list[PlanDef]
    digest: str  # sha256 of the three files, to notice edits

    def indicator(self, indicator_id: str) -> IndicatorDef:
        return self.indicators_by_id[indicator_id]

    @property
    def indicators_by_id(self) -> dict[str, IndicatorDef]:
        return {i.id: i for i in self.indicators}

    @property
    def whole_administration_unit(self) -> str:
        return next(u.id for u in self.units if u.whole_administration)

    def target_rules(self) -> dict[tuple[int, str, str], TargetRule]:
        """(plan year, goal id, indicator id) → parsed target rule."""
        return {
            (p.year, g.id, pi.id): parse_target(pi.target)
            for p in self.plans
            for a in p.goal_areas
            for g in a.goals
            for pi in g.indicators
        }


# --- loading -------------------------------------------------------------------------


def _line_of(node: yaml.Node | None, loc: tuple) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location, as near as it gets."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            match = node.value[part]
        else:
            match = None
        if match is None:
            break
        node = match
        line = node.start_mark.line + 1
    return line


def _where(loc: tuple, data: object) -> str:
    """A readable path like ``indicators[3] (id: hushall_ekb).unit``."""
    parts, cur = [], data
    for part in loc:
        if isinstance(part, int):
            label = f"[{part + 1}]"
            if isinstance(cur, list) and part < len(cur) and isinstance(cur[part], dict) and "id" in cur[part]:
                label += f" (id: {cur[part]['id']})"
            parts.append(label)
            cur = cur[part] if isinstance(cur, list) and part < len(cur) else None
        else:
            parts.append(("." if parts else "") + str(part))
            cur = cur.get(part) if isinstance(cur, dict) else None
    return "".join(parts)


_FIX = (
    "Rätta filen och starta om / Fix the file and restart. "
    "Se kommentaren överst i filen för tillåtna värden."
)


def _fail(path: Path, line: int | None, where: str, reason: str) -> CatalogueError:
    at = f"{path}" + (f", rad {line}" if line else "")
    return CatalogueError(
        f"Katalogfilen {at}: {where}: {reason}. {_FIX}",
        f"Catalogue file {at}: {where}: {reason}.",
    )


# libyaml's parser (C) when PyYAML was built with it: ~9× faster than the pure-Python one, with
# the same documents and the same line marks (tests/test_setup.py compares them).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, loader: type | None = None) -> tuple[yaml.Node | None, object]:
    """The node tree (for line numbers) and the data of one YAML document, parsed once."""
    parser = (loader or _LOADER)(text)
    try:
        node = parser.get_single_node()
        return node, (parser.construct_document(node) if node is not None else None)
    finally:
        parser.dispose()


def _read(path: Path, text: str, model: type[_Model]):
    try:
        node, data = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise _fail(path, line, "YAML-syntax", f"{problem}") from None
    if not isinstance(data, dict):
        raise _fail(path, 1, "filen", "måste vara en YAML-mappning med en toppnyckel")
    try:
        return model.model_validate(data), node, data
    except ValidationError as exc:
        err = exc.errors()[0]
        reason = err["msg"].removeprefix("Value error, ")
        if err["type"] == "literal_error":
            reason = f"ogiltigt värde {err['input']!r}; {reason}"
        elif err["type"] == "missing":
            reason = "obligatoriskt fält saknas"
        elif err["type"] == "extra_forbidden":
            reason = "okänt fält (stavfel?)"
        more = f" (+{len(exc.errors()) - 1} fel till)" if len(exc.errors()) > 1 else ""
        raise _fail(path, _line_of(node, err["loc"]), _where(err["loc"], data), reason + more) from None


# (folder, digest of its files) → the validated catalogue: each version is parsed once per process
_LOADED: dict[tuple[Path, str], Catalogue] = {}


def load_catalogue(directory: Path | str | None = None) -> Catalogue:
    """Load and cross-check the three catalogue files; a version already loaded in this process
    (same folder, same bytes) is returned as it was, without parsing again."""
    directory = catalogue_dir(directory)
    contents = file_bytes(directory)
    key = (directory.resolve(), digest(contents))
    if key not in _LOADED:
        _LOADED[key] = _validate(directory, contents, key[1])
    return _LOADED[key]


def _validate(directory: Path, contents: dict[str, bytes], files_digest: str) -> Catalogue:
    paths = {name: directory / name for name in FILES}

    def read(name: str, model: type[_Model]):
        return _read(paths[name], contents[name].decode("utf-8"), model)

    units_file, units_node, units_data = read("units.yaml", UnitsFile)
    ind_file, ind_node, ind_data = read("indicators.yaml", IndicatorsFile)
    plans_file, plans_node, plans_data = read("plans.yaml", PlansFile)

    def fail(name: str, loc: tuple, data: object, node: yaml.Node, reason: str) -> CatalogueError:
        return _fail(paths[name], _line_of(node, loc), _where(loc, data), reason)

    _unique([u.id for u in units_file.units], "units.yaml", ("units",), units_data, units_node, fail)
    whole = [u.id for u in units_file.units if u.whole_administration]
    if len(whole) != 1:
        raise fail("units.yaml", ("units",), units_data, units_node,
                   "exakt en enhet ska ha whole_administration: true (hela förvaltningen)")

    _unique([i.id for i in ind_file.indicators], "indicators.yaml", ("indicators",), ind_data, ind_node, fail)
    for n, ind in enumerate(ind_file.indicators):
        loc = ("indicators", n)
        if ind.source != UPLOAD and ind.id != ind.source and KOLADA_ID.match(ind.id):
            raise fail("indicators.yaml", loc + ("id",), ind_data, ind_node,
                       f"ett id som ser ut som ett Kolada-id måste vara samma som source ({ind.source})")
        if (ind.frequency == "status") != (ind.unit == "text"):
            raise fail("indicators.yaml", loc + ("unit",), ind_data, ind_node,
                       "statusindikatorer (frequency: status) har unit: text, och bara de")
        if ind.unit == "ja/nej" and ind.unit_aggregation == "sum":
            raise fail("indicators.yaml", loc + ("unit_aggregation",), ind_data, ind_node,
                       "ja/nej-indikatorer kan inte summeras över enheter")

    known = {i.id: i for i in ind_file.indicators}
    years = [p.year for p in plans_file.plans]
    _unique(years, "plans.yaml", ("plans",), plans_data, plans_node, fail)
    for pn, plan in enumerate(plans_file.plans):
        _unique([a.id for a in plan.goal_areas], "plans.yaml", ("plans", pn, "goal_areas"),
                plans_data, plans_node, fail)
        _unique([g.id for a in plan.goal_areas for g in a.goals], "plans.yaml",
                ("plans", pn, "goal_areas"), plans_data, plans_node, fail)
        for an, area in enumerate(plan.goal_areas):
            for gn, goal in enumerate(area.goals):
                for xn, pi in enumerate(goal.indicators):
                    loc = ("plans", pn, "goal_areas", an, "goals", gn, "indicators", xn)
                    if pi.id not in known:
                        raise fail("plans.yaml", loc + ("id",), plans_data, plans_node,
                                   f"okänd indikator '{pi.id}'; lägg till den i indicators.yaml först")
                    try:
                        rule = parse_target(pi.target)
                    except ValueError as exc:
                        raise fail("plans.yaml", loc + ("target",), plans_data, plans_node, str(exc)) from None
                    problem = _rule_mismatch(rule, known[pi.id])
                    if problem:
                        raise fail("plans.yaml", loc + ("target",), plans_data, plans_node, problem)

    return Catalogue(units_file.units, ind_file.indicators, plans_file.plans, files_digest)


def _unique(ids: list, name: str, loc: tuple, data, node, fail) -> None:
    seen: set = set()
    for n, value in enumerate(ids):
        if value in seen:
            raise fail(name, loc + (n,), data, node, f"id/år '{value}' förekommer mer än en gång")
        seen.add(value)


def _rule_mismatch(rule: TargetRule, ind: IndicatorDef) -> str | None:
    """A target rule that contradicts its indicator is almost always a typing slip."""
    if rule.kind in (FIXED, BASELINE) and ind.direction != rule.direction:
        return (f"målregeln '{rule.text}' betyder att {rule.direction} är bättre, men indikatorn "
                f"'{ind.id}' har direction: {ind.direction}")
    if rule.kind == YES_NO and ind.unit != "ja/nej":
        return f"målregeln 'ja' kräver unit: ja/nej (indikatorn har {ind.unit})"
    if rule.kind == SCALE_012 and (ind.unit != "index" or ind.direction != "högre"):
        return (f"målregeln '{rule.text}' (skala 0–2) kräver unit: index och direction: högre "
                f"(indikatorn har unit: {ind.unit}, direction: {ind.direction}); ja/nej-enheten visar 1 som 'Ja'")
    if rule.kind == TOLERANCE and (ind.unit != "procent" or ind.direction != "högre"):
        return ("budgetregeln kräver en avvikelse i procent av budget (unit: procent, "
                "direction: högre, negativ = underskott)")
    if ind.unit == "text" and rule.kind not in ("manual", "none"):
        return "en statusindikator kan bara ha målregeln 'manuell' eller 'ingen'"
    return None
