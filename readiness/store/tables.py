"""SQLModel tables: the stored state of Readiness. Read models live in readiness.store.views."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Stores aware UTC times on every database, SQLite included (which would drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; times are stored as aware UTC")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class AssessmentStatus:
    DRAFT = "draft"
    REVIEW = "review"
    FINAL = "final"
    ALL = (DRAFT, REVIEW, FINAL)


class PlatformRow(SQLModel, table=True):
    __tablename__ = "platform"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=120)
    config_yaml: str = Field(sa_column=Column(Text, nullable=False))
    source_path: str | None = None
    created_at: dt.datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


def score_summary(frozen_score: dict[str, Any]) -> dict[str, Any]:
    """What a timeline shows of a frozen score (a Score as JSON): its coverage, go score and area scores.

    A few hundred bytes beside the frozen score's tens of kilobytes, so years of history are read quickly.
    """
    areas = frozen_score.get("areas") or []
    return {"coverage": frozen_score.get("coverage"),
            "go_score": (frozen_score.get("thresholds") or {}).get("go_score"),
            "areas": {a["area"]: a.get("score") for a in areas},
            "area_titles": {a["area"]: a.get("title") for a in areas}}


class AssessmentRow(SQLModel, table=True):
    __tablename__ = "assessment"
    # Timelines list an environment's assessments by date; the newest is the one a page opens on.
    __table_args__ = (Index("ix_assessment_platform_environment_created", "platform_id", "environment", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    platform_id: int = Field(foreign_key="platform.id", index=True)
    environment: str = Field(max_length=40)
    title: str = Field(max_length=200)
    status: str = Field(default=AssessmentStatus.DRAFT, max_length=10, index=True)
    checklist_digest: str = Field(max_length=64)
    evidence_run_id: str | None = Field(default=None, foreign_key="evidence_run.id")
    previous_id: int | None = Field(default=None, foreign_key="assessment.id")
    is_demo: bool = False
    created_by: str = Field(max_length=200)
    created_at: dt.datetime = Field(sa_type=UTCDateTime, default_factory=utcnow, index=True)
    reviewed_by: str | None = None
    reviewed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    finalized_by: str | None = None
    finalized_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Frozen at finalisation: the checklist and the computed score, so the numbers never move.
    frozen_checklist: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    frozen_score: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    overall_score: str | None = Field(default=None, max_length=10)  # Decimal as text, set when final
    outcome: str | None = Field(default=None, max_length=20)
    score_summary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))  # set when final


class AnswerRow(SQLModel, table=True):
    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("assessment_id", "control_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    control_id: str = Field(max_length=10)
    value: str = Field(max_length=12)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    owner: str | None = Field(default=None, max_length=200)
    due_on: dt.date | None = None
    updated_by: str = Field(max_length=200)
    updated_at: dt.datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    version: int = 1


class EvidenceRunRow(SQLModel, table=True):
    __tablename__ = "evidence_run"
    # The latest run of a kind is what a draft is judged on.
    __table_args__ = (Index("ix_evidence_run_platform_kind_started", "platform_id", "kind", "started_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    platform_id: int = Field(foreign_key="platform.id", index=True)
    kind: str = Field(default="aws", max_length=10)  # aws | data
    environments: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    started_at: dt.datetime = Field(sa_type=UTCDateTime, default_factory=utcnow, index=True)
    finished_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    api_calls: int = 0
    checks: int = 0
    started_by: str = Field(default="", max_length=200)
    is_demo: bool = False


class InventoryRow(SQLModel, table=True):
    __tablename__ = "inventory"

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(foreign_key="evidence_run.id", index=True, max_length=32)
    environment: str = Field(max_length=40)
    region: str = Field(max_length=30)
    collector: str = Field(max_length=60)
    account: str | None = Field(default=None, max_length=12)
    status: str = Field(max_length=10)  # ok | unknown
    reason: str | None = Field(default=None, sa_column=Column(Text))
    api_calls: int = 0
    payload: Any = Field(default=None, sa_column=Column(JSON))


class FindingRow(SQLModel, table=True):
    __tablename__ = "finding"

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(foreign_key="evidence_run.id", index=True, max_length=32)
    check: str = Field(max_length=80, index=True)
    area: str = Field(max_length=20)
    controls: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    environment: str = Field(max_length=40)
    baseline: str | None = Field(default=None, max_length=40)
    account: str | None = Field(default=None, max_length=12)
    region: str | None = Field(default=None, max_length=30)
    resource: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(max_length=16)
    severity: str = Field(max_length=10)
    message: str = Field(sa_column=Column(Text, nullable=False))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class WaiverRow(SQLModel, table=True):
    __tablename__ = "waiver"

    id: int | None = Field(default=None, primary_key=True)
    platform_id: int = Field(foreign_key="platform.id", index=True)
    environment: str = Field(max_length=40)
    control_id: str = Field(max_length=10)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    owner: str = Field(max_length=200)
    requested_by: str = Field(max_length=200)
    requested_at: dt.datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)
    approver: str | None = Field(default=None, max_length=200)
    approved_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_on: dt.date
    revoked_by: str | None = Field(default=None, max_length=200)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class DecisionRow(SQLModel, table=True):
    __tablename__ = "decision"

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    outcome: str = Field(max_length=20)
    computed_outcome: str = Field(max_length=20)
    rationale: str = Field(sa_column=Column(Text, nullable=False))
    recorded_by: str = Field(max_length=200)
    recorded_at: dt.datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class SignOffRow(SQLModel, table=True):
    __tablename__ = "sign_off"
    __table_args__ = (UniqueConstraint("decision_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)
    role: str = Field(max_length=40)
    name: str = Field(max_length=200)
    approve: bool = True
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    signed_at: dt.datetime = Field(sa_type=UTCDateTime, default_factory=utcnow)


class AuditEventRow(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_type=UTCDateTime, default_factory=utcnow, index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=60)
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=64)
    platform_id: int | None = Field(default=None, index=True)
    assessment_id: int | None = Field(default=None, index=True)
    before: Any = Field(default=None, sa_column=Column(JSON))
    after: Any = Field(default=None, sa_column=Column(JSON))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
