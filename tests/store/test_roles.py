"""Every write of the domain refuses a role below the one it needs, whatever a page shows or hides."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from readiness import assessment as service
from readiness.auth import LOCAL_USER, Actor, Role
from readiness.checklist import Checklist, load_checklist
from readiness.dataflow.validate import validate_and_store
from readiness.errors import PermissionDenied
from readiness.evidence import service as evidence_service
from readiness.evidence.model import EvidenceRun
from readiness.evidence.on_request import collect_now
from readiness.store import assessments as repo
from readiness.store import decisions as decisions_repo
from readiness.store import evidence as evidence_repo
from readiness.platform import REPO_ROOT, Platform, load_platform
from readiness.platform_editing import save_platform_edit
from readiness.store import make_engine, session_scope, upgrade
from readiness.store.audit import head_id
from readiness.store.tables import AssessmentStatus

ENV = "production"
TOMORROW = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
REQUESTER = Actor(name="Rita Requester", role=Role.CONTRIBUTOR)


@dataclass
class World:
    """One of everything a write can act on, made by an administrator."""

    platform_id: int
    draft_id: int
    review_id: int
    decision_id: int
    pending_waiver_id: int
    active_waiver_id: int
    run_id: str


def _build_world(engine: Engine, platform: Platform, checklist: Checklist) -> World:
    with session_scope(engine) as session:
        platform_id = repo.save_platform(session, platform=platform, actor=LOCAL_USER).id
        draft = repo.create_assessment(session, platform_id=platform_id, environment=ENV, title="Draft",
                                       checklist_digest=checklist.digest, actor=LOCAL_USER)
        review = repo.create_assessment(session, platform_id=platform_id, environment=ENV, title="In review",
                                        checklist_digest=checklist.digest, actor=LOCAL_USER)
        repo.move_assessment(session, assessment_id=review.id, to_status=AssessmentStatus.REVIEW, actor=LOCAL_USER)
        decision = decisions_repo.record_decision(session, assessment_id=review.id, outcome="NO-GO",
                                                  computed_outcome="NO-GO", rationale="Not yet.", actor=LOCAL_USER)
        pending = decisions_repo.request_waiver(session, platform_id=platform_id, environment=ENV,
                                                control_id="ENV-01", reason="Vendor fix due", owner="Rita Requester",
                                                expires_on=TOMORROW, actor=REQUESTER)
        active = decisions_repo.request_waiver(session, platform_id=platform_id, environment=ENV,
                                               control_id="ENV-02", reason="Vendor fix due", owner="Rita Requester",
                                               expires_on=TOMORROW, actor=REQUESTER)
        decisions_repo.approve_waiver(session, waiver_id=active.id, actor=LOCAL_USER)
        run = _run(platform.name)
        evidence_repo.save_evidence_run(session, platform_id=platform_id, run=run, actor=LOCAL_USER)
        return World(platform_id, draft.id, review.id, decision.id, pending.id, active.id, run.id)


@pytest.fixture
def world(engine, platform, checklist) -> World:
    """A fresh world for a write that succeeds (on SQLite, and on PostgreSQL when configured)."""
    return _build_world(engine, platform, checklist)


@pytest.fixture(scope="module")
def refusing_store(tmp_path_factory) -> Iterator[tuple[Engine, World]]:
    """One SQLite world shared by the refusals: each of them checks that it changed nothing."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('roles') / 'store.db'}")
    upgrade(engine)
    yield engine, _build_world(engine, load_platform(REPO_ROOT / "data" / "platforms" / "demo.yaml"),
                               load_checklist(REPO_ROOT / "data" / "checklists" / "fintech-portfolio.yaml"))
    engine.dispose()


def _run(platform_name: str) -> EvidenceRun:
    now = dt.datetime.now(dt.UTC)
    return EvidenceRun(platform=platform_name, environments=[ENV], started_at=now, finished_at=now)


