"""The demo never reaches a real AWS account: fixed fake credentials and 127.0.0.1, whatever the user has set up."""
from __future__ import annotations

import re
import stat
from urllib.parse import urlsplit

import pytest
from botocore.client import ClientCreator

from readiness.auth import Actor, Role
from readiness.errors import InvalidInput
from readiness.evidence.on_request import endpoint_for, probe_platform_environment
from readiness.evidence.service import collect_and_store
from readiness.evidence.session import SIMULATED_ACCESS_KEY, EnvironmentSession, ensure_runnable
from readiness.evidence.session import resolve_platform_for_run

REAL_LOOKING_KEY = "AKIAIOSFODNN7EXAMPLE"
PROCESS_KEY = "AKIAFROMCREDENTIALPR"
# Checks reading regional and global services (budgets and cost explorer have endpoints of their own).
CHECKS = ["environment.ssm_parity", "environment.secrets_parity", "scaling.budget_alerts",
          "architecture.ownership_tags"]
ACTOR = Actor(name="someone", role=Role.CONTRIBUTOR)


@pytest.fixture
def requests_sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(host, signing access key) of every request any botocore client of this process sends."""
    sent: list[tuple[str, str]] = []

    def record(request, **_):
        authorization = request.headers.get("Authorization", b"")
        authorization = authorization.decode() if isinstance(authorization, bytes) else authorization
        key = re.search(r"Credential=([^/]+)/", authorization)
        sent.append((urlsplit(request.url).hostname, key.group(1) if key else ""))

    created = ClientCreator.create_client

    def create_client(self, *args, **kwargs):
        client = created(self, *args, **kwargs)
        client.meta.events.register_first("before-send", record)
        return client

    monkeypatch.setattr(ClientCreator, "create_client", create_client)
    return sent


@pytest.fixture(params=["profile with a credential_process", "real-looking keys and that profile"])
def users_aws_setup(request, tmp_path, monkeypatch: pytest.MonkeyPatch):
    """A person's AWS set-up: a named profile whose credential_process leaves a marker when it runs (a real
    one would fetch credentials from AWS), and, in the second case, real-looking keys in the environment."""
    marker = tmp_path / "credential_process_ran"
    process = tmp_path / "fetch-credentials.sh"
    process.write_text(f"#!/bin/sh\ntouch {marker}\n"
                       f'echo \'{{"Version": 1, "AccessKeyId": "{PROCESS_KEY}", "SecretAccessKey": "s"}}\'\n')
    process.chmod(process.stat().st_mode | stat.S_IXUSR)
    config = tmp_path / "config"
    config.write_text(f"[profile work]\nregion = eu-west-1\ncredential_process = {process}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "work")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://real-aws.invalid")
    if request.param.startswith("real-looking"):
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_LOOKING_KEY)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    else:
        monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    return marker


def test_collecting_on_the_demo_uses_fake_credentials_on_127_0_0_1_only(platform, estate, users_aws_setup,
                                                                         requests_sent) -> None:
    run = collect_and_store(None, platform, ACTOR, checks=CHECKS, endpoint_url=endpoint_for(platform))

    assert run.api_calls > 0 and all(i.status == "ok" for i in run.inventories), run.inventories
    assert not users_aws_setup.exists(), "the profile's credential_process ran"
    assert {host for host, _ in requests_sent} == {"127.0.0.1"}
    keys = {key for _, key in requests_sent}
    assert SIMULATED_ACCESS_KEY in keys  # the calls that assume each environment's role
    assert not keys & {REAL_LOOKING_KEY, PROCESS_KEY}


def test_testing_the_connection_of_a_demo_environment_stays_on_127_0_0_1(platform, estate, users_aws_setup,
                                                                          requests_sent) -> None:
    report = probe_platform_environment(platform, "production")

    assert report.connected and report.account == estate.accounts["production"], report.error
    assert not users_aws_setup.exists()
    assert {host for host, _ in requests_sent} == {"127.0.0.1"}
    assert not {key for _, key in requests_sent} & {REAL_LOOKING_KEY, PROCESS_KEY}


def test_a_demo_pointed_anywhere_but_this_machine_is_refused_before_any_call(platform, requests_sent) -> None:
    elsewhere = resolve_platform_for_run(platform, "https://ssm.us-east-1.amazonaws.com")
    with pytest.raises(InvalidInput, match="only collected from 127.0.0.1 or localhost"):
        ensure_runnable(elsewhere)
    with pytest.raises(InvalidInput, match="only read from its simulated AWS on 127.0.0.1"):
        EnvironmentSession(elsewhere.environment("production"), simulated=True).open()
    assert requests_sent == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:5000", "http://localhost:5000", "http://[::1]:5000",
                                 "http://127.0.0.2:80"])
def test_a_demo_on_this_machine_is_runnable(platform, url) -> None:
    ensure_runnable(resolve_platform_for_run(platform, url))
