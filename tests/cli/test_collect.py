"""`python -m readiness collect`: the findings contract, the summary, storage, and refusals of bad input."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from readiness.cli import main
from readiness.platform import REPO_ROOT
from readiness.store.engine import make_engine, session_scope
from readiness.store.evidence import latest_run, load_run
from readiness.store.assessments import platform_by_name

PLATFORM = """\
name: Northwind Wealth (tests)
checklist: {checklist}
environments:
  - name: staging
    tier: staging
    aws: {{role_arn: "arn:aws:iam::111111111111:role/readiness-readonly", external_id: tests}}
    select: {{name_prefix: nw-staging-, ssm_path: /northwind/staging/, secrets_prefix: northwind/staging/}}
  - name: production
    tier: production
    aws: {{role_arn: "arn:aws:iam::222222222222:role/readiness-readonly", external_id: tests}}
    select: {{name_prefix: nw-prod-, ssm_path: /northwind/production/, secrets_prefix: northwind/production/}}
compare: [[staging, production]]
"""
CHECKLIST = REPO_ROOT / "data" / "checklists" / "fintech-portfolio.yaml"
RUN_KEYS = {"id": str, "platform": str, "started_at": str, "finished_at": str, "api_calls": int, "checks": int}
FINDING_KEYS = {"check": str, "area": str, "controls": list, "environment": str, "baseline": (str, type(None)),
                "account": (str, type(None)), "region": (str, type(None)), "resource": str, "status": str,
                "severity": str, "message": str, "details": dict}
STATUSES = {"pass", "fail", "warn", "unknown", "error", "not_applicable"}


@pytest.fixture
def platform_file(tmp_path: Path) -> Path:
    path = tmp_path / "platform.yaml"
    path.write_text(PLATFORM.format(checklist=CHECKLIST))
    return path


def seed(endpoint_url: str | None = None) -> None:
    """Staging and production parameters; production has one staging lacks."""
    for account, env in (("111111111111", "staging"), ("222222222222", "production")):
        credentials = boto3.client("sts", region_name="us-east-1", endpoint_url=endpoint_url).assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/seed", RoleSessionName="seed")["Credentials"]
        ssm = boto3.client("ssm", region_name="us-east-1", endpoint_url=endpoint_url,
                           aws_access_key_id=credentials["AccessKeyId"],
                           aws_secret_access_key=credentials["SecretAccessKey"],
                           aws_session_token=credentials["SessionToken"])
        ssm.put_parameter(Name=f"/northwind/{env}/db/pool-size", Value="20", Type="String")
        if env == "production":
            ssm.put_parameter(Name="/northwind/production/db/replica-url", Value="x", Type="String")


@pytest.fixture
def aws():
    with mock_aws():
        seed()
        yield


def assert_contract(document: dict) -> None:
    assert set(document) == {"run", "findings"}
    assert set(document["run"]) == set(RUN_KEYS)
    for key, kind in RUN_KEYS.items():
        assert isinstance(document["run"][key], kind), key
    for finding in document["findings"]:
        assert set(finding) == set(FINDING_KEYS)
        for key, kind in FINDING_KEYS.items():
            assert isinstance(finding[key], kind), (key, finding)
        assert finding["status"] in STATUSES and all(isinstance(c, str) for c in finding["controls"])


def test_json_prints_exactly_the_findings_contract(aws, platform_file, capsys):
    code = main(["collect", "--platform", str(platform_file), "--json", "--no-store",
                 "--check", "environment.ssm_parity", "--check", "environment.secrets_parity"])
    out = capsys.readouterr().out
    assert code == 0
    document = json.loads(out)
    assert_contract(document)
    assert document["run"]["checks"] == 2 and document["run"]["api_calls"] > 0
    failing = [f for f in document["findings"] if f["status"] == "fail"]
    assert [f["message"] for f in failing] == ["production parameter db/replica-url has no counterpart in staging"]
    assert failing[0]["baseline"] == "staging" and failing[0]["account"] == "222222222222"
    assert failing[0]["resource"] == "arn:aws:ssm:us-east-1:222222222222:parameter/northwind/production/db/replica-url"


def test_the_summary_counts_findings_per_area_and_check_and_stores_the_run(aws, platform_file, tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'store.db'}"
    code = main(["collect", "--platform", str(platform_file), "--db", db, "--env", "production",
                 "--check", "environment.ssm_parity"])
    out = capsys.readouterr().out
    assert code == 0
    row = next(line for line in out.splitlines() if line.strip().startswith("environment.ssm_parity"))
    assert row.split()[1:] == ["1", "1", "0", "0", "0", "0"]  # pass fail warn unknown error n/a
    assert "API calls" in out and "Failing:" in out and "Stored evidence run" in out
    engine = make_engine(db)
    with session_scope(engine) as session:
        platform = platform_by_name(session, name="Northwind Wealth (tests)")
        stored = load_run(session, run_id=latest_run(session, platform_id=platform.id).id)
    assert stored.environments == ["production"] and len(stored.findings) == 2
    assert {i.environment for i in stored.inventories} == {"staging", "production"}


def test_a_broken_platform_file_exits_2_naming_the_line(tmp_path, capsys):
    path = tmp_path / "broken.yaml"
    path.write_text(PLATFORM.format(checklist=CHECKLIST).replace("tier: production", "tier: live"))
    assert main(["collect", "--platform", str(path), "--no-store"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:9: environments[1].tier:" in err and "Traceback" not in err


def test_an_unknown_environment_exits_2_naming_the_known_ones(platform_file, capsys):
    assert main(["collect", "--platform", str(platform_file), "--env", "prod", "--no-store"]) == 2
    assert "no environment 'prod'; it has staging, production" in capsys.readouterr().err


def test_a_demo_platform_is_refused_without_an_endpoint(capsys):
    assert main(["collect", "--platform", str(REPO_ROOT / "data" / "platforms" / "demo.yaml"), "--no-store"]) == 2
    err = capsys.readouterr().err
    assert "demo" in err and "--endpoint-url" in err


def test_a_demo_platform_is_collected_from_the_simulated_aws_at_the_endpoint(tmp_path, capsys):
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        seed(endpoint)
        db = f"sqlite:///{tmp_path / 'store.db'}"
        code = main(["collect", "--platform", str(REPO_ROOT / "data" / "platforms" / "demo.yaml"), "--db", db,
                     "--json", "--endpoint-url", endpoint])
    finally:
        server.stop()
    captured = capsys.readouterr()
    assert code == 0, captured.err
    document = json.loads(captured.out)
    assert_contract(document)
    assert document["run"]["checks"] >= 10
    ssm = [f for f in document["findings"] if f["check"] == "environment.ssm_parity"]
    assert {f["account"] for f in ssm} == {"222222222222"} and {f["status"] for f in ssm} == {"pass", "fail"}
    with session_scope(make_engine(db)) as session:
        platform = platform_by_name(session, name="Northwind Wealth (demo)")
        assert "endpoint_url: null" in platform.config_yaml  # the emulator's address is not the platform's
        assert latest_run(session, platform_id=platform.id).is_demo
