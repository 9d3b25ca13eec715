"""`gate`: the decision of the latest assessment as an exit code, so a deployment pipeline can stop on it."""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy.exc import SQLAlchemyError

from readiness import assessment as service
from readiness import history
from readiness.commands import add_db_option, add_platform_option
from readiness.errors import ReadinessError
from readiness.platform import load_platform
from readiness.scoring import Outcome, Score
from readiness.store import database_url, open_store, session_scope
from readiness.store import decisions as decisions_repo
from readiness.store.tables import AssessmentRow, AssessmentStatus, DecisionRow
from readiness.yamlsource import ConfigError

EXIT_GO, EXIT_STOP, EXIT_ERROR = 0, 1, 2


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "gate", help="decision of the latest assessment (exit 0 GO, 1 NO-GO or CONDITIONAL GO, 2 error)",
        description="Print the decision of the latest assessment of an environment and its reasons. "
                    "Exit 0 for GO, 1 for NO-GO or CONDITIONAL GO, 2 when it cannot tell.")
    add_platform_option(parser)
    parser.add_argument("--env", help="environment (default: the production one)")
    parser.add_argument("--min-score", type=_score_arg, metavar="N",
                        help="also stop when the overall score is under N (0 to 100)")
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    add_db_option(parser)
    parser.set_defaults(handler=run_gate)


def _score_arg(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text} is not a score from 0 to 100")
    return value


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reasons: list[str]
    computed: Outcome
    recorded: Outcome | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_GO if self.outcome is Outcome.GO else EXIT_STOP


def verdict(result: Score, *, is_final: bool, recorded: DecisionRow | None = None,
            min_score: Decimal | None = None) -> Verdict:
    """The computed decision; on a final assessment the meeting's recorded one; never above --min-score."""
    computed = result.decision.outcome
    outcome, reasons, notes = computed, list(result.decision.reasons), []
    recorded_outcome = Outcome(recorded.outcome) if recorded is not None else None
    if recorded_outcome is not None and is_final:
        outcome = recorded_outcome
        if recorded_outcome is not computed:
            reasons.insert(0, f"The meeting recorded {recorded_outcome.value} over the computed {computed.value}: "
                              f"{recorded.rationale}")
    elif recorded_outcome is not None:
        notes.append(f"A {recorded_outcome.value} was recorded, but it counts only once the assessment is final.")
    if min_score is not None and (result.overall is None or result.overall < min_score):
        outcome = Outcome.NO_GO
        reasons.insert(0, f"Overall score {result.overall if result.overall is not None else 'none'} is under the "
                          f"pipeline's minimum of {min_score}.")
    return Verdict(outcome=outcome, reasons=reasons, computed=computed, recorded=recorded_outcome, notes=notes)


def _describe(row: AssessmentRow) -> str:
    if row.status == AssessmentStatus.FINAL:
        return (f"final, frozen on {row.finalized_at:%Y-%m-%d %H:%M UTC} by {row.finalized_by}"
                if row.finalized_at else "final")
    return f"{row.status}: a live score that moves with answers and evidence"


def run_gate(args: argparse.Namespace) -> int:
    try:
        return _gate(args)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
    except ReadinessError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except SQLAlchemyError as exc:
        print(f"error: cannot read the store at {database_url(args.db).split('@')[-1]}: "
              f"{type(exc).__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
    except Exception as exc:  # noqa: BLE001 - a pipeline must see exit 2, never a traceback's exit 1 (NO-GO)
        print(f"error: the gate could not decide: {type(exc).__name__}: {exc}", file=sys.stderr)
    return EXIT_ERROR


def _gate(args: argparse.Namespace) -> int:
    platform = load_platform(args.platform)
    environment = platform.environment_name(args.env)
    engine = open_store(args.db)
    try:
        with session_scope(engine) as session:
            row = history.assessment_for(session, platform_name=platform.name, environment=environment)
            result = service.current_score(session, assessment_id=row.id)
            recorded = decisions_repo.decisions_for(session, assessment_id=row.id)
            decided = verdict(result, is_final=row.status == AssessmentStatus.FINAL,
                              recorded=recorded[0][0] if recorded else None, min_score=args.min_score)
    finally:
        engine.dispose()
    if args.json:
        print(json.dumps({
            "platform": platform.name, "environment": environment,
            "assessment": {"id": row.id, "title": row.title, "status": row.status},
            "decision": decided.outcome.value, "computed": decided.computed.value,
            "recorded": decided.recorded.value if decided.recorded else None,
            "overall": str(result.overall) if result.overall is not None else None,
            "coverage": str(result.coverage) if result.coverage is not None else None,
            "min_score": str(args.min_score) if args.min_score is not None else None,
            "reasons": decided.reasons, "notes": decided.notes, "exit": decided.exit_code,
        }, indent=2))
        return decided.exit_code
    print(f"{platform.name} · {environment} · assessment #{row.id} “{row.title}” ({_describe(row)})")
    print(f"Decision: {decided.outcome.value}"
          + (f" (computed {decided.computed.value})" if decided.outcome is not decided.computed else ""))
    print(f"Overall {result.overall if result.overall is not None else '—'} "
          f"(go score {result.thresholds.go_score}, area floor {result.thresholds.area_floor}"
          + (f", pipeline minimum {args.min_score}" if args.min_score is not None else "")
          + f") · evidence coverage {result.coverage if result.coverage is not None else '—'}%")
    print("Reasons:")
    for reason in decided.reasons:
        print(f"  - {reason}")
    for note in decided.notes:
        print(f"Note: {note}")
    return decided.exit_code

