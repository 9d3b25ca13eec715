"""`python -m readiness checklist validate` and `assess …` end to end, as a pipeline would run them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MALFORMED = ROOT / "tests" / "checklist" / "malformed"
DEMO = "data/platforms/demo.yaml"


@pytest.fixture
def cli(tmp_path):
    env = {**os.environ, "READINESS_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "readiness", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    return run


def test_validate_accepts_the_shipped_checklist(cli):
    done = cli("checklist", "validate")
    assert done.returncode == 0, done.stderr
    assert "valid. 8 areas" in done.stdout


def test_validate_json_summarises_areas_and_controls(cli):
    done = cli("checklist", "validate", "--json")
    summary = json.loads(done.stdout)
    assert summary["valid"] is True
    assert len(summary["areas"]) == 8
    assert sum(len(a["controls"]) for a in summary["areas"]) >= 56
    assert isinstance(summary["pending_checks"], dict)


def test_validate_reports_each_problem_as_file_line_message_and_exits_2(cli):
    done = cli("checklist", "validate", str(MALFORMED / "bad_weight_and_empty_question.yaml"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"{MALFORMED / 'bad_weight_and_empty_question.yaml'}:") for line in lines)
    assert "Traceback" not in done.stderr


def test_bad_commands_exit_2_without_a_traceback(cli):
    for args in (["nonsense"], ["assess", "show", "notanumber"], ["assess", "show", "999"],
                 ["assess", "create", "--platform", "missing.yaml"]):
        done = cli(*args)
        assert done.returncode == 2, args
        assert "Traceback" not in done.stderr


def test_assess_create_answer_show_and_finalise(cli):
    assert cli("assess", "create", "--platform", DEMO, "--title", "Launch review").returncode == 0
    done = cli("assess", "answer", "1", "ENV-01", "met", "--note", "checked by script", "--owner", "platform")
    assert done.returncode == 0 and "ENV-01 = met (version 1)" in done.stdout
    shown = json.loads(cli("assess", "show", "1", "--json").stdout)
    env = next(a for a in shown["score"]["areas"] if a["area"] == "environment")
    assert next(c for c in env["controls"] if c["control_id"] == "ENV-01")["answer"] == "met"
    assert cli("assess", "move", "1", "review").returncode == 0
    final = cli("assess", "move", "1", "final")
    assert final.returncode == 0 and "is final" in final.stdout
    refused = cli("assess", "answer", "1", "ENV-01", "not_met")
    assert refused.returncode == 2 and "final" in refused.stderr
    listed = json.loads(cli("assess", "list", "--platform", DEMO, "--json").stdout)
    assert listed[0]["status"] == "final" and listed[0]["outcome"] == shown["score"]["decision"]["outcome"]


def test_answer_to_unknown_control_is_refused(cli):
    cli("assess", "create", "--platform", DEMO)
    done = cli("assess", "answer", "1", "XYZ-99", "met")
    assert done.returncode == 2 and "no control 'XYZ-99'" in done.stderr


def test_unreachable_store_exits_2_without_revealing_the_password(cli):
    done = cli("assess", "list", "--platform", DEMO, "--db", "postgresql+psycopg://gate:s3cret@127.0.0.1:1/none")
    assert done.returncode == 2
    assert "the store could not be used" in done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr
