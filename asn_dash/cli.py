"""Command line: ``python -m asn_dash <command>``.

Exit codes: 0 done, 2 rejected input (nothing written), 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import AsnError

EXIT_OK, EXIT_ERROR, EXIT_REJECTED = 0, 1, 2


def _cmd_init(args: argparse.Namespace) -> int:
    from .seed import SEED_DIR  # noqa: F401  (documents where the data comes from)
    from .store import build_store, db_path, open_store

    path = db_path(args.db)
    build_store(path, force=args.force)
    store = open_store(path)
    try:
        counts = store.query(
            "SELECT source, count(*) AS n FROM observations GROUP BY source ORDER BY source"
        )
        summary = ", ".join(f"{r.source}: {r.n}" for r in counts.itertuples())
    finally:
        store.close()
    print(f"Skapade datalagret {path} ({summary}).")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from .catalogue import load_catalogue

    cat = load_catalogue(args.catalogue)
    print(f"Katalogen är giltig: {len(cat.indicators)} indikatorer, {len(cat.units)} enheter, "
          f"planår {', '.join(str(p.year) for p in sorted(cat.plans, key=lambda p: p.year))}.")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import write_demo_csv
    from .seed import SEED_DIR

    out = Path(args.out) if args.out else SEED_DIR / "demo.csv"
    n = write_demo_csv(out)
    print(f"Skrev {n} rader exempeldata till {out}.")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m asn_dash",
        description="asn-dash: indikatorer för arbetsmarknads- och socialnämnden i Tyresö. "
                    "Store path: --db, else $ASN_DB, else data/asn.duckdb.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="build a seeded store (catalogue, published figures, exempeldata)")
    p.add_argument("--db", help="store file (default: $ASN_DB or data/asn.duckdb)")
    p.add_argument("--force", action="store_true", help="replace an existing store")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser("check", help="validate the catalogue files in data/catalogue")
    p.add_argument("--catalogue", help="catalogue folder (default: data/catalogue)")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("demo", help="regenerate data/seed/demo.csv (deterministic)")
    p.add_argument("--out", help="output file (default: data/seed/demo.csv)")
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AsnError as exc:
        print(f"Fel: {exc.sv}", file=sys.stderr)
        if exc.en != exc.sv:
            print(f"Error: {exc.en}", file=sys.stderr)
        return EXIT_REJECTED
