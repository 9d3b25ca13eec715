"""Why a read failed, told in words a reader can act on."""
from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)

from readiness.evidence.failures import unknown_reason


def client_error(code: str, status: int, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": status}}, "DescribeParameters")


@pytest.mark.parametrize(("code", "status"), [
    ("AccessDeniedException", 400), ("AccessDenied", 403), ("UnauthorizedOperation", 403), ("403", 403),
    ("SomethingNew", 403),
])
def test_denials_name_the_missing_permission(code, status):
    reason = unknown_reason(client_error(code, status), "ssm:DescribeParameters")
    assert reason == "AccessDenied: ssm:DescribeParameters"


@pytest.mark.parametrize("code", ["Throttling", "ThrottlingException", "TooManyRequestsException",
                                  "RequestLimitExceeded", "SlowDown"])
def test_throttling_past_the_retries_is_told_apart(code):
    reason = unknown_reason(client_error(code, 400), "ecs:DescribeServices")
    assert reason == f"Throttled: ecs:DescribeServices was still throttled after retries ({code})"


@pytest.mark.parametrize("code", ["ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"])
def test_rejected_credentials_are_told_apart_from_denials(code):
    reason = unknown_reason(client_error(code, 403), "ssm:DescribeParameters")
    assert reason == f"Credentials rejected: {code} on ssm:DescribeParameters"


def test_server_errors_say_the_service_was_unavailable():
    reason = unknown_reason(client_error("InternalFailure", 500), "rds:DescribeDBInstances")
    assert reason == "Service unavailable: rds:DescribeDBInstances answered HTTP 500 (InternalFailure)"


def test_other_client_errors_keep_their_code_and_message():
    reason = unknown_reason(client_error("ValidationException", 400, "bad filter"), "ssm:DescribeParameters")
    assert reason == "ValidationException: ssm:DescribeParameters: bad filter"


def test_network_and_credential_problems_are_explained():
    assert unknown_reason(ReadTimeoutError(endpoint_url="https://ssm"), "ssm:DescribeParameters") == (
        "Timed out: ssm:DescribeParameters did not answer in time")
    assert unknown_reason(EndpointConnectionError(endpoint_url="https://ssm.example"), "ssm:X").startswith(
        "Unreachable: could not connect to https://ssm.example")
    assert unknown_reason(NoCredentialsError()).startswith("No credentials")
    assert "nope" in unknown_reason(ProfileNotFound(profile="nope"))


def test_anything_else_keeps_the_exception_text():
    assert unknown_reason(KeyError("Parameters"), "ssm:DescribeParameters") == (
        "Collector failed on ssm:DescribeParameters: KeyError: 'Parameters'")
    assert unknown_reason(RuntimeError("kaput")) == "Collector failed: RuntimeError: kaput"
