"""Command line: ``backup`` and ``restore`` (the logic is :mod:`asn_dash.store.backup`), and the
one-line message for a store that turns out to be damaged in the middle of any command."""

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


def register(sub) -> None:
    """Add ``backup`` and ``restore`` to the command line's subparsers."""
    p = sub.add_parser("backup", help="a consistent copy of the store (also while the app runs), with checksums")
    p.add_argument("-o", "--output", help="backup file (default: backups/<store>-<time>.duckdb beside the store)")
    p.add_argument("--db", help="store file (default: $ASN_DB or data/asn.duckdb)")
    p.add_argument("--wait", type=float, default=60.0,
                   help="seconds to wait for another process to release the store (default 60)")
    p.set_defaults(func=_cmd_backup)

    p = sub.add_parser("restore", help="replace the store by a checked backup (the old store is kept aside)")
    p.add_argument("file", help="a file made by 'backup'")
    p.add_argument("--db", help="store file (default: $ASN_DB or data/asn.duckdb)")
    p.set_defaults(func=_cmd_restore)


def damaged_store(exc: BaseException, args: argparse.Namespace) -> int | None:
    """A DuckDB error that says the store file is damaged, printed as one Swedish line (exit 1);
    None for any other error, which the caller re-raises."""
    from asn_dash.store.store import damage, db_path

    known = damage(exc, db_path(getattr(args, "db", None)))
    if known is None:
        return None
    print(f"Fel: {known.sv}", file=sys.stderr)
    return 1
