"""Fill a store: the catalogue tables from ``data/catalogue`` and the seed data from ``data/seed``.

Seed files (UTF-8 CSV, comma-separated, header row):

* ``published.csv``   real figures from the committee's reports, each with its document and table;
* ``demo.csv``        "exempeldata": generated demo history (``python -m asn_dash demo``), used
                      only where no published figure exists for the same indicator, unit and period;
* ``verdicts.csv``    the reports' official verdicts and bedömning texts per målområde, nämndmål
                      and indicator (read by :mod:`asn_dash.store.verdict_seed`);
* ``assessments.csv`` the units' own colours per målområde the reports published ("Andelen
                      enheter som når sina mål"); both go to the table ``verdicts``;
* ``comments.csv``    dated comments quoted from the reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from asn_dash.catalogue_files import catalogue_digest
from asn_dash.rules.periods import parse_key
from asn_dash.sources import DEMO, PUBLISHED
from asn_dash.store.kolada_snapshot import load_snapshot
from asn_dash.store.seed_csv import COLOURS, SEED_DIR, SeedRow, _bad, read_seed_csv
from asn_dash.store.store import UTFALL, VALUE_KINDS, add_keys, transaction, write_values

if TYPE_CHECKING:
    from asn_dash.catalogue import Catalogue


def load_catalogue() -> Catalogue:
    """The validated catalogue, imported on first need: its models cost ~0.2 s of a command's
    start-up, and a store in step with the files (:func:`sync_catalogue_if_changed`) needs none."""
    from asn_dash.catalogue import load_catalogue as load

    return load()


def _number(path: Path, row: SeedRow, column: str) -> float | None:
    text = row.data.get(column, "")
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise _bad(path, row, column, "inte ett tal (använd punkt som decimaltecken i seedfiler)") from None


# --- catalogue ----------------------------------------------------------------------------


def sync_catalogue(con: duckdb.DuckDBPyConnection, cat: Catalogue) -> None:
    """Replace the catalogue tables with the catalogue's content, in one transaction."""
    tables = ["indicators", "indicator_budgets", "units", "unit_history", "plan_years",
              "goal_areas", "goals", "plan_indicators"]
    with transaction(con):
        for table in tables:
            con.execute(f"DELETE FROM {table}")
        for ind in cat.indicators:
            con.execute(
                "INSERT INTO indicators (id, name, description, unit, frequency, direction, unit_aggregation,"
                " period_aggregation, source, kolada_kpi, kolada_retired, sensitive, allow_negative)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [ind.id, ind.name, ind.description, ind.unit, ind.frequency, ind.direction,
                 ind.unit_aggregation, ind.period_aggregation, ind.source, ind.kolada_kpi,
                 ind.kolada_retired, ind.sensitive, ind.allow_negative],
            )
            years = set(ind.budget_volume or {}) | set(ind.budget_price_per_day or {})
            for year in sorted(years):
                con.execute(
                    "INSERT INTO indicator_budgets VALUES (?,?,?,?)",
                    [ind.id, year, (ind.budget_volume or {}).get(year),
                     (ind.budget_price_per_day or {}).get(year)],
                )
        for unit in cat.units:
            con.execute("INSERT INTO units VALUES (?, ?)", [unit.id, unit.whole_administration])
            starts = [parse_key(h.valid_from).start for h in unit.history]
            for n, h in enumerate(unit.history):
                valid_to = None
                if n + 1 < len(starts):
                    valid_to = starts[n + 1].fromordinal(starts[n + 1].toordinal() - 1)
                con.execute("INSERT INTO unit_history VALUES (?,?,?,?,?)",
                            [unit.id, h.name, h.avdelning, starts[n], valid_to])
        for plan in cat.plans:
            con.execute("INSERT INTO plan_years (year, title, source, area_rule) VALUES (?,?,?,?)",
                        [plan.year, plan.title, plan.source, plan.area_rule])
            rules = cat.target_rules()
            sort = 0
            for an, area in enumerate(plan.goal_areas):
                con.execute("INSERT INTO goal_areas VALUES (?,?,?,?,?)",
                            [plan.year, area.id, area.name, area.municipal_goal, an])
                for gn, goal in enumerate(area.goals):
                    con.execute("INSERT INTO goals VALUES (?,?,?,?,?)",
                                [plan.year, goal.id, area.id, goal.name, gn])
                    for pi in goal.indicators:
                        rule = rules[(plan.year, goal.id, pi.id)]
                        con.execute(
                            "INSERT INTO plan_indicators VALUES (?,?,?,?,?,?,?)",
                            [plan.year, goal.id, pi.id, rule.text, json.dumps(rule.to_dict()),
                             pi.note, sort],
                        )
                        sort += 1
        add_keys(con, "indicator_keys", [ind.id for ind in cat.indicators])
        add_keys(con, "unit_keys", [unit.id for unit in cat.units])
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('catalogue_digest', ?)", [cat.digest]
        )


