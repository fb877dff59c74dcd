"""Checks of the command line's options against the store: an unknown indicator or unit id,
or a period that is none, is an error naming the option (with close matches), never an empty
or shorter result."""

from __future__ import annotations

import argparse
import difflib

from asn_dash.errors import AsnError

_TABLES = {"--indicator": ("indicators", "indikator"), "--unit": ("units", "enhet")}


class OptionError(AsnError):
    """An option value the store does not know."""


def known_ids(store, option: str, given: list[str] | None) -> None:
    """Raise ``OptionError`` for the first value of ``option`` (``--indicator`` or ``--unit``)
    that is not an id in the store."""
    if not given:
        return
    table, what = _TABLES[option]
    known = store.query(f"SELECT id FROM {table}")["id"].astype(str).tolist()
    for value in given:
        if value not in known:
            close = difflib.get_close_matches(value, known, n=3)
            hint = f"; menade du {' eller '.join(repr(c) for c in close)}?" if close else "."
            raise OptionError(f"okänd {what} '{value}' ({option}){hint}")


def export_filters(store, args: argparse.Namespace) -> None:
    """Refuse unknown ids and periods in the export's options, naming the option."""
    from asn_dash.rules.periods import parse_key

    periods = {}
    for option, value in (("--from", args.date_from), ("--to", args.date_to)):
        if value is None:
            continue
        try:
            periods[option] = parse_key(value.strip())
        except ValueError:
            raise OptionError(f"{option} '{value}' är ingen period; skriv t.ex. 2025-01 (månad), 2025-T1 eller "
                              f"2025.") from None
    if len(periods) == 2 and periods["--from"].start > periods["--to"].end:
        raise OptionError(f"--from {args.date_from} ligger efter --to {args.date_to}.")
    known_ids(store, "--indicator", args.indicator)
    known_ids(store, "--unit", args.unit)
