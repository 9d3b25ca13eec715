"""Repository functions for waivers (accepted risks), decisions and their sign-offs."""
from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from readiness.auth import Actor, Role, require
from readiness.checklist.model import CONTROL_ID
from readiness.errors import InvalidInput, NotFound, SelfApproval
from readiness.scoring import ActiveWaiver, Outcome
from readiness.store.assessments import get_assessment
from readiness.store.audit import append_event
from readiness.store.tables import AssessmentStatus, DecisionRow, SignOffRow, WaiverRow, utcnow

SIGN_OFF_ROLES = ("engineering", "security", "product", "business owner", "operations", "compliance")
MAX_WAIVER_DAYS = 366
# As the meeting page's fields allow: the store refuses what a page would, whoever sends it.
MAX_REASON = 4_000  # a waiver's reason, a decision's rationale
MAX_COMMENT = 1_000  # a sign-off's comment


def _waiver_state(w: WaiverRow) -> dict:
    return {"control": w.control_id, "owner": w.owner, "reason": w.reason, "approver": w.approver,
            "expires_on": w.expires_on.isoformat(), "revoked_by": w.revoked_by}


def request_waiver(
    session: Session, *, platform_id: int, environment: str, control_id: str, reason: str, owner: str,
    expires_on: dt.date, actor: Actor, today: dt.date | None = None,
) -> WaiverRow:
    require(actor, Role.CONTRIBUTOR, "request a waiver")
    today = today or dt.datetime.now(dt.UTC).date()
    if not reason.strip() or not owner.strip():
        raise InvalidInput("A waiver needs a reason and an owner.")
    if len(owner.strip()) > 200:
        raise InvalidInput("A waiver owner is a name of at most 200 characters.")
    if len(reason.strip()) > MAX_REASON:
        raise InvalidInput(f"A waiver reason is limited to {MAX_REASON:,} characters; this one has "
                           f"{len(reason.strip()):,}.")
    if not CONTROL_ID.match(control_id):
        raise InvalidInput(f"{control_id!r} is not a control id like ENV-01.")
    if expires_on <= today:
        raise InvalidInput("A waiver must expire after today.")
    if (expires_on - today).days > MAX_WAIVER_DAYS:
        raise InvalidInput(f"A waiver may last at most {MAX_WAIVER_DAYS} days; set an earlier expiry.")
    row = WaiverRow(platform_id=platform_id, environment=environment, control_id=control_id,
                    reason=reason.strip(), owner=owner.strip(), requested_by=actor.name, expires_on=expires_on)
    session.add(row)
    session.flush()
    append_event(session, actor=actor, action="waiver.request", entity="waiver", entity_id=row.id,
                 after=_waiver_state(row), platform_id=platform_id)
    return row


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def approve_waiver(session: Session, *, waiver_id: int, actor: Actor, today: dt.date | None = None) -> WaiverRow:
    require(actor, Role.APPROVER, "approve waivers")
    today = today or dt.datetime.now(dt.UTC).date()
    row = session.get(WaiverRow, waiver_id)
    if row is None:
        raise NotFound(f"No waiver {waiver_id}.")
    if any(_same_person(actor.name, who) for who in (row.requested_by, row.owner)):
        raise SelfApproval(f"{actor.name} asked for or owns this waiver and so cannot approve it; "
                           "another approver must.")
    if row.approver is not None:
        raise InvalidInput(f"Waiver {waiver_id} was already approved by {row.approver}.")
    if row.revoked_by is not None:
        raise InvalidInput(f"Waiver {waiver_id} was revoked by {row.revoked_by}; ask for a new one.")
    if row.expires_on < today:
        raise InvalidInput(f"Waiver {waiver_id} expired on {row.expires_on.isoformat()}; ask for a new one.")
    before = _waiver_state(row)
    row.approver, row.approved_at = actor.name, utcnow()
    session.add(row)
    session.flush()
    append_event(session, actor=actor, action="waiver.approve", entity="waiver", entity_id=row.id,
                 before=before, after=_waiver_state(row), platform_id=row.platform_id)
    return row


def revoke_waiver(session: Session, *, waiver_id: int, actor: Actor) -> WaiverRow:
    require(actor, Role.APPROVER, "revoke waivers")
    row = session.get(WaiverRow, waiver_id)
    if row is None:
        raise NotFound(f"No waiver {waiver_id}.")
    if row.revoked_by is not None:
        raise InvalidInput(f"Waiver {waiver_id} was already revoked by {row.revoked_by}.")
    before = _waiver_state(row)
    row.revoked_by, row.revoked_at = actor.name, utcnow()
    session.add(row)
    session.flush()
    append_event(session, actor=actor, action="waiver.revoke", entity="waiver", entity_id=row.id,
                 before=before, after=_waiver_state(row), platform_id=row.platform_id)
    return row


