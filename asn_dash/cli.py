"""Command line: ``python -m asn_dash <command>``.

Exit codes: 0 done, 2 rejected input (nothing written), 1 anything else.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from asn_dash.errors import AsnError

EXIT_OK, EXIT_ERROR, EXIT_REJECTED = 0, 1, 2


def _cmd_init(args: argparse.Namespace) -> int:
    from asn_dash.outputs import check_output
    from asn_dash.store.setup import build_store, open_store
    from asn_dash.store.store import db_path

    path = db_path(args.db)
    check_output(path, path, allow={"store", "duckdb"})  # the store, never the users file, data/ or the source
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
    from asn_dash.catalogue import load_catalogue
    from asn_dash.store.seed import read_seed_files

    cat = load_catalogue(args.catalogue)
    print(f"Katalogen är giltig: {len(cat.indicators)} indikatorer, {len(cat.units)} enheter, "
          f"planår {', '.join(str(p.year) for p in sorted(cat.plans, key=lambda p: p.year))}.")
    files = read_seed_files(cat, args.seed)
    print("Seedfilerna är giltiga: " + ", ".join(f"{name} {n} rader" for name, n in files.counts().items()) + ".")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from asn_dash.demo import generate_rows, render_csv
    from asn_dash.outputs import write_output
    from asn_dash.store.seed_csv import SEED_DIR

    out = Path(args.out) if args.out else SEED_DIR / "demo.csv"
    rows = generate_rows()
    # whole or not at all; of the product's own files only data/seed/demo.csv may be replaced
    write_output(out, render_csv(rows).encode("utf-8"), allow={"demo"})
    print(f"Skrev {len(rows)} rader exempeldata till {out}.")
    return EXIT_OK


def _open_waiting(db: str | None, wait: float):
    """Open the store, waiting up to ``wait`` seconds for another process to release it."""
    from asn_dash.store.setup import open_store
    from asn_dash.store.store import StoreLockedError, db_path, while_locked

    try:
        return while_locked(lambda: open_store(db_path(db)), wait)
    except StoreLockedError as exc:
        raise StoreLockedError(exc.sv + f" (väntade {wait:.0f} s)", exc.en) from None


def _user(name: str | None):
    """The CLI works on the store file directly, so it acts with admin rights (asn_dash.auth)."""
    import getpass
    import os

    from asn_dash.auth import cli_user

    return cli_user(name or os.environ.get("ASN_USER") or getpass.getuser())


def _cmd_ingest(args: argparse.Namespace) -> int:
    import json

    from asn_dash.outputs import os_reason
    from asn_dash.store.store import StoreLockedError
    from asn_dash.uploads import ingest

    path = Path(args.file)
    result: dict = {"inserted": 0, "updated": 0, "unchanged": 0, "warnings": [], "errors": []}

    def report(code: int, lines: list[str]) -> int:
        if args.json:
            print(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            for line in lines:
                print(line, file=sys.stderr if code else sys.stdout)
        return code

    def refuse(code: int, message: str) -> int:
        result["errors"].append({"row": None, "column": None, "value": None, "message": message})
        return report(code, [f"Fel: {message}", "Inget har lästs in."])

    try:
        limit = ingest.max_bytes()
    except ingest.UploadConfigError as exc:
        return refuse(EXIT_ERROR, exc.sv)
    try:
        data = ingest.read_limited(str(path), limit)
    except ingest.UploadError as exc:
        return refuse(EXIT_REJECTED, exc.sv)
    except OSError as exc:
        return refuse(EXIT_REJECTED, f"{path}: filen kan inte läsas ({os_reason(exc)}).")
    try:
        store = _open_waiting(args.db, args.wait)
    except StoreLockedError as exc:
        result["errors"].append({"row": None, "column": None, "value": None, "message": exc.sv})
        return report(EXIT_ERROR, [f"Fel: {exc.sv}"])
    try:
        try:
            analysis = ingest.analyse(store, path.name, data, sheet=args.sheet, limit=limit)
        except ingest.UploadError as exc:
            return refuse(EXIT_REJECTED, exc.sv)
        result.update(analysis.summary())
        if analysis.sheet_read:
            result["sheet"] = analysis.sheet_read
        if not analysis.ok:
            return report(EXIT_REJECTED, _error_lines(analysis, path.name))
        warnings = _warning_lines(analysis, path.name)
        if warnings and not args.accept_warnings:
            return report(EXIT_REJECTED, warnings + [
                f"{analysis.warning_count} varningar. Kontrollera värdena och kör igen med --accept-warnings. "
                f"Inget har lästs in."])
        return report(EXIT_OK, _load(args, store, analysis, result))
    finally:
        store.close()


def _error_lines(analysis, name: str) -> list[str]:
    """A refused upload's row errors (the first ones, and how many more) and the closing line."""
    lines = [e.text(name) for e in analysis.errors]
    if analysis.more_errors():
        lines.append(f"… och {analysis.more_errors()} fel till (visar de första {len(analysis.errors)}).")
    return lines + [f"{analysis.error_count} fel. Inget har lästs in."]


