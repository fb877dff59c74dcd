"""Command line: the handlers of ``backup`` and ``restore`` (the logic is
:mod:`asn_dash.store.backup`; the options are in :mod:`asn_dash.cli`, whose parser imports no
command module), and the one-line message for a store found damaged in the middle of any command."""

from __future__ import annotations

import argparse
import sys


def _cmd_backup(args: argparse.Namespace) -> int:
    from asn_dash.store.backup import make_backup
    from asn_dash.store.store import db_path

    output, sums = make_backup(db_path(args.db), args.output, wait=args.wait)
    rows = sum(s.rows for s in sums)
    print(f"Skrev säkerhetskopian {output} ({len(sums)} tabeller, {rows} rader, kontrollsummor sparade i kopian).")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from asn_dash.store.backup import restore
    from asn_dash.store.store import db_path

    path = db_path(args.db)
    version, replaced = restore(args.file, path)
    kept = f" Det tidigare datalagret finns kvar som {replaced}." if replaced else ""
    print(f"Återställde {path} från {args.file} (schemaversion {version}, kontrollsummorna stämde).{kept}")
    return 0


def run(args: argparse.Namespace) -> int:
    """The handler of ``backup`` and ``restore`` (their options are in asn_dash.cli)."""
    return _cmd_backup(args) if args.command == "backup" else _cmd_restore(args)


def damaged_store(exc: BaseException, args: argparse.Namespace) -> int | None:
    """A DuckDB error that says the store file is damaged, printed as one Swedish line (exit 1);
    None for any other error, which the caller re-raises."""
    from asn_dash.store.store import damage, db_path

    known = damage(exc, db_path(getattr(args, "db", None)))
    if known is None:
        return None
    print(f"Fel: {known.sv}", file=sys.stderr)
    return 1