def waivers_for(session: Session, *, platform_id: int, environment: str) -> list[WaiverRow]:
    return list(session.exec(
        select(WaiverRow).where(WaiverRow.platform_id == platform_id, WaiverRow.environment == environment)
        .order_by(WaiverRow.expires_on.desc())  # type: ignore[attr-defined]
    ))


def waiver_state(row: WaiverRow, today: dt.date) -> str:
    if row.revoked_by:
        return "revoked"
    if today > row.expires_on:  # lapses by itself, approved or not
        return "expired"
    return "pending approval" if row.approver is None else "active"


def scoring_waivers(rows: list[WaiverRow]) -> list[ActiveWaiver]:
    """The waivers scoring may rely on: approved and not revoked (expiry is judged on the day scored)."""
    return [ActiveWaiver(control_id=w.control_id, reason=w.reason, owner=w.owner, approver=w.approver,
                         expires_on=w.expires_on)
            for w in rows if w.approver and not w.revoked_by]


def record_decision(
    session: Session, *, assessment_id: int, outcome: Outcome | str, computed_outcome: Outcome | str,
    rationale: str, actor: Actor,
) -> DecisionRow:
    require(actor, Role.APPROVER, "record a go/no-go decision")
    assessment = get_assessment(session, assessment_id=assessment_id)
    if assessment.status == AssessmentStatus.DRAFT:
        raise InvalidInput("Move the assessment to review before the meeting records a decision.")
    if not rationale.strip():
        raise InvalidInput("A decision needs a rationale.")
    if len(rationale.strip()) > MAX_REASON:
        raise InvalidInput(f"A decision rationale is limited to {MAX_REASON:,} characters; this one has "
                           f"{len(rationale.strip()):,}.")
    outcome, computed_outcome = Outcome(outcome), Outcome(computed_outcome)
    row = DecisionRow(assessment_id=assessment_id, outcome=outcome.value, computed_outcome=computed_outcome.value,
                      rationale=rationale.strip(), recorded_by=actor.name)
    session.add(row)
    session.flush()
    append_event(session, actor=actor, action="decision.record", entity="decision", entity_id=row.id,
                 after={"outcome": row.outcome, "computed": row.computed_outcome, "rationale": row.rationale},
                 platform_id=assessment.platform_id, assessment_id=assessment_id)
    return row


def sign_off(session: Session, *, decision_id: int, role: str, name: str, actor: Actor,
             approve: bool = True, comment: str = "") -> SignOffRow:
    require(actor, Role.APPROVER, "sign off a decision")
    decision = session.get(DecisionRow, decision_id)
    if decision is None:
        raise NotFound(f"No decision {decision_id}.")
    role = role.strip().lower()
    if not role or not name.strip():
        raise InvalidInput("A sign-off needs a role and a name.")
    if len(role) > 40 or len(name.strip()) > 200:
        raise InvalidInput("A sign-off role is at most 40 characters and a name at most 200.")
    if len(comment or "") > MAX_COMMENT:
        raise InvalidInput(f"A sign-off comment is limited to {MAX_COMMENT:,} characters; this one has "
                           f"{len(comment):,}.")
    existing = session.exec(select(SignOffRow).where(SignOffRow.decision_id == decision_id,
                                                     SignOffRow.role == role)).first()
    if existing is not None:
        raise InvalidInput(f"The {role} sign-off was already given by {existing.name}.")
    row = SignOffRow(decision_id=decision_id, role=role, name=name.strip(), approve=approve, comment=comment)
    session.add(row)
    session.flush()
    assessment = get_assessment(session, assessment_id=decision.assessment_id)
    append_event(session, actor=actor, action="decision.sign_off", entity="sign_off", entity_id=row.id,
                 after={"decision": decision_id, "role": role, "name": row.name, "approve": approve,
                        "comment": comment}, platform_id=assessment.platform_id, assessment_id=assessment.id)
    return row


def decisions_for(session: Session, *, assessment_id: int) -> list[tuple[DecisionRow, list[SignOffRow]]]:
    decisions = session.exec(select(DecisionRow).where(DecisionRow.assessment_id == assessment_id)
                             .order_by(DecisionRow.recorded_at.desc()))  # type: ignore[attr-defined]
    out = []
    for d in decisions:
        signs = list(session.exec(select(SignOffRow).where(SignOffRow.decision_id == d.id).order_by(SignOffRow.id)))
        out.append((d, signs))
    return out
