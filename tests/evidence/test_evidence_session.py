"""Sessions per environment: assumed roles land in the right account, calls are counted, emulators honoured."""
from __future__ import annotations

import pytest
from botocore.awsrequest import AWSResponse
from botocore.retries.standard import ExponentialBackoff

from readiness.errors import InvalidInput
from readiness.evidence.collectors.ssm import SsmInventory
from readiness.evidence.session import EnvironmentSession, ensure_runnable, resolve_platform_for_run
from readiness.platform import Platform


def test_assumed_role_with_external_id_reads_the_other_account(account, environment, read):
    account.client("ssm").put_parameter(Name="/northwind/production/region", Value="us-east-1", Type="String")
    env = environment(account=account, ssm_path="/northwind/production/")
    session = EnvironmentSession(env).open()
    assert session.account == account.id
    record = read("ssm", env)
    assert record.account == account.id
    assert [p.name for p in SsmInventory.model_validate(record.payload).parameters] == ["/northwind/production/region"]


def test_the_role_is_assumed_with_the_external_id_and_a_named_session(account, environment):
    seen = {}

    def remember(params, model, **_):
        if model.name == "AssumeRole":
            seen.update(params)

    EnvironmentSession(environment(account=account), hooks=(("provide-client-params", remember),)).open()
    assert seen == {"RoleArn": account.role_arn, "ExternalId": "readiness-tests", "RoleSessionName": "readiness"}


def test_clients_are_created_once_per_service_and_region(account, environment):
    session = EnvironmentSession(environment(account=account)).open()
    assert session.client("ssm", "us-east-1") is session.client("ssm", "us-east-1")
    assert session.client("ssm", "us-east-1") is not session.client("ssm", "eu-west-1")


def test_every_attempt_is_counted_including_retries(account, environment, read, monkeypatch):
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    failures = iter([True, True])

    def flaky(request, **_):
        if "DescribeParameters" in str(request.headers.get("X-Amz-Target", b"")) and next(failures, False):
            return AWSResponse(request.url, 503, {}, _Raw(b'{"__type": "ServiceUnavailable"}'))
        return None

    record = read("ssm", environment(account=account, ssm_path="/x/"), hooks=(("before-send", flaky),))
    assert record.status == "ok" and record.api_calls == 3  # two failed attempts and the good one


def test_a_service_failing_past_its_retries_is_unknown_with_the_reason(account, environment, read, monkeypatch):
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)

    def down(request, **_):
        if "DescribeParameters" in str(request.headers.get("X-Amz-Target", b"")):
            return AWSResponse(request.url, 503, {}, _Raw(b'{"__type": "ServiceUnavailable"}'))
        return None

    record = read("ssm", environment(account=account, ssm_path="/x/"), hooks=(("before-send", down),))
    assert record.status == "unknown" and record.api_calls == 5
    assert record.reason == "Service unavailable: ssm:DescribeParameters answered HTTP 503 (ServiceUnavailable)"


def test_a_role_that_cannot_be_assumed_leaves_every_inventory_unknown(account, environment, read, deny):
    record = read("ssm", environment(account=account), hooks=(deny("AssumeRole", "AccessDenied"),))
    assert record.status == "unknown"
    assert record.reason == "could not open a session for production: AccessDenied: sts:AssumeRole"


def test_endpoint_url_is_given_to_every_environment_of_a_run(environment):
    platform = Platform(name="demo", demo=True, environments=[environment("staging"), environment("production")])
    resolved = resolve_platform_for_run(platform, "http://127.0.0.1:5123")
    assert [e.aws.endpoint_url for e in resolved.environments] == ["http://127.0.0.1:5123"] * 2
    assert [e.aws.endpoint_url for e in platform.environments] == [None, None]  # the original is untouched
    assert resolve_platform_for_run(platform, None) is platform
    ensure_runnable(resolved)


def test_a_demo_platform_is_never_read_without_its_simulated_aws(environment):
    platform = Platform(name="demo", demo=True, environments=[environment("production")])
    with pytest.raises(InvalidInput, match="demo"):
        ensure_runnable(platform)


def test_an_endpoint_that_is_not_a_url_is_refused(environment):
    platform = Platform(name="p", environments=[environment("production")])
    with pytest.raises(InvalidInput, match="endpoint-url"):
        resolve_platform_for_run(platform, "127.0.0.1:5000")


class _Raw:
    """The raw body botocore reads from a response."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_):
        yield self.body


def test_a_profile_that_does_not_exist_is_named_in_the_reason(environment, read):
    env = environment()
    env = env.model_copy(update={"aws": env.aws.model_copy(update={"profile": "northwind-prod", "role_arn": None})})
    record = read("ssm", env)
    assert record.status == "unknown"
    assert "northwind-prod" in record.reason and record.reason.startswith("could not open a session for production")
