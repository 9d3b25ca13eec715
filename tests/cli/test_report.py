"""`python -m readiness report`: each format written to a file, and clear refusals for bad requests."""
from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from readiness import assessment as service
from readiness.cli import main
from readiness.reports import charts
from readiness.store import session_scope
from scenarios import DEMO_FILE, assessment, demo_platform, evidence_run, first_manual_blocker


@pytest.fixture
def seeded(store_engine):
    """Two assessments of production: an older GO and the latest, NO-GO on a blocker."""
    platform = demo_platform()
    checklist = service.checklist_for(platform)
    blocker = first_manual_blocker(checklist)
    with session_scope(store_engine) as session:
        older = assessment(session, platform=platform, checklist=checklist, title="Older")
        evidence_run(session, platform_id=older.platform_id, platform=platform, checklist=checklist)
        latest = assessment(session, platform=platform, checklist=checklist, title="Latest", copy_from=older.id,
                            overrides={blocker: "not_met"})
    return {"older": older.id, "latest": latest.id, "controls": len(checklist.controls())}


@pytest.fixture
def report(database_url, capsys, monkeypatch):
    # Chart images need a browser; these tests are about the command, so they take the no-browser path.
    def unavailable(*_args, **_kwargs):
        raise charts.ChartExportUnavailable("no browser in this test")

    monkeypatch.setattr(charts, "figure_image", unavailable)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["report", "--platform", str(DEMO_FILE), "--db", database_url, *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def test_report_writes_every_format_of_the_latest_assessment(seeded, report, tmp_path):
    for fmt in ("html", "pdf", "md", "csv"):
        target = tmp_path / f"board.{fmt}"
        code, out, err = report("--format", fmt, "-o", str(target))
        assert code == 0, err
        assert f"assessment #{seeded['latest']} “Latest” (draft, NO-GO)" in out
        assert target.stat().st_size > 0
    assert "Decision: NO-GO" in (tmp_path / "board.md").read_text()
    rows = list(csv.DictReader(io.StringIO((tmp_path / "board.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == seeded["controls"] and {r["assessment_id"] for r in rows} == {str(seeded["latest"])}
    assert "NO-GO" in PdfReader(str(tmp_path / "board.pdf")).pages[0].extract_text()
    assert ">NO-GO" in (tmp_path / "board.html").read_text()


def test_report_of_a_chosen_assessment_with_the_format_taken_from_the_file_name(seeded, report, tmp_path):
    target = tmp_path / "older.md"
    code, _, err = report("--assessment", str(seeded["older"]), "-o", str(target))
    assert code == 0, err
    text = target.read_text()
    assert "Decision: GO" in text and f"Assessment #{seeded['older']} Older, **draft**" in text


def test_report_to_standard_output(seeded, report):
    code, out, _ = report("--format", "csv", "-o", "-")
    assert code == 0 and out.lstrip("\ufeff").startswith("assessment_id,environment,control_id")


def test_report_refuses_what_it_cannot_do_with_exit_2(seeded, report, tmp_path):
    cases = {
        ("-o", str(tmp_path / "report.txt")): "Give --format",
        ("--format", "md", "-o", str(tmp_path / "missing" / "r.md")): "does not exist",
        ("--assessment", "999", "-o", str(tmp_path / "r.md")): "No assessment with id 999",
        ("--env", "qa", "-o", str(tmp_path / "r.md")): "has no environment 'qa'",
        ("--env", "staging", "-o", str(tmp_path / "r.md")): "no assessment of Northwind Wealth (demo) for staging",
    }
    for args, message in cases.items():
        code, _, err = report(*args)
        assert code == 2, args
        assert message in err, (args, err)
    with pytest.raises(SystemExit) as stopped:
        report("--format", "docx", "-o", str(tmp_path / "r.docx"))
    assert stopped.value.code == 2
