"""`report`: write the report of an assessment as HTML, PDF, Markdown or CSV."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from readiness import history
from readiness.commands import add_db_option, add_platform_option
from readiness.errors import InvalidInput
from readiness.platform import load_platform
from readiness.reports.export import FORMATS
from readiness.reports.report import build_report
from readiness.store import database_url, open_store, session_scope


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "report", help="write an assessment's report (html, pdf, md, csv)",
        description="Write the report of an assessment: by default the latest of the production environment.")
    add_platform_option(parser)
    parser.add_argument("--env", help="environment (default: the production one)")
    parser.add_argument("--assessment", type=int, metavar="ID", help="assessment id (default: the latest)")
    parser.add_argument("--format", choices=list(FORMATS), help="report format (default: from the file suffix)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write; - for standard output")
    add_db_option(parser)
    parser.set_defaults(handler=run_report)


def _format_of(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    suffix = Path(args.output).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise InvalidInput(f"Give --format ({', '.join(FORMATS)}): it cannot be told from {args.output!r}.")


def run_report(args: argparse.Namespace) -> int:
    fmt = FORMATS[_format_of(args)]
    out = Path(args.output)
    if args.output != "-" and not out.parent.is_dir():
        raise InvalidInput(f"Cannot write {args.output}: the folder {out.parent} does not exist.")
    if args.output == "-" and fmt.name == "pdf" and sys.stdout.isatty():
        raise InvalidInput("A PDF is not for a terminal: give a file with -o.")
    platform = load_platform(args.platform)
    environment = platform.environment_name(args.env)
    engine = open_store(args.db)
    try:
        with session_scope(engine) as session:
            row = history.assessment_for(session, platform_name=platform.name, environment=environment,
                                         assessment_id=args.assessment)
            report = build_report(session, assessment_id=row.id)
    except SQLAlchemyError as exc:
        print(f"error: cannot read the store at {database_url(args.db).split('@')[-1]}: "
              f"{type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    data = fmt.render(report)
    if args.output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise InvalidInput(f"Cannot write {args.output}: {exc.strerror}.") from None
    print(f"Wrote the {fmt.label} report of assessment #{row.id} “{row.title}” ({row.status}, "
          f"{report.score.decision.outcome.value}) to {args.output} ({len(data):,} bytes).")
    return 0