# Each write, as a page or the command line calls it, with the least role that may make it.
Write = Callable[[Session, World, Actor], object]
WRITES: dict[str, tuple[Role, Write]] = {
    "save_platform": (Role.ADMIN, lambda s, w, a: repo.save_platform(
        s, platform=repo.platform_config(s, platform_id=w.platform_id).model_copy(update={"name": "Renamed"}),
        actor=a)),
    "create_assessment": (Role.CONTRIBUTOR, lambda s, w, a: repo.create_assessment(
        s, platform_id=w.platform_id, environment=ENV, title="Another", checklist_digest="x", actor=a)),
    "start": (Role.CONTRIBUTOR, lambda s, w, a: service.start(
        s, platform_id=w.platform_id, environment=ENV, title="Another", actor=a, from_previous=True)),
    "move_to_review": (Role.CONTRIBUTOR, lambda s, w, a: repo.move_assessment(
        s, assessment_id=w.draft_id, to_status=AssessmentStatus.REVIEW, actor=a)),
    "move_back_to_draft": (Role.CONTRIBUTOR, lambda s, w, a: repo.move_assessment(
        s, assessment_id=w.review_id, to_status=AssessmentStatus.DRAFT, actor=a)),
    "finalize": (Role.APPROVER, lambda s, w, a: service.finalize(s, assessment_id=w.review_id, actor=a)),
    "attach_evidence_run": (Role.CONTRIBUTOR, lambda s, w, a: repo.attach_evidence_run(
        s, assessment_id=w.draft_id, run_id=w.run_id, actor=a)),
    "save_answer": (Role.CONTRIBUTOR, lambda s, w, a: repo.save_answer(
        s, assessment_id=w.draft_id, control_id="ENV-01", value="met", actor=a, expected_version=0)),
    "request_waiver": (Role.CONTRIBUTOR, lambda s, w, a: decisions_repo.request_waiver(
        s, platform_id=w.platform_id, environment=ENV, control_id="ENV-03", reason="Accepted for a week",
        owner="Rita Requester", expires_on=TOMORROW, actor=a)),
    "approve_waiver": (Role.APPROVER, lambda s, w, a: decisions_repo.approve_waiver(
        s, waiver_id=w.pending_waiver_id, actor=a)),
    "revoke_waiver": (Role.APPROVER, lambda s, w, a: decisions_repo.revoke_waiver(
        s, waiver_id=w.active_waiver_id, actor=a)),
    "record_decision": (Role.APPROVER, lambda s, w, a: decisions_repo.record_decision(
        s, assessment_id=w.review_id, outcome="GO", computed_outcome="NO-GO", rationale="Risk accepted.", actor=a)),
    "sign_off": (Role.APPROVER, lambda s, w, a: decisions_repo.sign_off(
        s, decision_id=w.decision_id, role="security", name="Sam Sec", actor=a)),
    "save_evidence_run": (Role.CONTRIBUTOR, lambda s, w, a: evidence_repo.save_evidence_run(
        s, platform_id=w.platform_id, run=_run("Renamed"), actor=a)),
}
REFUSALS = [(name, role) for name, (least, _) in WRITES.items() for role in Role if role < least]


def _person(role: Role) -> Actor:
    return Actor(name=f"A {role.label}", role=role, email=f"{role.label}@example.com")


@pytest.mark.parametrize(("write", "role"), REFUSALS, ids=[f"{w}-{r.label}" for w, r in REFUSALS])
def test_a_write_refuses_a_role_below_the_one_it_needs_and_changes_nothing(refusing_store, write, role):
    engine, world = refusing_store
    least, call = WRITES[write]
    with session_scope(engine) as session:
        events_before = head_id(session)
    with pytest.raises(PermissionDenied) as refused, session_scope(engine) as session:
        call(session, world, _person(role))
    assert f"is a {role.label}" in str(refused.value) and f"needs the {least.label} role" in str(refused.value)
    with session_scope(engine) as session:
        assert head_id(session) == events_before  # no audit event: nothing was written


@pytest.mark.parametrize("write", list(WRITES))
def test_the_least_role_a_write_needs_may_make_it(engine, world, write):
    least, call = WRITES[write]
    with session_scope(engine) as session:
        events_before = head_id(session)
        call(session, world, _person(least))
    with session_scope(engine) as session:
        assert head_id(session) > events_before


@pytest.fixture
def no_aws(monkeypatch):
    """Collection that got past the role check would reach AWS: make that a failure of the test instead."""
    def reached(*_args, **_kwargs):
        raise AssertionError("evidence collection ran for an actor it should have refused")
    monkeypatch.setattr(evidence_service, "run_evidence", reached)


def test_a_viewer_may_not_run_evidence_collection(refusing_store, platform, no_aws):
    engine, _ = refusing_store
    with pytest.raises(PermissionDenied, match="needs the contributor role"):
        evidence_service.collect_and_store(engine, platform, _person(Role.VIEWER))


def test_a_contributor_may_not_add_a_new_platform_by_collecting_for_it(refusing_store, platform, no_aws):
    engine, _ = refusing_store
    unknown = platform.model_copy(update={"name": "Not registered"})
    with pytest.raises(PermissionDenied, match="needs the admin role"):
        evidence_service.collect_and_store(engine, unknown, _person(Role.CONTRIBUTOR))


def test_a_contributor_may_not_store_a_run_under_a_new_platform(refusing_store, platform):
    engine, _ = refusing_store
    unknown = platform.model_copy(update={"name": "Not registered"})
    with pytest.raises(PermissionDenied, match="needs the admin role"):
        evidence_service.store_run(engine, unknown, _run(unknown.name), _person(Role.CONTRIBUTOR))


def test_a_viewer_may_not_collect_evidence_on_request(refusing_store, no_aws):
    engine, world = refusing_store
    with pytest.raises(PermissionDenied, match="needs the contributor role"):
        collect_now(engine, platform_id=world.platform_id, actor=_person(Role.VIEWER))


def test_a_viewer_may_not_validate_and_store_portfolio_exports(refusing_store, platform):
    engine, _ = refusing_store
    with pytest.raises(PermissionDenied, match="needs the contributor role"):
        validate_and_store(engine, platform=platform, actor=_person(Role.VIEWER), inputs={})


@pytest.mark.parametrize("role", [Role.VIEWER, Role.CONTRIBUTOR, Role.APPROVER])
def test_only_an_administrator_may_edit_a_platform_and_others_learn_nothing_of_the_names(refusing_store, platform,
                                                                                         role):
    engine, _ = refusing_store
    with pytest.raises(PermissionDenied, match="needs the admin role"), session_scope(engine) as session:
        save_platform_edit(session, platform=platform, actor=_person(role), editing=None)  # its name is taken