def _warning_lines(analysis, name: str) -> list[str]:
    """The first 200 warnings are listed, all are counted."""
    warnings = [f"Varning: {w.text(name)}" for w in analysis.warnings]
    if analysis.more_warnings():
        warnings.append(f"… och {analysis.more_warnings()} varningar till (visar de första {len(analysis.warnings)}).")
    return warnings


def _load(args: argparse.Namespace, store, analysis, result: dict) -> list[str]:
    """Commit a checked upload (or only report it with --dry-run); the lines to print."""
    from asn_dash.uploads import ingest

    c = analysis.counts()
    summary = f"{c['inserted']} nya, {c['updated']} ändrade, {c['unchanged']} oförändrade värden"
    if analysis.sheet_read:
        summary += f" (bladet '{analysis.sheet_read}')"
    result["totals"] = _total_lines(store, analysis)
    totals = [f"Summor: {line}" for line in result["totals"]]
    if args.dry_run:
        return totals + [f"Provkörning: {summary}. Inget har skrivits."]
    upload_id = ingest.commit(store, analysis, _user(args.user), accept_warnings=args.accept_warnings)
    result["upload_id"] = upload_id
    if c["inserted"] + c["updated"] == 0:
        return [f"Inget nytt att läsa in: alla {c['unchanged']} värden finns redan (loggad som uppladdning {upload_id})."]
    return totals + [f"Läste in uppladdning {upload_id}: {summary}."]


def _total_lines(store, analysis) -> list[str]:
    """Which administration totals the checked upload changes (asn_dash.uploads.totals)."""
    from asn_dash.store.queries import whole_administration
    from asn_dash.uploads.totals import effect_lines, total_effects

    return effect_lines(total_effects(analysis.cursor, whole_administration(store)))


