"""Repository functions for evidence runs: their inventories and findings, stored to be re-scored later."""
from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from readiness.auth import Actor, Role, require
from readiness.errors import NotFound
from readiness.evidence.model import EvidenceRun, Finding, InventoryRecord
from readiness.store.audit import append_event
from readiness.store.tables import EvidenceRunRow, FindingRow, InventoryRow


def save_evidence_run(session: Session, *, platform_id: int, run: EvidenceRun, actor: Actor) -> EvidenceRunRow:
    """Store a finished run in one transaction: a failure leaves earlier runs as they were."""
    require(actor, Role.CONTRIBUTOR, "store evidence")
    row = EvidenceRunRow(
        id=run.id, platform_id=platform_id, kind=run.kind, environments=list(run.environments),
        started_at=run.started_at, finished_at=run.finished_at, api_calls=run.api_calls, checks=run.checks,
        started_by=actor.name, is_demo=run.is_demo,
    )
    session.add(row)
    session.flush()
    session.add_all(
        InventoryRow(run_id=run.id, environment=i.environment, region=i.region, collector=i.collector,
                     account=i.account, status=i.status, reason=i.reason, api_calls=i.api_calls, payload=i.payload)
        for i in run.inventories
    )
    session.add_all(
        FindingRow(run_id=run.id, check=f.check, area=f.area, controls=list(f.controls), environment=f.environment,
                   baseline=f.baseline, account=f.account, region=f.region, resource=f.resource,
                   status=f.status.value, severity=f.severity.value, message=f.message, details=f.details)
        for f in run.findings
    )
    session.flush()
    append_event(session, actor=actor, action="evidence.run", entity="evidence_run", entity_id=run.id,
                 after={"kind": run.kind, "findings": len(run.findings), "api_calls": run.api_calls},
                 platform_id=platform_id)
    return row


def get_run(session: Session, *, run_id: str) -> EvidenceRunRow:
    row = session.get(EvidenceRunRow, run_id)
    if row is None:
        raise NotFound(f"No evidence run {run_id}.")
    return row


def latest_run(session: Session, *, platform_id: int, kind: str = "aws") -> EvidenceRunRow | None:
    return session.exec(
        select(EvidenceRunRow)
        .where(EvidenceRunRow.platform_id == platform_id, EvidenceRunRow.kind == kind,
               EvidenceRunRow.finished_at.is_not(None))  # type: ignore[union-attr]
        .order_by(EvidenceRunRow.started_at.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()


def list_runs(session: Session, *, platform_id: int, limit: int = 50) -> list[EvidenceRunRow]:
    return list(session.exec(
        select(EvidenceRunRow).where(EvidenceRunRow.platform_id == platform_id)
        .order_by(EvidenceRunRow.started_at.desc()).limit(limit)  # type: ignore[union-attr]
    ))


def findings_for(session: Session, *, run_ids: list[str], environment: str | None = None) -> list[Finding]:
    if not run_ids:
        return []
    query = select(FindingRow).where(FindingRow.run_id.in_(run_ids))  # type: ignore[attr-defined]
    if environment:
        query = query.where(FindingRow.environment == environment)
    return [
        Finding(check=r.check, area=r.area, controls=r.controls, environment=r.environment, baseline=r.baseline,
                account=r.account, region=r.region, resource=r.resource, status=r.status, severity=r.severity,
                message=r.message, details=r.details or {})
        for r in session.exec(query.order_by(FindingRow.id))
    ]


def inventories_for(session: Session, *, run_id: str) -> list[InventoryRecord]:
    rows = session.exec(select(InventoryRow).where(InventoryRow.run_id == run_id).order_by(InventoryRow.id))
    return [InventoryRecord(environment=r.environment, region=r.region, collector=r.collector, account=r.account,
                            status=r.status, reason=r.reason, api_calls=r.api_calls, payload=r.payload)
            for r in rows]


def status_counts(session: Session, *, run_id: str) -> dict[str, int]:
    rows = session.exec(select(FindingRow.status, func.count()).where(FindingRow.run_id == run_id)
                        .group_by(FindingRow.status))
    return {status: count for status, count in rows}


def load_run(session: Session, *, run_id: str) -> EvidenceRun:
    row = get_run(session, run_id=run_id)
    from readiness.store.assessments import get_platform_row

    return EvidenceRun(
        id=row.id, platform=get_platform_row(session, platform_id=row.platform_id).name, kind=row.kind,
        environments=row.environments, started_at=row.started_at, finished_at=row.finished_at,
        api_calls=row.api_calls, checks=row.checks, inventories=inventories_for(session, run_id=run_id),
        findings=findings_for(session, run_ids=[run_id]), is_demo=row.is_demo,
    )