def sync_catalogue_if_changed(con: duckdb.DuckDBPyConnection, cat: Catalogue | None = None) -> bool:
    stored = next(iter(con.execute("SELECT value FROM meta WHERE key = 'catalogue_digest'").fetchall()), None)
    # the files' hash first: a store in step with them needs no parse of the catalogue
    if stored and stored[0] == (cat.digest if cat else catalogue_digest()):
        return False
    sync_catalogue(con, cat or load_catalogue())
    return True


# --- values -------------------------------------------------------------------------------


def _observation_rows(path: Path, cat: Catalogue, source: str) -> list[list]:
    rows = read_seed_csv(path, ["indicator", "unit", "period", "value"])
    known_units = {u.id for u in cat.units}
    indicators = cat.indicators_by_id
    out, seen = [], {}
    for row in rows:
        d = row.data
        ind = indicators.get(d["indicator"])
        if ind is None:
            raise _bad(path, row, "indicator", "okänd indikator; lägg till den i data/catalogue/indicators.yaml")
        if d["unit"] not in known_units:
            raise _bad(path, row, "unit", "okänd enhet; se data/catalogue/units.yaml")
        try:
            period = parse_key(d["period"])
        except ValueError as exc:
            raise _bad(path, row, "period", str(exc).rstrip(".")) from None
        value = _number(path, row, "value")
        text_value = d.get("text_value") or None
        if value is None and text_value is None:
            raise _bad(path, row, "value", "varken value eller text_value är ifyllt")
        if ind.unit == "procent" and value is not None and not -100 <= value <= 100:
            raise _bad(path, row, "value", "en procentsats måste ligga mellan −100 och 100")
        kind = d.get("kind") or UTFALL
        if kind not in VALUE_KINDS:
            raise _bad(path, row, "kind", f"okänd värdetyp; använd {', '.join(VALUE_KINDS)} (tomt = {UTFALL})")
        if not 1900 <= period.year <= 2200:
            raise _bad(path, row, "period", "året ligger utanför 1900–2200")
        key = (ind.id, d["unit"], period.key, kind)
        if key in seen:
            raise _bad(path, row, "period",
                       f"samma indikator, enhet, period och värdetyp står redan på rad {seen[key]}")
        seen[key] = row.line
        ref = " · ".join(x for x in (d.get("source_doc"), d.get("source_table"), d.get("note")) if x)
        out.append([ind.id, d["unit"], period.key, kind, value, text_value, source, ref or None])
    return out


def _insert_observations(con: duckdb.DuckDBPyConnection, rows: list[list], skip_existing: bool) -> int:
    import pandas as pd  # here, not at import: opening a store (seed.sync_catalogue_if_changed) needs no pandas

    frame = pd.DataFrame(rows, columns=["indicator_id", "unit_id", "period", "value_kind", "value", "text_value",
                                        "source", "source_ref"])
    return write_values(con, frame, skip_existing=skip_existing)


def _assessment_rows(path: Path, cat: Catalogue) -> list[list]:
    rows = read_seed_csv(path, ["plan_year", "goal_area", "unit", "period", "colour", "source_doc"])
    areas = {(p.year, a.id) for p in cat.plans for a in p.goal_areas}
    units = {u.id for u in cat.units}
    out = []
    for row in rows:
        d = row.data
        year = int(_number(path, row, "plan_year") or 0)
        if (year, d["goal_area"]) not in areas:
            raise _bad(path, row, "goal_area", f"målområdet finns inte i planen för {year}")
        if d["unit"] not in units:
            raise _bad(path, row, "unit", "okänd enhet")
        if d["unit"] == cat.whole_administration_unit:
            raise _bad(path, row, "unit", "hela förvaltningens bedömning av ett målområde står i verdicts.csv")
        if d["colour"] not in COLOURS:
            raise _bad(path, row, "colour", "måste vara Grön, Gul eller Röd")
        try:
            period = parse_key(d["period"]).key
        except ValueError as exc:
            raise _bad(path, row, "period", str(exc).rstrip(".")) from None
        ref = " · ".join(x for x in (d["source_doc"], d.get("source_table")) if x)
        out.append([year, d["goal_area"], d["unit"], period, d["colour"], ref])
    return out