def _cmd_export(args: argparse.Namespace) -> int:
    from asn_dash.cli_options import export_filters
    from asn_dash.outputs import check_output, write_output
    from asn_dash.uploads import export

    if args.format == "xlsx" and not args.output:
        print("Fel: ange -o FIL för xlsx.", file=sys.stderr)
        return EXIT_REJECTED
    if args.output:
        check_output(args.output, args.db)
    store = _open_waiting(args.db, args.wait)
    try:
        export_filters(store, args)
        frame = export.rows(store, args.indicator, args.unit, args.date_from, args.date_to)
    finally:
        store.close()
    data = export.to_csv(frame) if args.format == "csv" else export.to_xlsx(frame)
    if args.output:
        write_output(args.output, data, args.db)
        print(f"Skrev {len(frame)} värden till {args.output}.", file=sys.stderr)
        return EXIT_OK
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. '| head': the reader has gone; say nothing more
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    """The meeting material for a period: the indicator table (xlsx), the deck (pptx) or the
    report's indicator section (docx, pdf)."""
    from asn_dash import agendas
    from asn_dash.cli_options import known_ids
    from asn_dash.meeting import material as meeting
    from asn_dash.outputs import check_output, write_output
    from asn_dash.rules.periods import parse_key
    from asn_dash.rules.suppression import Policy, policy_from_env
    from asn_dash.store.queries import plan_years

    try:
        period = parse_key(args.period)
    except ValueError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    template = Path(args.template) if args.template else None
    wanted = {"pptx": ".pptx", "docx": ".docx", "pdf": ".docx"}.get(args.format)
    if template is not None and (wanted is None or template.suffix.lower() != wanted or not template.is_file()):
        print(f"Fel: mallen {template} kan inte användas: --format {args.format} tar "
              + (f"en {wanted}-fil som finns." if wanted else "ingen mall."), file=sys.stderr)
        return EXIT_REJECTED
    if template is not None:
        from asn_dash.meeting.template_check import check

        check(template, wanted)
    year = args.plan_year or period.year
    policy = Policy(args.suppress_max) if args.suppress_max is not None else policy_from_env()
    output = Path(args.output or f"{meeting.file_stem(period)}.{args.format}")
    check_output(output, args.db)
    store = _open_waiting(args.db, args.wait)
    try:
        if year not in plan_years(store):
            print(f"Fel: det finns ingen plan för {year}.", file=sys.stderr)
            return EXIT_REJECTED
        known_ids(store, "--indicator", args.indicator)
        order = agendas.load(store, args.agenda) if args.agenda else args.indicator
        material = meeting.build(store, year, period, order, policy, with_slides=args.format != "xlsx",
                                 font_size=20)
    finally:
        store.close()
    if args.format == "xlsx":
        from asn_dash.meeting.xlsx import to_xlsx

        data = to_xlsx(material)
        what = f"{len(material.rows)} indikatorer"
    elif args.format == "pptx":
        from asn_dash.meeting.pptx import to_pptx

        data = to_pptx(material, template=template)
        what = f"{len(material.slides) + 2} bilder"
    else:
        from asn_dash.meeting.docx import to_docx

        data = to_docx(material, template=template)
        what = f"{material.report_title}, {sum(s.figure is not None for s in material.slides)} diagram"
        if args.format == "pdf":
            from asn_dash.meeting.pdf import docx_to_pdf

            data = docx_to_pdf(data)
    write_output(output, data, args.db)
    masked = "; små tal maskerade" if material.masked_any else ""
    off = "; OBS: maskering avstängd (--suppress-max 0)" if not policy.active else ""
    print(f"Skrev {output} ({what}, {material.period.span_label()}{masked}{off}).", file=sys.stderr)
    return EXIT_OK


def _cmd_uploads(args: argparse.Namespace) -> int:
    from asn_dash.uploads import history as uploads

    store = _open_waiting(args.db, args.wait)
    try:
        if args.action == "list":
            frame = uploads.list_uploads(store)
            if frame.empty:
                print("Inga uppladdningar ännu.")
            for r in frame.itertuples(index=False):
                print(f"{r.id:>5}  {r.uploaded_at:%Y-%m-%d %H:%M}  {r.user_name:<16} {r.file_name:<30} "
                      f"nya {r.inserted}, ändrade {r.updated}, oförändrade {r.unchanged}  {r.status}")
            return EXIT_OK
        result = uploads.undo(store, args.id, _user(args.user))
        print(f"Ångrade uppladdning {args.id}: {result['removed']} värden borttagna, "
              f"{result['restored']} återställda.")
        return EXIT_OK
    finally:
        store.close()


def _cmd_kolada(args: argparse.Namespace) -> int:
    from asn_dash.kolada import client as kolada

    if args.action == "status":
        from asn_dash.kolada.comparison import fetched_at

        store = _open_waiting(args.db, args.wait)
        try:
            frame = kolada.status(store)
            fetched, error = fetched_at(store)
        finally:
            store.close()
        print(f"Kolada-data hämtad {(fetched or '—')[:16].replace('T', ' ').removesuffix(' 00:00')}."
              + (f" Senaste misslyckade hämtning: {error}" if error else ""))
        for r in frame.itertuples(index=False):
            print(f"{r.kpi}  {r.values:>7} värden  {r.municipalities:>3} kommuner  {r.first_year}–{r.last_year}"
                  f"  hämtad {r.fetched_at:%Y-%m-%d}  {r.title[:70]}")
        return EXIT_OK
    return _kolada_pull(args, kolada)


