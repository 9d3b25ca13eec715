"""`collect`: gather evidence from AWS for a platform, print the findings, store the run."""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections import Counter, defaultdict
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from readiness.auth import Actor, Role
from readiness.commands import add_db_option, add_platform_option
from readiness.errors import InvalidInput, ReadinessError
from readiness.evidence.model import EvidenceRun, Status
from readiness.evidence.runner import ProgressEvent
from readiness.evidence.service import collect_and_store
from readiness.evidence.session import ensure_runnable, resolve_platform_for_run
from readiness.platform import Platform, load_platform
from readiness.store.engine import database_url, open_store

COLUMNS = (Status.PASS, Status.FAIL, Status.WARN, Status.UNKNOWN, Status.ERROR, Status.NOT_APPLICABLE)
HEADINGS = ("pass", "fail", "warn", "unknown", "error", "n/a")
MOST_PROBLEMS_SHOWN = 20


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("collect", help="run the evidence checks against AWS and store the run "
                            "(exit 0 ran, 2 bad config)")
    add_platform_option(parser)
    parser.add_argument("--env", action="append", dest="environments", metavar="NAME",
                        help="environment to assess (repeat for several; default: all)")
    parser.add_argument("--check", action="append", dest="checks", metavar="ID",
                        help="run only this check (repeat for several; default: every check the checklist names)")
    parser.add_argument("--json", action="store_true", help="print the findings JSON instead of the summary")
    parser.add_argument("--no-store", action="store_true", help="do not store the run")
    parser.add_argument("--endpoint-url", metavar="URL",
                        help="send every AWS call to this emulator, e.g. the demo's simulated AWS")
    parser.add_argument("--workers", type=int, default=8, metavar="N", help="collectors running at once (default 8)")
    parser.add_argument("--demo", action="store_true",
                        help="start the demo's simulated AWS in this process, seed it and collect from it")
    add_db_option(parser)
    parser.set_defaults(handler=run_collect)


def run_collect(args: argparse.Namespace) -> int:
    platform = load_platform(args.platform)
    if args.demo:
        args.endpoint_url = _start_demo(platform, args.endpoint_url)
    ensure_runnable(resolve_platform_for_run(platform, args.endpoint_url))
    if args.workers < 1:
        raise ReadinessError("--workers must be at least 1")
    engine = None
    if not args.no_store:
        try:
            engine = open_store(args.db)
        except SQLAlchemyError as exc:
            raise ReadinessError(f"could not open the store at {database_url(args.db)}: {exc}") from None
    actor = Actor(name=_user(), role=Role.ADMIN)  # whoever runs the command line administers this store
    progress = ProgressLines(sys.stderr) if sys.stderr.isatty() else None
    run = collect_and_store(engine, platform, actor, environments=args.environments, checks=args.checks,
                            progress=progress, max_workers=args.workers, endpoint_url=args.endpoint_url)
    if args.json:
        print(json.dumps(run.contract(), indent=2))
    else:
        print(summary(run))
    if engine is not None:
        print(f"Stored evidence run {run.id} in {engine.url.render_as_string(hide_password=True)}.",
              file=sys.stderr if args.json else sys.stdout)
    if run.inventories and all(i.status == "unknown" for i in run.inventories):
        print("warning: nothing could be read from AWS; every finding is unknown (see the reasons above).",
              file=sys.stderr)
    return 0


def _start_demo(platform: Platform, endpoint_url: str | None) -> str:
    """Run the demo's simulated AWS in this process; returns where it answers."""
    from readiness.commands.demo import use_simulated_credentials
    from readiness.demo import ensure_demo

    if endpoint_url:
        raise InvalidInput("give --demo (a simulation of its own) or --endpoint-url (one already running), not both")
    if not platform.demo:
        raise InvalidInput(f"--demo simulates the AWS of a demo platform (demo: true); {platform.name} is not one")
    use_simulated_credentials()  # this process now talks to the simulation only
    estate = ensure_demo(platform)
    print(f"Simulated AWS running at {estate.endpoint_url} (seeded in {estate.seeded_in_seconds:.1f} s).",
          file=sys.stderr)
    return estate.endpoint_url


def _user() -> str:
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


class ProgressLines:
    """One line per finished collector, for a person watching a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, event: ProgressEvent) -> None:
        if event.stage == "session" and event.state != "started":
            outcome = "ready" if event.state == "finished" else f"unknown: {event.reason}"
            print(f"  {event.environment}: session {outcome}", file=self.stream, flush=True)
        elif event.stage == "collect" and event.state != "started":
            outcome = f"{event.api_calls} calls" if event.state == "finished" else f"unknown: {event.reason}"
            print(f"  [{event.done}/{event.total}] {event.environment} {event.collector} {event.region}: {outcome}",
                  file=self.stream, flush=True)


def summary(run: EvidenceRun) -> str:
    """A table of finding counts per area and check, then the problems and what could not be read."""
    counts: dict[tuple[str, str], Counter[Status]] = defaultdict(Counter)
    for finding in run.findings:
        counts[(finding.area, finding.check)][finding.status] += 1
    width = max([len(check) + 2 for _, check in counts] + [30])
    lines = [f"{run.platform}: evidence run {run.id} ({', '.join(run.environments)})", "",
             f"{'check':<{width}} " + " ".join(f"{h:>7}" for h in HEADINGS)]
    for area in sorted({a for a, _ in counts}):
        area_total: Counter[Status] = Counter()
        for (a, check), tally in sorted(counts.items()):
            if a == area:
                area_total += tally
                lines.append(f"  {check:<{width - 2}} " + " ".join(f"{tally[s]:>7}" for s in COLUMNS))
        lines.append(f"{area + ' (area)':<{width}} " + " ".join(f"{area_total[s]:>7}" for s in COLUMNS))
    seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
    unknown = [i for i in run.inventories if i.status == "unknown"]
    lines += ["", f"{len(run.findings)} findings from {run.checks} checks; {run.api_calls} API calls; "
              f"{len(run.inventories) - len(unknown)} inventories read, {len(unknown)} unknown; {seconds:.1f} s"]
    problems = [f for f in run.findings if f.status in (Status.FAIL, Status.ERROR)]
    if problems:
        lines += ["", "Failing:"] + [f"  [{f.environment}] {f.check}: {f.message}"
                                     for f in problems[:MOST_PROBLEMS_SHOWN]]
        if len(problems) > MOST_PROBLEMS_SHOWN:
            lines.append(f"  … and {len(problems) - MOST_PROBLEMS_SHOWN} more (see --json)")
    if unknown:
        lines += ["", "Could not read:"] + [f"  {i.environment} {i.collector} {i.region}: {i.reason}" for i in unknown]
    return "\n".join(lines)
