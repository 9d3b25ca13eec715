"""The report model: one picture of an assessment that every format renders."""
from __future__ import annotations

from readiness.reports.export import FORMATS, file_name
from readiness.scoring import Outcome
from report_samples import NASTY_NOTE, NASTY_OWNER


def test_report_carries_the_score_and_the_decision_of_the_assessment(reported):
    r = reported.report
    assert r.score == reported.score
    assert r.outcome == Outcome.CONDITIONAL_GO.value
    assert r.meta.status == "review" and r.meta.title == "Go-live <review> & sign"
    assert r.meta.evidence_run_id is not None and r.meta.checklist_digest
    assert len(r.controls) == len(reported.score.controls())


def test_report_lists_waivers_in_every_state_and_which_one_the_decision_relies_on(reported):
    states = {w.control_id: (w.state, w.relied_on) for w in reported.report.waivers}
    assert states[reported.blocker] == ("active", True)
    assert states[reported.failing_control] == ("pending approval", False)
    assert ("expired", False) in states.values()
    assert [w.control_id for w in reported.report.active_waivers] == [reported.blocker]


def test_report_lines_keep_owner_note_evidence_and_waiver_of_each_control(reported):
    lines = {c.control_id: c for c in reported.report.controls}
    assert (lines[reported.nasty_control].owner, lines[reported.nasty_control].note) == (NASTY_OWNER, NASTY_NOTE)
    assert lines[reported.failing_control].evidence == "Contradicted" and lines[reported.failing_control].value == 0
    assert lines[reported.blocker].waived and lines[reported.blocker].waiver.startswith("active until")
    assert [b.control_id for b in reported.report.blockers] == [reported.blocker]
    assert reported.report.open_blockers == []


def test_report_has_the_decision_sign_offs_and_changes_since_the_previous_final(reported):
    recorded = reported.report.recorded
    assert recorded.outcome == "CONDITIONAL GO"
    assert [(s.role, s.name, s.approve) for s in recorded.sign_offs] == [
        ("engineering", "Eli Eng", True), ("security", "Sam Sec", False)]
    change = reported.report.changes
    assert change.before.id == reported.previous_id
    assert {c.control_id: c.direction for c in change.controls}[reported.blocker] == "worse"
    assert [p.assessment.id for p in reported.report.history][0] == reported.previous_id
    assert reported.report.history[-1].assessment.id == reported.report.meta.id


def test_file_names_say_what_the_report_is(reported):
    name = file_name(reported.report, "pdf")
    assert name.startswith("northwind-wealth-demo-production-assessment-") and name.endswith(".pdf")
    assert set(FORMATS) == {"html", "pdf", "md", "csv"}
