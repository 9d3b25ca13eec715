"""Repository functions for platforms, assessments and answers, with their lifecycle rules."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from sqlalchemy import event, func, inspect, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from readiness.auth import Actor, Role, require
from readiness.errors import AssessmentLocked, InvalidInput, InvalidTransition, NotFound, StaleEdit
from readiness.platform import Platform, parse_platform
from readiness.scoring import AnswerValue
from readiness.store.audit import append_event
from readiness.store.tables import AnswerRow, AssessmentRow, AssessmentStatus, PlatformRow, score_summary, utcnow

MAX_NOTE = 10_000
MAX_OWNER = 200  # a person's or a team's name, as the page's field allows
TRANSITIONS = {
    AssessmentStatus.DRAFT: {AssessmentStatus.REVIEW},
    AssessmentStatus.REVIEW: {AssessmentStatus.DRAFT, AssessmentStatus.FINAL},
    AssessmentStatus.FINAL: set(),
}


@event.listens_for(OrmSession, "before_flush")
def _final_is_immutable(session: OrmSession, _context: Any, _instances: Any) -> None:
    """The storage layer itself refuses any change to a final assessment or its answers."""
    with session.no_autoflush:
        for obj in [*session.new, *session.dirty, *session.deleted]:
            if isinstance(obj, AnswerRow):
                parent = session.get(AssessmentRow, obj.assessment_id)
                if parent is not None and _was_final(parent):
                    raise AssessmentLocked(f"Assessment {parent.id} is final: its answers cannot change.")
            elif isinstance(obj, AssessmentRow) and obj not in session.new and _was_final(obj):
                if obj in session.deleted or session.is_modified(obj):
                    raise AssessmentLocked(f"Assessment {obj.id} is final and cannot be changed.")


def _was_final(row: AssessmentRow) -> bool:
    history = inspect(row).attrs.status.history
    before = history.deleted[0] if history.deleted else row.status
    return before == AssessmentStatus.FINAL


# ---- platforms -------------------------------------------------------------------------------

def save_platform(session: Session, *, platform: Platform, actor: Actor) -> PlatformRow:
    """Create the platform or update its config, keyed by name."""
    require(actor, Role.ADMIN, "change platform settings")
    text = platform.to_yaml()
    row = session.exec(select(PlatformRow).where(PlatformRow.name == platform.name)).first()
    if row is None:
        row = PlatformRow(name=platform.name, config_yaml=text, source_path=platform.source)
        session.add(row)
        session.flush()
        append_event(session, actor=actor, action="platform.create", entity="platform", entity_id=row.id,
                     after={"name": platform.name}, platform_id=row.id)
    elif row.config_yaml != text:
        before = row.config_yaml
        row.config_yaml = text
        row.source_path = platform.source or row.source_path
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        append_event(session, actor=actor, action="platform.update", entity="platform", entity_id=row.id,
                     before={"config": before}, after={"config": text}, platform_id=row.id)
    return row


def list_platforms(session: Session) -> list[PlatformRow]:
    return list(session.exec(select(PlatformRow).order_by(PlatformRow.name)))


def get_platform_row(session: Session, *, platform_id: int) -> PlatformRow:
    row = session.get(PlatformRow, platform_id)
    if row is None:
        raise NotFound(f"No platform with id {platform_id}.")
    return row


def platform_by_name(session: Session, *, name: str) -> PlatformRow | None:
    return session.exec(select(PlatformRow).where(PlatformRow.name == name)).first()


def platform_config(session: Session, *, platform_id: int) -> Platform:
    row = get_platform_row(session, platform_id=platform_id)
    file = f"platform {row.name!r} (stored)"
    platform = _parsed(row.config_yaml, file).model_copy(deep=True)  # a copy: callers may change theirs
    if not platform.checklist_path().exists():
        parse_platform(row.config_yaml, file)  # says which checklist is missing
    if row.source_path:
        platform.source = row.source_path
    return platform


@lru_cache(maxsize=128)
def _parsed(text: str, file: str) -> Platform:
    # Reading a config with its line-numbered checks takes milliseconds, and a page reads its platform's
    # several times (every platform's, for the sidebar): the result depends on the text alone.
    return parse_platform(text, file)


# ---- assessments -----------------------------------------------------------------------------

def create_assessment(
    session: Session,
    *,
    platform_id: int,
    environment: str,
    title: str,
    checklist_digest: str,
    actor: Actor,
    copy_answers_from: int | None = None,
    is_demo: bool = False,
    created_at: dt.datetime | None = None,
) -> AssessmentRow:
    require(actor, Role.CONTRIBUTOR, "start an assessment")
    platform = platform_config(session, platform_id=platform_id)
    if environment not in {e.name for e in platform.environments}:
        raise InvalidInput(f"Platform {platform.name} has no environment {environment!r}.")
    title = title.strip()
    if not title or len(title) > 200:
        raise InvalidInput("An assessment needs a title of 1 to 200 characters.")
    row = AssessmentRow(
        platform_id=platform_id, environment=environment, title=title, checklist_digest=checklist_digest,
        created_by=actor.name, previous_id=copy_answers_from, is_demo=is_demo,
        created_at=created_at or utcnow(),
    )
    session.add(row)
    session.flush()
    copied = 0
    if copy_answers_from is not None:
        source = get_assessment(session, assessment_id=copy_answers_from)
        if source.platform_id != platform_id:
            raise InvalidInput("Answers can only be copied from an assessment of the same platform.")
        for answer in answers_for(session, assessment_id=copy_answers_from).values():
            session.add(AnswerRow(
                assessment_id=row.id, control_id=answer.control_id, value=answer.value, note=answer.note,
                owner=answer.owner, due_on=answer.due_on, updated_by=actor.name, updated_at=row.created_at,
            ))
            copied += 1
        session.flush()
    append_event(session, actor=actor, action="assessment.create", entity="assessment", entity_id=row.id,
                 after={"title": title, "environment": environment, "copied_answers": copied,
                        "from": copy_answers_from},
                 platform_id=platform_id, assessment_id=row.id)
    return row


def get_assessment(session: Session, *, assessment_id: int) -> AssessmentRow:
    row = session.get(AssessmentRow, assessment_id)
    if row is None:
        raise NotFound(f"No assessment with id {assessment_id}.")
    return row


def list_assessments(
    session: Session, *, platform_id: int, environment: str | None = None, status: str | None = None
) -> list[AssessmentRow]:
    query = select(AssessmentRow).where(AssessmentRow.platform_id == platform_id)
    if environment:
        query = query.where(AssessmentRow.environment == environment)
    if status:
        query = query.where(AssessmentRow.status == status)
    return list(session.exec(query.order_by(AssessmentRow.created_at.desc(), AssessmentRow.id.desc())))  # type: ignore[union-attr]


def latest_assessment(session: Session, *, platform_id: int, environment: str | None = None,
                      status: str | None = None) -> AssessmentRow | None:
    found = list_assessments(session, platform_id=platform_id, environment=environment, status=status)
    return found[0] if found else None


def move_assessment(
    session: Session,
    *,
    assessment_id: int,
    to_status: str,
    actor: Actor,
    frozen_checklist: dict[str, Any] | None = None,
    frozen_score: dict[str, Any] | None = None,
    overall: str | None = None,
    outcome: str | None = None,
    evidence_run_id: str | None = None,
    at: dt.datetime | None = None,
) -> AssessmentRow:
    """draft → review → final (review may go back to draft). Finalising needs the frozen score.

    `at` backdates the review or finalisation (imported or demo history); the audit event keeps the real time.
    """
    row = get_assessment(session, assessment_id=assessment_id)
    require(actor, Role.APPROVER if to_status == AssessmentStatus.FINAL else Role.CONTRIBUTOR,
            f"move an assessment to {to_status}")
    if to_status not in TRANSITIONS.get(row.status, set()):
        if row.status == AssessmentStatus.FINAL:
            raise AssessmentLocked(f"Assessment {row.id} is final and cannot change status.")
        raise InvalidTransition(f"An assessment in {row.status} cannot move to {to_status}.")
    before = row.status
    now = at or utcnow()
    if to_status == AssessmentStatus.REVIEW:
        row.reviewed_by, row.reviewed_at = actor.name, now
    if to_status == AssessmentStatus.FINAL:
        if frozen_score is None or frozen_checklist is None:
            raise InvalidTransition("Finalising needs the computed score and checklist to freeze.")
        row.frozen_checklist, row.frozen_score = frozen_checklist, frozen_score
        # The digest names the checklist the frozen score was computed with, which may be newer than at creation.
        row.checklist_digest = frozen_checklist.get("digest") or row.checklist_digest
        row.overall_score, row.outcome = overall, outcome
        row.score_summary = score_summary(frozen_score)
        row.finalized_by, row.finalized_at = actor.name, now
        row.evidence_run_id = evidence_run_id
    row.status = to_status
    session.add(row)
    session.flush()
    append_event(session, actor=actor, action=f"assessment.{to_status}", entity="assessment", entity_id=row.id,
                 before={"status": before}, after={"status": to_status, "overall": overall, "outcome": outcome},
                 platform_id=row.platform_id, assessment_id=row.id)
    return row


def attach_evidence_run(session: Session, *, assessment_id: int, run_id: str | None, actor: Actor) -> None:
    row = get_assessment(session, assessment_id=assessment_id)
    require(actor, Role.CONTRIBUTOR, "attach evidence to an assessment")
    if row.evidence_run_id == run_id:
        return
    before = row.evidence_run_id
    row.evidence_run_id = run_id
    session.add(row)
    session.flush()
    append_event(session, actor=actor, action="assessment.evidence", entity="assessment", entity_id=row.id,
                 before={"run": before}, after={"run": run_id},
                 platform_id=row.platform_id, assessment_id=row.id)


# ---- answers ---------------------------------------------------------------------------------

def answers_for(session: Session, *, assessment_id: int) -> dict[str, AnswerRow]:
    rows = session.exec(select(AnswerRow).where(AnswerRow.assessment_id == assessment_id))
    return {row.control_id: row for row in rows}


def answer_counts(session: Session, *, assessment_ids: list[int]) -> dict[int, dict[str, int]]:
    """Answer values counted in SQL, per assessment."""
    rows = session.exec(
        select(AnswerRow.assessment_id, AnswerRow.value, func.count())
        .where(AnswerRow.assessment_id.in_(assessment_ids))  # type: ignore[attr-defined]
        .group_by(AnswerRow.assessment_id, AnswerRow.value)
    )
    out: dict[int, dict[str, int]] = {}
    for assessment_id, value, count in rows:
        out.setdefault(assessment_id, {})[value] = count
    return out


def _answer_state(row: AnswerRow) -> dict[str, Any]:
    return {"value": row.value, "note": row.note, "owner": row.owner,
            "due_on": row.due_on.isoformat() if row.due_on else None, "version": row.version}


def save_answer(
    session: Session,
    *,
    assessment_id: int,
    control_id: str,
    value: AnswerValue | str,
    actor: Actor,
    expected_version: int,
    note: str = "",
    owner: str | None = None,
    due_on: dt.date | None = None,
) -> AnswerRow:
    """Save one answer if nobody saved it since `expected_version` was read (0: not answered yet)."""
    require(actor, Role.CONTRIBUTOR, "answer controls")
    value = AnswerValue(value)
    note = note or ""
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"A note is limited to {MAX_NOTE:,} characters; this one has {len(note):,}.")
    if owner and len(owner.strip()) > MAX_OWNER:
        raise InvalidInput(f"An owner is a name of at most {MAX_OWNER} characters; this one has "
                           f"{len(owner.strip()):,}.")
    if value is AnswerValue.NOT_APPLICABLE and not note.strip():
        raise InvalidInput(f"{control_id}: marking a control not applicable needs a reason in the note.")
    assessment = get_assessment(session, assessment_id=assessment_id)
    if assessment.status == AssessmentStatus.FINAL:
        raise AssessmentLocked(f"Assessment {assessment_id} is final: its answers cannot change.")
    owner = (owner or "").strip() or None
    existing = session.exec(
        select(AnswerRow).where(AnswerRow.assessment_id == assessment_id, AnswerRow.control_id == control_id)
    ).first()
    now = utcnow()
    if existing is None:
        if expected_version != 0:
            raise StaleEdit(f"{control_id} was cleared by someone else since you opened it; reload and retry.")
        row = AnswerRow(assessment_id=assessment_id, control_id=control_id, value=value.value, note=note,
                        owner=owner, due_on=due_on, updated_by=actor.name, updated_at=now, version=1)
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            other = session.exec(select(AnswerRow).where(AnswerRow.assessment_id == assessment_id,
                                                         AnswerRow.control_id == control_id)).first()
            raise _stale(control_id, other) from None
        before = None
    else:
        if existing.version != expected_version:
            raise _stale(control_id, existing)
        before = _answer_state(existing)
        # Compare-and-set in SQL, so a writer racing between our read and our write is caught too.
        result = session.exec(  # type: ignore[call-overload]
            update(AnswerRow)
            .where(AnswerRow.id == existing.id, AnswerRow.version == expected_version)
            .values(value=value.value, note=note, owner=owner, due_on=due_on, updated_by=actor.name,
                    updated_at=now, version=expected_version + 1)
        )
        if result.rowcount != 1:
            session.expire(existing)
            raise _stale(control_id, session.get(AnswerRow, existing.id))
        session.expire(existing)
        row = session.get(AnswerRow, existing.id)
    append_event(session, actor=actor, action="answer.save", entity="answer", entity_id=f"{assessment_id}:{control_id}",
                 before=before, after=_answer_state(row), platform_id=assessment.platform_id,
                 assessment_id=assessment_id)
    return row


def _stale(control_id: str, current: AnswerRow | None) -> StaleEdit:
    if current is None:
        return StaleEdit(f"{control_id} changed since you opened it; reload and retry.")
    when = current.updated_at.strftime("%Y-%m-%d %H:%M UTC")
    return StaleEdit(
        f"{control_id} was changed by {current.updated_by} at {when} (now {current.value}) after you opened it. "
        "Your edit was not saved; reload to see theirs and apply yours again.",
        changed_by=current.updated_by,
    )
