"""`assess create|list|show|answer|move`: use assessments without the app."""
from __future__ import annotations

import argparse
import datetime as dt
import json

from readiness import assessment as service
from readiness.auth import Actor, Role
from readiness.commands import add_db_option, add_platform_option
from readiness.errors import InvalidInput
from readiness.platform import load_platform
from readiness.scoring import AnswerValue
from readiness.store import open_store, session_scope
from readiness.store import assessments as repo
from readiness.store.tables import AssessmentStatus


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("assess", help="create, list, show and answer assessments")
    inner = parser.add_subparsers(dest="assess_command", required=True)

    create = inner.add_parser("create", help="start an assessment")
    add_platform_option(create)
    create.add_argument("--env", help="environment (default: the production one)")
    create.add_argument("--title", help="title (default: the environment and today's date)")
    create.add_argument("--from-previous", action="store_true", help="start from the latest assessment's answers")
    create.set_defaults(handler=run_create)

    listing = inner.add_parser("list", help="list the assessments of a platform")
    add_platform_option(listing)
    listing.add_argument("--env", help="only this environment")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=run_list)

    show = inner.add_parser("show", help="show an assessment's scores and decision")
    show.add_argument("assessment", type=int, help="assessment id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=run_show)

    answer = inner.add_parser("answer", help="answer one control")
    answer.add_argument("assessment", type=int, help="assessment id")
    answer.add_argument("control", help="control id, e.g. ENV-01")
    answer.add_argument("value", choices=[v.value for v in AnswerValue], help="the answer")
    answer.add_argument("--note", default="")
    answer.add_argument("--owner")
    answer.add_argument("--due", type=dt.date.fromisoformat, help="due date, YYYY-MM-DD")
    answer.set_defaults(handler=run_answer)

    move = inner.add_parser("move", help="move an assessment to review, back to draft, or to final")
    move.add_argument("assessment", type=int, help="assessment id")
    move.add_argument("status", choices=list(AssessmentStatus.ALL))
    move.set_defaults(handler=run_move)

    for p in (create, listing, show, answer, move):
        add_db_option(p)
        p.add_argument("--as", dest="actor", default="cli user", help="name recorded in the audit trail")


def _actor(args: argparse.Namespace) -> Actor:
    # The command line is run by people with shell access to the store: they act as admins.
    return Actor(name=args.actor, role=Role.ADMIN)


def _platform_row(session, args, actor):
    platform = load_platform(args.platform)
    return platform, repo.save_platform(session, platform=platform, actor=actor)


def run_create(args: argparse.Namespace) -> int:
    engine = open_store(args.db)
    actor = _actor(args)
    with session_scope(engine) as session:
        platform, row = _platform_row(session, args, actor)
        env = platform.environment_name(args.env)
        if args.from_previous and repo.latest_assessment(session, platform_id=row.id, environment=env) is None:
            raise InvalidInput(f"There is no earlier assessment of {env} to start from.")
        created, _ = service.start(session, platform_id=row.id, environment=env, actor=actor,
                                   title=args.title or f"{env} {dt.date.today().isoformat()}",
                                   from_previous=args.from_previous)
        print(f"Created assessment {created.id}: {created.title} ({env}, draft).")
    return 0


def run_list(args: argparse.Namespace) -> int:
    engine = open_store(args.db)
    with session_scope(engine) as session:
        platform, row = _platform_row(session, args, _actor(args))
        rows = repo.list_assessments(session, platform_id=row.id, environment=args.env)
        if args.json:
            print(json.dumps([{"id": r.id, "title": r.title, "environment": r.environment, "status": r.status,
                               "created_at": r.created_at.isoformat(), "overall": r.overall_score,
                               "outcome": r.outcome} for r in rows], indent=2))
            return 0
        if not rows:
            print(f"No assessments of {platform.name} yet. Start one with `assess create`.")
        for r in rows:
            print(f"{r.id:>5}  {r.created_at:%Y-%m-%d}  {r.environment:<12} {r.status:<7} {r.title}"
                  + (f"  [{r.overall_score} {r.outcome}]" if r.status == AssessmentStatus.FINAL else ""))
    return 0


def run_show(args: argparse.Namespace) -> int:
    engine = open_store(args.db)
    with session_scope(engine) as session:
        ctx = service.context(session, assessment_id=args.assessment)
        result = service.current_score(session, assessment_id=args.assessment)
        if args.json:
            print(json.dumps({"assessment": {"id": ctx.assessment.id, "title": ctx.assessment.title,
                                             "environment": ctx.assessment.environment,
                                             "status": ctx.assessment.status},
                              "score": result.model_dump(mode="json")}, indent=2))
            return 0
        a = ctx.assessment
        print(f"Assessment {a.id}: {a.title} — {ctx.platform.name}, {a.environment}, {a.status}")
        print(f"Overall {result.overall if result.overall is not None else '—'} · "
              f"evidence coverage {result.coverage if result.coverage is not None else '—'}% · "
              f"decision {result.decision.outcome.value}")
        for area in result.areas:
            counts = area.counts
            print(f"  {area.title:<40} {str(area.score) if area.score is not None else '—':>6}   "
                  f"{counts.get('met', 0)} met, {counts.get('partial', 0)} partial, "
                  f"{counts.get('not_met', 0)} not met, {counts.get('unanswered', 0)} unanswered")
        print("Reasons:")
        for reason in result.decision.reasons:
            print(f"  - {reason}")
    return 0


def run_answer(args: argparse.Namespace) -> int:
    engine = open_store(args.db)
    actor = _actor(args)
    with session_scope(engine) as session:
        ctx = service.context(session, assessment_id=args.assessment)
        try:
            ctx.checklist.control(args.control)
        except KeyError:
            raise InvalidInput(f"The checklist has no control {args.control!r}.") from None
        existing = repo.answers_for(session, assessment_id=args.assessment).get(args.control)
        saved = repo.save_answer(
            session, assessment_id=args.assessment, control_id=args.control, value=args.value, actor=actor,
            expected_version=existing.version if existing else 0, note=args.note, owner=args.owner,
            due_on=args.due,
        )
        print(f"{args.control} = {saved.value} (version {saved.version}).")
    return 0


def run_move(args: argparse.Namespace) -> int:
    engine = open_store(args.db)
    actor = _actor(args)
    with session_scope(engine) as session:
        if args.status == AssessmentStatus.FINAL:
            row = service.finalize(session, assessment_id=args.assessment, actor=actor)
            print(f"Assessment {row.id} is final: {row.overall_score} {row.outcome}.")
        else:
            row = repo.move_assessment(session, assessment_id=args.assessment, to_status=args.status, actor=actor)
            print(f"Assessment {row.id} is now {row.status}.")
    return 0
