"""`data validate`: check a platform's portfolio exports (holdings, totals, history) and store the run."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from readiness.auth import Actor, Role
from readiness.commands import add_db_option, add_platform_option
from readiness.dataflow.schema import ExportError
from readiness.errors import InvalidInput
from readiness.platform import load_platform

MAX_LISTED = 20


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("data", help="portfolio data accuracy")
    inner = parser.add_subparsers(dest="data_command", required=True)
    validate = inner.add_parser("validate", help="validate positions, totals, transactions and valuation history "
                                                 "(exit 0 ran, 2 bad input)")
    add_platform_option(validate)
    validate.add_argument("--as-of", type=_date, help="the as-of date, YYYY-MM-DD (default: the latest in the "
                                                     "production positions)")
    validate.add_argument("--env", action="append", metavar="NAME",
                          help="only this environment (repeat for more; default: every one with data.s3)")
    validate.add_argument("--exports", metavar="DIR", help="read DIR/<environment>/ instead of each data.s3")
    validate.add_argument("--demo", action="store_true",
                          help="start the demo's simulated AWS in this process and read the exports from it")
    validate.add_argument("--endpoint-url", metavar="URL", help="read S3 from this emulator, e.g. the demo's")
    validate.add_argument("--json", action="store_true", help="print the findings JSON instead of the summary")
    validate.add_argument("--no-store", action="store_true", help="do not store the run")
    validate.add_argument("--as", dest="actor", default="cli user", help="name recorded in the audit trail")
    add_db_option(validate)
    validate.set_defaults(handler=run_validate)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-01-17") from None


def run_validate(args: argparse.Namespace) -> int:
    # Imported here: pandas and pyarrow would slow every other command's start.
    from readiness.dataflow.validate import gather_exports, on_simulation, store_run, validate_exports

    platform = load_platform(args.platform)
    if args.demo or args.endpoint_url:
        if args.demo and not platform.demo:
            raise InvalidInput(f"--demo simulates the AWS of a demo platform (demo: true); {platform.name} is not one")
        if args.demo:
            from readiness.commands.demo import use_simulated_credentials

            use_simulated_credentials()  # this process talks to the simulation only
        platform = on_simulation(platform, None if args.demo else args.endpoint_url)
    # The command line is run by people with shell access to the store: they act as admins.
    actor = Actor(name=args.actor, role=Role.ADMIN)
    try:
        inputs = gather_exports(platform, args.env, folder=args.exports)
        run = validate_exports(platform, inputs, args.as_of, progress=None if args.json else _progress)
    except ExportError as exc:
        print("The exports cannot be validated as given; nothing was stored:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    if not args.no_store:
        from readiness.store import open_store

        store_run(open_store(args.db), platform=platform, run=run, actor=actor)
    if args.json:
        print(json.dumps(run.contract(), indent=2))
        return 0
    _print_summary(run, inputs, stored=not args.no_store)
    return 0


def _progress(fraction: float, message: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{fraction:4.0%} {message[:70]:<70}", end="" if fraction < 1 else "\n", file=sys.stderr)


def _print_summary(run, inputs, *, stored: bool) -> None:
    from readiness.dataflow.views import as_of, portfolios_at_fault, summarise

    print(f"Data accuracy of {run.platform} on {as_of(run)}: run {run.id[:12]}"
          f"{' stored' if stored else ' (not stored)'}.")
    for name, exports in inputs.items():
        if exports.unreadable:
            print(f"  {name:<12} {exports.source}: could not read ({exports.unreadable})")
        else:
            rows = sum(f.rows for f in exports.files)
            print(f"  {name:<12} {exports.source}: {len(exports.files)} files, {rows:,} rows")
    print()
    for line in summarise(run):
        print(f"  {line.status.value.upper():<7} {line.where:<24} {line.title}: {line.message}")
    at_fault = portfolios_at_fault(run)
    if at_fault:
        print(f"\n{len(at_fault):,} portfolio finding(s):")
        for finding in at_fault[:MAX_LISTED]:
            print(f"  {finding.status.value.upper():<7} {finding.message}")
        if len(at_fault) > MAX_LISTED:
            print(f"  … and {len(at_fault) - MAX_LISTED:,} more (use --json for all)")
