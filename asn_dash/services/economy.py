"""The förvaltning's economy per verksamhet read from the store: the year's tkr values and the
catalogue's order, laid out as the reports print them by ``asn_dash.rules.economy``."""

from __future__ import annotations

import pandas as pd

from asn_dash.rules import economy as tables
from asn_dash.rules.economy import TKR, Economy
from asn_dash.rules.periods import Period
from asn_dash.store.store import Store


def _values(store: Store, year: int) -> pd.DataFrame:
    """Every stored tkr value of the year (the year itself and its tertials), all kinds."""
    return store.query(
        "SELECT o.indicator_id, o.period_code, o.value_kind, o.value, o.source, o.source_ref, i.name, i.description"
        " FROM observations_all o JOIN indicators i ON i.id = o.indicator_id"
        " JOIN units u ON u.id = o.unit_id AND u.whole_administration"
        " WHERE i.unit = ? AND o.value IS NOT NULL AND o.period_code // 100 = ?"
        " AND (o.period_code % 100 = 0 OR o.period_code % 100 > 40)",
        [TKR, year],
    )


def _order() -> dict[str, int]:
    from asn_dash.store.seed import load_catalogue  # the catalogue's order is the reports' order

    return {ind.id: n for n, ind in enumerate(load_catalogue().indicators)}


def economy(store: Store, year: int, period: Period) -> Economy:
    """The economy tables of ``year`` as of ``period``: utfall (and budget) for the latest economy
    period ended by then, and the year's budget and prognos."""
    values = _values(store, year)
    return tables.economy(values, year, period, {} if values.empty else _order())
