"""`python -m readiness gate`: the decision of the latest assessment as an exit code a pipeline can stop on."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from readiness import assessment as service
from readiness.cli import main
from readiness.store import assessments as repo
from readiness.store import decisions as decisions_repo
from readiness.store import session_scope
from scenarios import (CHAIR, DEMO_FILE, approved_waiver, assessment, demo_platform, evidence_run, finalise,
                       first_manual_blocker)

ROOT = DEMO_FILE.parents[2]


@pytest.fixture
def platform():
    return demo_platform()


@pytest.fixture
def checklist(platform):
    return service.checklist_for(platform)


@pytest.fixture
def gate(database_url, capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = main(["gate", "--platform", str(DEMO_FILE), "--db", database_url, *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def _seed(store_engine, platform, checklist, **kwargs):
    with session_scope(store_engine) as session:
        row = assessment(session, platform=platform, checklist=checklist, **kwargs)
        evidence_run(session, platform_id=row.platform_id, platform=platform, checklist=checklist)
        return row.id, row.platform_id


def test_gate_exits_0_for_go_and_says_which_assessment_it_judged(store_engine, platform, checklist, gate):
    assessment_id, _ = _seed(store_engine, platform, checklist, title="Launch")
    code, out, _ = gate()
    assert code == 0
    assert f"assessment #{assessment_id} “Launch” (draft" in out
    assert "Decision: GO" in out and "Every blocker is met" in out


def test_gate_exits_1_for_no_go_and_names_the_blocker(store_engine, platform, checklist, gate):
    blocker = first_manual_blocker(checklist)
    _seed(store_engine, platform, checklist, overrides={blocker: "not_met"})
    code, out, _ = gate()
    assert code == 1
    assert "Decision: NO-GO" in out and f"Blocker {blocker}" in out


def test_gate_exits_1_for_conditional_go_and_lists_the_waiver(store_engine, platform, checklist, gate):
    blocker = first_manual_blocker(checklist)
    _, platform_id = _seed(store_engine, platform, checklist, overrides={blocker: "not_met"})
    with session_scope(store_engine) as session:
        approved_waiver(session, platform_id=platform_id, control_id=blocker)
    code, out, _ = gate()
    assert code == 1
    assert "Decision: CONDITIONAL GO" in out and "accepted by waiver until" in out


def test_gate_judges_the_latest_assessment_even_when_an_older_one_is_final(store_engine, platform, checklist, gate):
    blocker = first_manual_blocker(checklist)
    older, _ = _seed(store_engine, platform, checklist, title="Q1",
                     created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=30))
    with session_scope(store_engine) as session:
        finalise(session, assessment_id=older)
        newer = assessment(session, platform=platform, checklist=checklist, title="Q2", copy_from=older,
                           overrides={blocker: "partial"})
    code, out, _ = gate()
    assert code == 1 and f"assessment #{newer.id} “Q2”" in out


def test_min_score_stops_a_go_under_the_pipeline_minimum(store_engine, platform, checklist, gate):
    scaling = checklist.areas[-1].controls[0].id
    _seed(store_engine, platform, checklist, overrides={scaling: "partial"})
    assert gate("--min-score", "95")[0] == 0
    code, out, _ = gate("--min-score", "99.5")
    assert code == 1
    assert "Decision: NO-GO (computed GO)" in out and "under the pipeline's minimum of 99.5" in out


def test_a_recorded_decision_counts_once_the_assessment_is_final(store_engine, platform, checklist, gate):
    assessment_id, _ = _seed(store_engine, platform, checklist)
    with session_scope(store_engine) as session:
        finalise(session, assessment_id=assessment_id)
        decisions_repo.record_decision(session, assessment_id=assessment_id, outcome="NO-GO", computed_outcome="GO",
                                       rationale="Quarter-end freeze.", actor=CHAIR)
    code, out, _ = gate()
    assert code == 1
    assert "Decision: NO-GO (computed GO)" in out and "Quarter-end freeze." in out


def test_a_decision_recorded_in_review_does_not_open_the_gate(store_engine, platform, checklist, gate):
    blocker = first_manual_blocker(checklist)
    assessment_id, _ = _seed(store_engine, platform, checklist, overrides={blocker: "not_met"})
    with session_scope(store_engine) as session:
        repo.move_assessment(session, assessment_id=assessment_id, to_status="review", actor=CHAIR)
        decisions_repo.record_decision(session, assessment_id=assessment_id, outcome="GO",
                                       computed_outcome="NO-GO", rationale="We feel lucky.", actor=CHAIR)
    code, out, _ = gate()
    assert code == 1
    assert "Decision: NO-GO" in out and "counts only once the assessment is final" in out


def test_gate_json_carries_the_decision_and_the_exit_code(store_engine, platform, checklist, gate):
    assessment_id, _ = _seed(store_engine, platform, checklist)
    code, out, _ = gate("--json")
    verdict = json.loads(out)
    assert code == verdict["exit"] == 0
    assert verdict["decision"] == "GO" and verdict["assessment"]["id"] == assessment_id
    assert verdict["overall"] == "100.0" and verdict["environment"] == "production"


def test_gate_exits_2_when_it_cannot_tell(store_engine, platform, checklist, gate, tmp_path):
    code, _, err = gate()
    assert code == 2 and "no assessments of Northwind Wealth (demo)" in err
    _seed(store_engine, platform, checklist)
    code, _, err = gate("--env", "qa")
    assert code == 2 and "has no environment 'qa'" in err
    code, _, err = gate("--env", "staging")
    assert code == 2 and "no assessment of Northwind Wealth (demo) for staging" in err
    assert main(["gate", "--platform", str(tmp_path / "missing.yaml")]) == 2
    for bad in ("abc", "101", "nan"):
        with pytest.raises(SystemExit) as stopped:
            main(["gate", "--platform", str(DEMO_FILE), "--min-score", bad])
        assert stopped.value.code == 2


def test_gate_process_exit_codes_are_what_a_pipeline_sees(store_engine, platform, checklist, database_url, tmp_path):
    _seed(store_engine, platform, checklist)

    def gate_process(db: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "readiness", "gate", "--platform", str(DEMO_FILE), "--db", db],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)

    go = gate_process(database_url)
    assert go.returncode == 0, go.stderr
    broken = gate_process(f"sqlite:///{tmp_path / 'no-such-folder' / 'store.db'}")
    assert broken.returncode == 2
    assert "cannot read the store" in broken.stderr and "Traceback" not in broken.stderr
