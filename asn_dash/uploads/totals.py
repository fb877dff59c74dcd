"""Which administration totals an upload changes (the preview's "Summor" note).

Read on the checked upload (the temporary table ``incoming`` of :mod:`asn_dash.uploads.ingest`)
before it is committed, by the roll-up rule of :mod:`asn_dash.rules.rollup`: for an additive
indicator, unit values change the administration's figure where no total is stored for that
period; where one is stored, it stays, and the units' new sum is compared with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from asn_dash.rules.periods import parse_key
from asn_dash.rules.rollup import ADDITIVE, TotalCheck, differing
from asn_dash.store.store import UTFALL, VALUE_KINDS

MAX_LINES = 20


@dataclass
class TotalEffect:
    """The effect of an upload on one additive indicator's administration figure."""

    indicator_id: str
    name: str
    unit: str
    summed: list[str] = field(default_factory=list)  # periods whose sum of units changes the figure
    checks: list[TotalCheck] = field(default_factory=list)  # periods with a stored total that stays

    def sentences(self) -> list[str]:
        out = []
        if self.summed:
            periods = ", ".join(parse_key(p).label() for p in self.summed[:6])
            more = f" och {len(self.summed) - 6} till" if len(self.summed) > 6 else ""
            out.append(f"{self.name}: förvaltningens värde är summan av enheterna och ändras för {periods}{more}.")
        flagged = differing(self.checks)
        if self.checks and not flagged:
            out.append(f"{self.name}: den lagrade totalen ändras inte; enheterna summerar till den.")
        for check in flagged[:6]:
            out.append(f"{self.name}: den lagrade totalen ändras inte – {check.sentence(self.unit)}; "
                       "skillnaden visas på Indikator.")
        if len(flagged) > 6:
            out.append(f"{self.name}: ytterligare {len(flagged) - 6} perioder där enheterna inte summerar till totalen.")
        return out


# the upload's changed utfall of additive indicators, and their periods without an administration row
_CHANGED = f"""
            SELECT i.indicator_id, i.period, i.unit_id, i.value
            FROM incoming i JOIN indicators d ON d.id = i.indicator_id AND d.unit_aggregation = ?
            WHERE i.status <> 'oförändrad' AND i.kind = {VALUE_KINDS[UTFALL]}"""
_TOUCHED = "SELECT indicator_id, period FROM changed GROUP BY ALL HAVING NOT bool_or(unit_id = ?)"


def total_effects(cur, admin_unit: str) -> list[TotalEffect]:
    """Per additive indicator with changed unit rows (utfall), what happens to the administration's
    figure; indicators whose upload sets the administration's own value for a period are not
    listed for that period (the upload is the total)."""
    # An upload that sets the administration's row wherever it changes a unit's changes no total: a
    # short query says so (~10 ms of the command line's start-up less than the whole one below).
    if not cur.execute(f"WITH changed AS ({_CHANGED}) {_TOUCHED} LIMIT 1", [ADDITIVE, admin_unit]).fetchall():
        return []
    rows = cur.execute(
        f"""
        WITH changed AS ({_CHANGED}),
        touched AS ({_TOUCHED}),
        new_units AS (  -- every unit's value after the upload: the upload's, else the stored one
            SELECT c.indicator_id, c.period, c.unit_id, c.value FROM changed c
            JOIN touched t USING (indicator_id, period)
            UNION ALL
            SELECT o.indicator_id, o.period, o.unit_id, o.value FROM observations o
            JOIN touched t USING (indicator_id, period)
            WHERE o.unit_id <> ?
              AND NOT EXISTS (SELECT 1 FROM changed c WHERE c.indicator_id = o.indicator_id
                              AND c.period = o.period AND c.unit_id = o.unit_id)
        )
        SELECT n.indicator_id, any_value(d.name) AS name, any_value(d.unit) AS unit, n.period,
               any_value(a.value) AS stored, sum(n.value) AS units_sum, count(n.value) AS units,
               any_value(a.indicator_id) IS NOT NULL AS has_total
        FROM new_units n
        JOIN indicators d ON d.id = n.indicator_id
        LEFT JOIN observations a ON a.indicator_id = n.indicator_id AND a.period = n.period AND a.unit_id = ?
        GROUP BY n.indicator_id, n.period
        ORDER BY n.indicator_id, period_code(n.period)
        """,
        [ADDITIVE, admin_unit, admin_unit, admin_unit]).fetchall()
    effects: dict[str, TotalEffect] = {}
    for indicator_id, name, unit, period, stored, units_sum, units, has_total in rows:
        effect = effects.setdefault(indicator_id, TotalEffect(indicator_id, name, unit))
        if has_total and stored is not None and units_sum is not None:
            effect.checks.append(TotalCheck(indicator_id, period, float(stored), float(units_sum), int(units)))
        elif not has_total:
            effect.summed.append(period)
    return list(effects.values())


def effect_lines(effects: list[TotalEffect]) -> list[str]:
    """The preview's lines, at most ``MAX_LINES`` (the rest counted)."""
    lines = [s for e in effects for s in e.sentences()]
    if len(lines) > MAX_LINES:
        rest = len(lines) - MAX_LINES + 1
        lines = lines[:MAX_LINES - 1] + [f"… och {rest} rader till om summor."]
    return lines