def _kolada_pull(args: argparse.Namespace, kolada) -> int:
    """Fetch everything first without holding the store, then store it in one short transaction:
    a slow or hostile Kolada never keeps uploads waiting."""
    from datetime import date

    from asn_dash.catalogue import load_catalogue

    is_tty = sys.stderr.isatty()

    def progress(url: str) -> None:
        if is_tty:
            print(f"\rHämtar från Kolada … {client.calls} anrop", end="", file=sys.stderr, flush=True)

    by = _user(None)
    client = kolada.Client.from_env(base=kolada.base_url(args.base_url), on_call=progress)
    try:
        kpis = list(args.kpi or [])
        if args.set == "kkik-ifo":
            members = kolada.kkik_members(client)
            meta = client.kpis(members)
            kpis += [k["id"] for k in meta if k.get("operating_area") in kolada.IFO_AREAS]
        if not kpis:
            kpis = [i.source for i in load_catalogue().indicators if i.kolada_kpi and not i.kolada_retired]
        kpis = sorted(set(kpis))
        last = args.date_to or date.today().year
        years = list(range(args.date_from or last - 9, last + 1))
        municipalities = None if args.all or not args.municipality else args.municipality
        pulled = kolada.fetch(client, by, kpis, municipalities, years)
    except kolada.KoladaError as exc:
        if is_tty:
            print(file=sys.stderr)
        store = _open_waiting(args.db, args.wait)
        try:
            kolada.remember_failure(store, exc.sv)  # the Jämförelser page says its data is older
        finally:
            store.close()
        print(f"Fel: {exc.sv} Lagrad Kolada-data är oförändrad.", file=sys.stderr)
        return EXIT_ERROR
    if is_tty:
        print(file=sys.stderr)
    store = _open_waiting(args.db, args.wait)
    try:
        result = kolada.save(store, by, pulled)
    finally:
        store.close()
    print(result.line())
    return EXIT_OK


def _cmd_users(args: argparse.Namespace) -> int:
    import getpass

    from asn_dash import auth
    from asn_dash.outputs import check_output

    path = Path(args.file) if args.file else auth.users_file()
    if args.action != "list":
        check_output(path, allow={"users"})
    if args.action == "list":
        for user, _ in auth.load_users(path).values() if path.exists() else []:
            print(f"{user.username:<20} {user.role:<11} {user.name}")
        return EXIT_OK
    if args.action == "update":
        stored = auth.update_user(path, args.username, args.name, args.role)
        print(f"Användaren {stored} är ändrad i {path}.")
        return EXIT_OK
    if args.action == "remove":
        stored = auth.remove_user(path, args.username)
        print(f"Användaren {stored} är borttagen ur {path}.")
        return EXIT_OK
    password = args.password or getpass.getpass("Lösenord (minst 10 tecken): ")
    auth.add_user(path, args.username, args.username if args.name is None else args.name, args.role, password)
    print(f"Användaren {args.username} ({args.role}) är sparad i {path}.")
    if path.resolve() == auth.users_file().resolve():  # the app's own users file: its store remembers
        from asn_dash import access

        warning = access.mark_from_command_line(args.db, args.wait, path)
        if warning:
            print(warning, file=sys.stderr)
    return EXIT_OK


def _cmd_forecast(args: argparse.Namespace) -> int:
    """Prognos helår: the backtest of the forecasts (``--backtest``) or the plan's forecasts for a period."""
    import json

    from asn_dash.cli_options import known_ids
    from asn_dash.rules.periods import parse_key
    from asn_dash.services import backtest, outlook

    if not args.backtest and not args.period:
        print("Fel: ange --backtest eller --period (t.ex. 2025-T2).", file=sys.stderr)
        return EXIT_REJECTED
    try:
        period = parse_key(args.period) if args.period else None
    except ValueError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    store = _open_waiting(args.db, args.wait)
    try:
        known_ids(store, "--indicator", args.indicator)
        if args.backtest:
            result = backtest.run(store, indicator_ids=args.indicator, include_demo=args.include_exempeldata)
        else:
            found = outlook.plan_outlooks(store, args.plan_year or period.year, period, args.indicator)
            result = [o.to_dict() for o in found.values()]
    finally:
        store.close()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    elif args.backtest:
        print(backtest.table(result))
    else:
        print("\n".join(f"{o['indicator']}: {o['sentence']}" for o in result) or "Inga prognoser för perioden.")
    return EXIT_OK


def _cmd_bench(args: argparse.Namespace) -> int:
    import json

    from asn_dash import bench

    result = bench.run(args.parts or None, rows=args.rows)
    print(bench.table(result))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return EXIT_OK