def _comment_rows(path: Path, cat: Catalogue) -> list[list]:
    rows = read_seed_csv(path, ["indicator", "period", "written_on", "author", "text", "source_doc"])
    out = []
    for row in rows:
        d = row.data
        if d["indicator"] not in cat.indicators_by_id:
            raise _bad(path, row, "indicator", "okänd indikator")
        try:
            period = parse_key(d["period"]).key
        except ValueError as exc:
            raise _bad(path, row, "period", str(exc).rstrip(".")) from None
        out.append([d["indicator"], d.get("unit") or None, period, d["author"], d["written_on"],
                    d["text"], d["source_doc"]])
    return out


@dataclass
class SeedFiles:
    """The seed files' rows, read and validated (``SeedError`` names file, line and column)."""

    published: list[list]
    demo: list[list]
    assessments: list[list]
    comments: list[list]
    verdicts: list

    def counts(self) -> dict[str, int]:
        return {"published.csv": len(self.published), "demo.csv": len(self.demo),
                "assessments.csv": len(self.assessments), "comments.csv": len(self.comments),
                "verdicts.csv": len(self.verdicts)}


def read_seed_files(cat: Catalogue, seed_dir: Path | None = None) -> SeedFiles:
    """Read and validate every seed file against the catalogue, without a store."""
    from asn_dash.store.verdict_seed import read_verdicts  # imports the catalogue's models: on first need

    seed_dir = Path(seed_dir) if seed_dir else SEED_DIR
    return SeedFiles(_observation_rows(seed_dir / "published.csv", cat, PUBLISHED),
                     _observation_rows(seed_dir / "demo.csv", cat, DEMO),
                     _assessment_rows(seed_dir / "assessments.csv", cat),
                     _comment_rows(seed_dir / "comments.csv", cat),
                     read_verdicts(seed_dir / "verdicts.csv", cat))


def seed_store(con: duckdb.DuckDBPyConnection, cat: Catalogue | None = None,
               seed_dir: Path | None = None) -> dict[str, int]:
    """Load the catalogue and all seed files into an empty, migrated store."""
    cat = cat or load_catalogue()
    sync_catalogue(con, cat)
    files = read_seed_files(cat, seed_dir)
    with transaction(con):
        counts = {
            "published": _insert_observations(con, files.published, skip_existing=False),
            "demo": _insert_observations(con, files.demo, skip_existing=True),
        }
        # the reports' official verdicts (asn_dash/rules/verdicts.py): the whole administration's, and
        # the units' own målområde colours ("Andelen enheter som når sina mål")
        con.executemany(
            "INSERT INTO verdicts (plan_year, level, target_id, period, colour, text, origin, source_ref)"
            " VALUES (?, ?, ?, ?, ?, ?, 'rapport', ?)",
            [[v.plan_year, v.level, v.target, v.period, v.colour, v.text,
              " · ".join(x for x in (v.source_doc, v.source_table) if x)] for v in files.verdicts])
        if files.assessments:
            con.executemany(
                "INSERT INTO verdicts (plan_year, level, target_id, unit_id, period, colour, origin, source_ref)"
                " VALUES (?, 'målområde', ?, ?, ?, ?, 'rapport', ?)", files.assessments)
        if files.comments:
            con.executemany(
                "INSERT INTO comments (indicator_id, unit_id, period, author, written_on, text, source)"
                " VALUES (?,?,?,?,?,?,?)", files.comments)
        counts["verdicts"] = len(files.verdicts)
        counts["assessments"] = len(files.assessments)
        counts["comments"] = len(files.comments)
        counts["kolada"] = load_snapshot(con)
    return counts
