"""The förvaltning's economy per verksamhet for a plan year and period, as the reports print it.

Each report has its own layout (002: sector, VO 03 and VO 08 tables in 2019; 001: "Detaljer
underliggande verksamheter" 2020–2021; 000: budget 2024 per verksamhet; 004: förvaltnings-
övergripande and the two avdelningar from 2025). Nothing here lists verksamheter or figures:
the rows are the catalogue's tkr indicators that have a stored value for the year, grouped by
the printed table their values came from (the ``source_ref`` the seed wrote: "document · table ·
note"), in catalogue order with the printed sum rows last.

Every cell keeps its value kind: *utfall* for the period (e.g. ack. utfall jan–aug 2025, stored at
``2025-T2``), *budget* (for the period, or helår at the year), *prognos helår* (at the year) and
the deviation. A prognos is only ever read as a prognos: utfall comes from the ``utfall`` kind
alone. The deviation is the one the report prints (``budgetavvikelse_*``) where stored, else
computed (prognos − budget, or utfall − budget for a full year) and marked *beräknad*. Published
figures win over exempeldata: the store keeps one value per key with the published one kept
(``write_values(skip_existing=True)``), and a printed deviation wins over one computed from
exempeldata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from asn_dash.formatting import MISSING, format_number
from asn_dash.rules.periods import Period, from_code
from asn_dash.sources import BUDGET, DEMO, PROGNOS, SOURCE_LABELS, UTFALL

COMPUTED = "beräknad"
DEVIATION = "avvikelse"
TKR = "tkr"
_DEVIATION_PREFIX = "budgetavvikelse_"
_COST_PREFIX = "nettokostnad_"
# The administration's total (printed last) and its deviation, which predates the per-verksamhet naming.
_DEVIATION_ALIASES = {"nettokostnad_asn": "budgetavvikelse_tkr"}
_SUM_ROW = re.compile(r"\b(summa|totalt|resultat)\b", re.IGNORECASE)

# column ids, in the order the reports print them (004: period, then helår)
UTFALL_PERIOD, BUDGET_PERIOD, DEVIATION_PERIOD = "utfall", "budget_period", "avvikelse_period"
PROGNOS_YEAR, BUDGET_YEAR, DEVIATION_YEAR = "prognos", "budget", "avvikelse"
COLUMNS = (UTFALL_PERIOD, BUDGET_PERIOD, DEVIATION_PERIOD, PROGNOS_YEAR, BUDGET_YEAR, DEVIATION_YEAR)


@dataclass(frozen=True)
class Cell:
    """One printed figure: its value (tkr), what kind of figure it is, and where it came from."""

    value: float | None
    kind: str  # utfall, budget, prognos or avvikelse
    source: str | None = None  # publicerad, exempeldata, uppladdning, beräknad (None: missing)
    ref: str | None = None  # "document · table · note" for a stored value; the formula when computed
    demo: bool = False  # exempeldata, or computed from exempeldata

    @property
    def text(self) -> str:
        """``−11 607`` (tkr, sv-SE, halves up); a missing figure is ``—``."""
        return MISSING if self.value is None else format_number(self.value)

    @property
    def source_label(self) -> str:
        if self.source is None:
            return ""
        if self.source == COMPUTED:
            return "Beräknad" + (" av exempeldata" if self.demo else "")
        return SOURCE_LABELS.get(self.source, self.source)


@dataclass(frozen=True)
class Row:
    indicator_id: str
    name: str
    cells: dict[str, Cell]
    is_sum: bool  # a printed sum row (Summa AoS, Totalt sektorn, Resultat IFO …)


@dataclass(frozen=True)
class Section:
    """One printed table: the document and table that the values came from, and its rows."""

    document: str
    table: str
    rows: list[Row]
    columns: tuple[str, ...]  # the column ids with at least one figure
    tables: tuple[tuple[str, str], ...] = ()  # (document, table) of every figure in the section

    @property
    def title(self) -> str:
        """The printed table's name; 002's April and Helår tables, which a row spans, together."""
        return " / ".join(t for d, t in self.tables if d == self.document) or self.table

    @property
    def source_labels(self) -> str:
        """Where the section's figures come from, e.g. ``Publicerad rapport`` or
        ``Publicerad rapport, ⚠ Exempeldata``."""
        labels = sorted({r.cells[c].source_label for r in self.rows for c in self.columns if r.cells[c].source})
        return ", ".join(labels)

    @property
    def source_line(self) -> str:
        names = [t if d == self.document else f"{d}, {t}" for d, t in self.tables] or [self.table]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1]
        return f"Källa: {self.document}, {listed} (tkr)."


@dataclass(frozen=True)
class Economy:
    year: int
    period: Period | None  # the period the utfall column is for (None: no economy utfall yet)
    sections: list[Section] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        span = self.period.span_label() if self.period else ""
        return {
            UTFALL_PERIOD: f"Utfall {span}" if span else "Utfall",
            BUDGET_PERIOD: f"Budget {span}" if span else "Budget för perioden",
            DEVIATION_PERIOD: f"Avvikelse {span}" if span else "Avvikelse för perioden",
            PROGNOS_YEAR: "Prognos helår",
            BUDGET_YEAR: "Budget helår",
            DEVIATION_YEAR: "Avvikelse mot budget",
        }

    @property
    def is_empty(self) -> bool:
        return not self.sections

    @property
    def has_demo(self) -> bool:
        return any(c.demo for s in self.sections for r in s.rows for c in r.cells.values())

    def frame(self, section: Section) -> pd.DataFrame:
        """The section as text: Verksamhet | the shown columns | Källa."""
        heads = self.headers
        records = []
        for row in section.rows:
            record = {"Verksamhet": row.name}
            record.update({heads[c]: row.cells[c].text for c in section.columns})
            sources = sorted({row.cells[c].source_label for c in section.columns if row.cells[c].source})
            record["Källa"] = ", ".join(sources)
            records.append(record)
        return pd.DataFrame(records, columns=["Verksamhet", *(heads[c] for c in section.columns), "Källa"])


def _split_ref(ref: str | None) -> tuple[str, str, str]:
    """``"004 Tertialrapport T2 2025 · Ekonomisk tabell (tkr): summa AoS · budget helår"`` →
    (document, table, the part of the table name after its first colon)."""
    parts = (ref or "").split(" · ")
    document = parts[0] if parts and parts[0] else "Okänd källa"
    table = parts[1] if len(parts) > 1 else ""
    base, _, detail = table.partition(":")
    base = re.sub(r"\s*\(tkr\)\s*", " ", base).strip() or "Ekonomi"
    return document, base, detail.strip()


def _economy_period(values: pd.DataFrame, year: int, period: Period) -> Period | None:
    """The latest reported economy period (tertial or the year) that has ended by ``period``:
    the economy is reported per tertial, so a month shows the tertial before it."""
    costs = values[~values["indicator_id"].str.startswith(_DEVIATION_PREFIX)]
    reported = costs[costs["value_kind"].isin([UTFALL, BUDGET]) & (costs["period_code"] % 100 > 40)]
    codes = set(reported["period_code"])
    codes |= set(costs.loc[costs["value_kind"] == UTFALL, "period_code"])
    ended = [from_code(c) for c in codes if from_code(c).end <= period.end]
    return max(ended, key=lambda p: p.end) if ended else None


def _deviation_id(indicator_id: str) -> str:
    return _DEVIATION_ALIASES.get(indicator_id, _DEVIATION_PREFIX + indicator_id.removeprefix(_COST_PREFIX))


def economy(values: pd.DataFrame, year: int, period: Period, order: dict[str, int]) -> Economy:
    """The economy tables of ``year`` as of ``period`` from the year's stored tkr ``values`` (every
    kind; ``asn_dash.services.economy`` reads them): utfall (and budget) for the latest economy
    period ended by then, and the year's budget and prognos; rows in the catalogue's ``order``
    (indicator id → position)."""
    if values.empty:
        return Economy(year, None)
    at = _economy_period(values, year, period)
    lookup: dict[tuple[str, int, str], Cell] = {}
    for v in values.itertuples(index=False):
        kind = DEVIATION if v.indicator_id.startswith(_DEVIATION_PREFIX) else v.value_kind
        ref = v.source_ref if isinstance(v.source_ref, str) and v.source_ref else SOURCE_LABELS.get(v.source, v.source)
        lookup[(v.indicator_id, int(v.period_code), v.value_kind)] = Cell(
            float(v.value), kind, v.source, ref, v.source == DEMO)

    full_year = at is not None and at.kind == "år"
    year_code = Period(year).code

    def stored(indicator_id: str, code: int | None, kind: str, as_kind: str | None = None) -> Cell:
        cell = lookup.get((indicator_id, code, kind)) if code is not None else None
        if cell is None:
            return Cell(None, as_kind or kind)
        return Cell(cell.value, as_kind or kind, cell.source, cell.ref, cell.demo)

    def deviation(indicator_id: str, code: int | None, dev_kind: str, actual: Cell, budget: Cell) -> Cell:
        printed = stored(_deviation_id(indicator_id), code, dev_kind, DEVIATION)
        if printed.value is not None:
            return printed
        if actual.value is None or budget.value is None or _split_ref(actual.ref)[0] != _split_ref(budget.ref)[0]:
            return Cell(None, DEVIATION)  # never a deviation between two documents' figures
        formula = f"{actual.kind} − budget"
        return Cell(actual.value - budget.value, DEVIATION, COMPUTED, formula, actual.demo or budget.demo)

    costs = values[~values["indicator_id"].str.startswith(_DEVIATION_PREFIX)]
    sections: dict[tuple[str, str], dict] = {}
    for indicator_id, group in costs.groupby("indicator_id", sort=False):
        period_code = at.code if at is not None else None
        utfall = stored(indicator_id, period_code, UTFALL)
        budget_period = stored(indicator_id, period_code, BUDGET) if not full_year else Cell(None, BUDGET)
        prognos = stored(indicator_id, year_code, PROGNOS)
        budget_year = stored(indicator_id, year_code, BUDGET)
        cells = {
            UTFALL_PERIOD: utfall,
            BUDGET_PERIOD: budget_period,
            DEVIATION_PERIOD: (deviation(indicator_id, period_code, UTFALL, utfall, budget_period)
                               if not full_year else Cell(None, DEVIATION)),
            PROGNOS_YEAR: prognos,
            BUDGET_YEAR: budget_year,
            DEVIATION_YEAR: (deviation(indicator_id, year_code, UTFALL, utfall, budget_year) if full_year
                             else deviation(indicator_id, year_code, PROGNOS, prognos, budget_year)),
        }
        shown = [c for c in cells.values() if c.value is not None and c.kind != DEVIATION]
        if not shown:
            continue  # the year has values of this verksamhet, but none for this period
        first = group.iloc[0]
        refs = [c.ref for c in shown]
        document, table, _ = _split_ref(refs[0])
        details = [_split_ref(r)[2] for r in refs]
        description = str(first["description"] or "").split(":", 1)[-1].strip()
        is_sum = any(_SUM_ROW.search(d) for d in details) or description.lower().startswith("summa")
        section = sections.setdefault((document, table), {"rows": [], "tables": []})
        section["rows"].append(Row(indicator_id, str(first["name"]), cells, is_sum))
        for ref in refs:  # 002 prints april and helår as two tables; a row may draw on both
            doc, printed, _ = _split_ref(ref)
            if (doc, printed) not in section["tables"]:
                section["tables"].append((doc, printed))

    out = []
    for (document, table), section in sections.items():
        rows = sorted(section["rows"], key=lambda r: (r.is_sum, r.indicator_id in _DEVIATION_ALIASES,
                                                      order.get(r.indicator_id, len(order))))
        columns = tuple(c for c in COLUMNS if any(r.cells[c].value is not None for r in rows))
        out.append(Section(document, table, rows, columns, tuple(section["tables"])))
    out.sort(key=lambda s: min(order.get(r.indicator_id, len(order)) for r in s.rows))
    return Economy(year, at, out)