class _BenchPartsHelp(str):
    """The bench command's help, naming the parts only when help is shown: argparse formats a
    help text with ``%``, so importing the bench package (~30 ms) waits until then."""

    def __mod__(self, params) -> str:
        from asn_dash.bench import PARTS

        return f"{self}: {', '.join(PARTS)}"


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

    p = sub.add_parser("check", help="validate the catalogue files in data/catalogue and the seed files in data/seed")
    p.add_argument("--catalogue", help="catalogue folder (default: data/catalogue)")
    p.add_argument("--seed", help="seed folder (default: data/seed)")
    p.set_defaults(func=_cmd_check)

    def store_args(p):
        p.add_argument("--db", help="store file (default: $ASN_DB or data/asn.duckdb)")
        p.add_argument("--wait", type=float, default=15.0,
                       help="seconds to wait for another process to release the store (default 15)")

    p = sub.add_parser("ingest", help="load a monthly CSV/XLSX upload (all or nothing)")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="check and preview; write nothing")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--accept-warnings", action="store_true", help="load even though values look unusual")
    p.add_argument("--user", help="who uploads (default: $ASN_USER or the login name)")
    p.add_argument("--sheet", help="XLSX sheet name (default: the first)")
    store_args(p)
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser("export", help="export values in the upload format")
    p.add_argument("--indicator", nargs="+", help="indicator ids")
    p.add_argument("--unit", nargs="+", help="unit ids")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM")
    p.add_argument("--format", choices=["csv", "xlsx"], required=True)
    p.add_argument("-o", "--output", help="output file (csv: default standard output)")
    store_args(p)
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("report", help="meeting material for a period: indicator table (xlsx), deck (pptx) or "
                                      "the report's indicator section (docx, pdf)")
    p.add_argument("--period", required=True, help="e.g. 2025-T2, 2025-08, 2025")
    p.add_argument("--format", choices=["pptx", "xlsx", "docx", "pdf"], required=True)
    p.add_argument("-o", "--output", help="output file (default: e.g. ASN-tertialrapport-T2-2025.FORMAT)")
    p.add_argument("--template", help="the kommun's template: a .pptx for pptx, a .docx for docx and pdf")
    p.add_argument("--plan-year", type=int, help="plan year (default: the period's year)")
    p.add_argument("--agenda", help="a saved running order (dagordning) for the slides")
    p.add_argument("--indicator", nargs="+", help="indicator ids for the slides, in order")
    p.add_argument("--suppress-max", type=int, help="mask counts 1..N of sensitive indicators "
                   "(default: $ASN_SUPPRESS_MAX or 3; 0 = off, internal use only)")
    store_args(p)
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("uploads", help="list uploads or undo one")
    usub = p.add_subparsers(dest="action", required=True)
    pl = usub.add_parser("list", help="list uploads, newest first")
    store_args(pl)
    pu = usub.add_parser("undo", help="undo an upload, restoring exactly what was there before")
    pu.add_argument("id", type=int)
    pu.add_argument("--user")
    store_args(pu)
    p.set_defaults(func=_cmd_uploads)

    p = sub.add_parser("kolada", help="pull Kolada/KKiK values, or show what is stored")
    ksub = p.add_subparsers(dest="action", required=True)
    kp = ksub.add_parser("pull", help="fetch values (one transaction; old data kept on failure)")
    kp.add_argument("--kpi", nargs="+", help="KPI ids (default: the catalogue's Kolada KPIs)")
    kp.add_argument("--set", choices=["kkik-ifo"], help="the KKiK KPIs for IFO and labour market")
    kp.add_argument("--municipality", nargs="+", help="municipality ids (default: all)")
    kp.add_argument("--all", action="store_true", help="all municipalities (default)")
    kp.add_argument("--from", dest="date_from", type=int, metavar="YEAR")
    kp.add_argument("--to", dest="date_to", type=int, metavar="YEAR")
    kp.add_argument("--base-url", help="API base (default: $KOLADA_BASE_URL or https://api.kolada.se/v3)")
    store_args(kp)
    ks = ksub.add_parser("status", help="what is stored, per KPI, and when it was fetched")
    store_args(ks)
    p.set_defaults(func=_cmd_kolada)

    p = sub.add_parser("users", help="local accounts (when OIDC is not configured)")
    usub2 = p.add_subparsers(dest="action", required=True)
    pa = usub2.add_parser("add", help="add or replace a user (bcrypt-hashed password)")
    pa.add_argument("username")
    pa.add_argument("--name")
    pa.add_argument("--role", choices=["läsare", "analytiker", "admin"], required=True)
    pa.add_argument("--password", help="default: asked for without echo")
    pa.add_argument("--file", help="users file (default: $ASN_USERS or .streamlit/users.toml)")
    store_args(pa)  # the app's store is told that accounts are in use (no open demo mode from then on)
    pl2 = usub2.add_parser("list")
    pl2.add_argument("--file")
    pu2 = usub2.add_parser("update", help="change name or role, keeping the password")
    pu2.add_argument("username")
    pu2.add_argument("--name")
    pu2.add_argument("--role", choices=["läsare", "analytiker", "admin"])
    pu2.add_argument("--file")
    pr2 = usub2.add_parser("remove", help="remove a user (their open session ends on its next click)")
    pr2.add_argument("username")
    pr2.add_argument("--file")
    p.set_defaults(func=_cmd_users)

    p = sub.add_parser("forecast", help="Prognos helår: the backtest of the forecasts, or a period's forecasts")
    p.add_argument("--backtest", action="store_true", help="rolling-origin backtest (April and August of each "
                   "past year): MAPE and 80 %% interval coverage per indicator and overall, against the baselines")
    p.add_argument("--include-exempeldata", action="store_true", help="with --backtest: also score forecasts that "
                   "use exempeldata (left out by default; each case is counted as real or exempeldata)")
    p.add_argument("--period", help="the forecasts as of this period, e.g. 2025-T2 (without --backtest)")
    p.add_argument("--plan-year", type=int, help="plan year (default: the period's year)")
    p.add_argument("--indicator", nargs="+", help="only these indicator ids")
    p.add_argument("--json", action="store_true", help="print JSON")
    store_args(p)
    p.set_defaults(func=_cmd_forecast)

    p = sub.add_parser("bench", help="benchmarks (figures for the notes, not tests)")
    p.add_argument("parts", nargs="*", metavar="PART",
                   help=_BenchPartsHelp("which parts (default: all)"))
    p.add_argument("--rows", type=int, default=1_000_000, help="rows of the ingest benchmark's upload")
    p.set_defaults(func=_cmd_bench)

    p = sub.add_parser("demo", help="regenerate data/seed/demo.csv (deterministic)")
    p.add_argument("--out", help="output file (default: data/seed/demo.csv)")
    p.set_defaults(func=_cmd_demo)
    _backup_parsers(sub)
    return parser


