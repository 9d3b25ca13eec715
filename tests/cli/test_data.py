"""`python -m readiness data validate` end to end, as a pipeline would run it."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = "data/platforms/demo.yaml"
SAMPLES = ROOT / "data" / "samples"


@pytest.fixture
def cli(tmp_path):
    db = tmp_path / "cli.db"
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    env.update({"READINESS_DATABASE_URL": f"sqlite:///{db}", "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing", "AWS_CONFIG_FILE": "/dev/null",
                "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "readiness", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    run.db = db
    return run


def stored_runs(db: Path) -> list[tuple]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT kind, checks FROM evidence_run").fetchall()


def test_validate_prints_the_summary_and_stores_a_data_run(cli):
    done = cli("data", "validate", "--platform", DEMO, "--exports", str(SAMPLES))
    assert done.returncode == 0, done.stderr
    assert "Data accuracy of Northwind Wealth (demo) on 2025-01-17" in done.stdout
    assert "FAIL    production               Market values equal quantity × price × FX: 1 of 8 portfolios at " \
           "fault" in done.stdout
    assert "FAIL    production vs staging    Staging and production agree: 2 of 8 portfolios at fault" in done.stdout
    assert "PASS    staging                  Portfolio totals equal positions plus cash: all 8 portfolios pass" \
        in done.stdout
    assert stored_runs(cli.db) == [("data", 6)]


def test_no_store_leaves_the_store_untouched_and_json_follows_the_findings_contract(cli):
    done = cli("data", "validate", "--platform", DEMO, "--exports", str(SAMPLES), "--no-store", "--json",
               "--env", "production", "--as-of", "2025-01-17")
    assert done.returncode == 0, done.stderr
    contract = json.loads(done.stdout)
    assert set(contract) == {"run", "findings"} and contract["run"]["checks"] == 5
    assert {f["environment"] for f in contract["findings"]} == {"production"}
    assert stored_runs(cli.db) == []


def test_a_malformed_export_exits_2_naming_file_row_and_column_and_stores_nothing(cli, tmp_path):
    for environment in ("staging", "production"):
        folder = tmp_path / environment
        folder.mkdir()
        for path in (SAMPLES / environment).glob("*.csv"):
            (folder / path.name).write_bytes(path.read_bytes())
    positions = tmp_path / "production" / "positions.csv"
    positions.write_text(positions.read_text().replace("2025-01-17", "2025-13-01", 1))
    done = cli("data", "validate", "--platform", DEMO, "--exports", str(tmp_path))
    assert done.returncode == 2
    assert "positions.csv:" in done.stderr and "as_of: '2025-13-01' is not a date like 2025-01-17" in done.stderr
    assert "Traceback" not in done.stderr
    assert stored_runs(cli.db) == []


@pytest.mark.parametrize("args, message", [
    (["--as-of", "17/01/2025"], "is not a date like 2025-01-17"),
    (["--env", "qa"], "has no environment 'qa'"),
    (["--platform", "missing.yaml"], "missing.yaml"),
])
def test_bad_arguments_exit_2_without_a_traceback(cli, args, message):
    base = ["data", "validate", "--exports", str(SAMPLES)]
    if "--platform" not in args:
        base += ["--platform", DEMO]
    done = cli(*base, *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
