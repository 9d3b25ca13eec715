"""The append-only audit trail, chained by hashes so that editing or deleting past events shows."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, select

from readiness.auth import Actor
from readiness.store.tables import AuditEventRow, utcnow

GENESIS = "0" * 64


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def event_hash(event: AuditEventRow) -> str:
    body = {
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "platform_id": event.platform_id,
        "assessment_id": event.assessment_id,
        "before": event.before,
        "after": event.after,
        "prev": event.prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    """Serialise appends so two writers cannot both extend the same tail of the chain."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(7220615)"))  # type: ignore[call-overload]
    elif dialect == "sqlite":
        # Take SQLite's write lock now rather than at the first insert, so the tail read is current.
        session.exec(text("UPDATE audit_event SET id = id WHERE 0"))  # type: ignore[call-overload]


def append_event(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: Any,
    before: Any = None,
    after: Any = None,
    platform_id: int | None = None,
    assessment_id: int | None = None,
) -> AuditEventRow:
    _lock_chain(session)
    last = session.exec(select(AuditEventRow).order_by(AuditEventRow.id.desc()).limit(1)).first()  # type: ignore[union-attr]
    event = AuditEventRow(
        at=utcnow(), actor=actor.name, action=action, entity=entity, entity_id=str(entity_id),
        platform_id=platform_id, assessment_id=assessment_id,
        before=_jsonable(before), after=_jsonable(after),
        prev_hash=last.hash if last else GENESIS, hash="",
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    events: int
    first_bad_id: int | None = None
    reason: str | None = None


def verify_chain(session: Session) -> ChainReport:
    """Walk the trail in order; the first event whose hash or link does not hold is named."""
    prev = GENESIS
    count = 0
    expected_id = None
    for event in session.exec(select(AuditEventRow).order_by(AuditEventRow.id)).yield_per(1000):  # type: ignore[arg-type]
        count += 1
        if expected_id is not None and event.id != expected_id:
            return ChainReport(False, count, event.id, f"events {expected_id} to {event.id - 1} are missing")
        if event.prev_hash != prev:
            return ChainReport(False, count, event.id, "it does not link to the event before it")
        if event_hash(event) != event.hash:
            return ChainReport(False, count, event.id, "its content was changed after it was written")
        prev = event.hash
        expected_id = event.id + 1
    return ChainReport(True, count)


def events_for(session: Session, *, assessment_id: int | None = None, platform_id: int | None = None,
               limit: int = 500) -> list[AuditEventRow]:
    query = select(AuditEventRow).order_by(AuditEventRow.id.desc()).limit(limit)  # type: ignore[union-attr]
    if assessment_id is not None:
        query = query.where(AuditEventRow.assessment_id == assessment_id)
    if platform_id is not None:
        query = query.where(AuditEventRow.platform_id == platform_id)
    return list(session.exec(query))


def event_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditEventRow)).one()


def head_id(session: Session) -> int:
    """The id of the newest event (0 when none): every write moves it, so caches can key on it."""
    return session.exec(select(func.max(AuditEventRow.id))).one() or 0