def _backup_parsers(sub) -> None:
    """``backup`` and ``restore``; their handlers are asn_dash.cli_backup (imported when run)."""
    def run(args: argparse.Namespace) -> int:
        from asn_dash import cli_backup

        return cli_backup.run(args)

    p = sub.add_parser("backup", help="a consistent copy of the store (also while the app runs), with checksums")
    p.add_argument("-o", "--output", help="backup file (default: backups/<store>-<time>.duckdb beside the store)")
    p.add_argument("--db", help="store file (default: $ASN_DB or data/asn.duckdb)")
    p.add_argument("--wait", type=float, default=60.0, help="seconds to wait for another process to release the "
                                                            "store (default 60)")
    p.set_defaults(func=run)
    p = sub.add_parser("restore", help="replace the store by a checked backup (the old store is kept aside)")
    p.add_argument("file", help="a file made by 'backup'")
    p.add_argument("--db", help="store file (default: $ASN_DB or data/asn.duckdb)")
    p.set_defaults(func=run)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except AsnError as exc:
        from asn_dash.store.store import StoreDamagedError, StoreLockedError, StoreWriteError

        print(f"Fel: {exc.sv}", file=sys.stderr)
        if exc.en != exc.sv:
            print(f"Error: {exc.en}", file=sys.stderr)
        return EXIT_ERROR if isinstance(exc, (StoreLockedError, StoreWriteError, StoreDamagedError)) else EXIT_REJECTED
    except Exception as exc:  # a store found damaged mid-command is one line, not a traceback
        from asn_dash.cli_backup import damaged_store

        code = damaged_store(exc, args)
        if code is None:
            raise
        return code
