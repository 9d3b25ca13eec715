"""Why AWS could not be read, in words a reader can act on ("AccessDenied: ssm:DescribeParameters")."""
from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

DENIED_CODES = {"UnauthorizedOperation", "AuthorizationError", "AuthorizationErrorException", "Forbidden", "403"}
THROTTLED_CODES = {"Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded",
                   "TooManyRequestsException", "SlowDown", "RequestThrottled", "RequestThrottledException",
                   "ProvisionedThroughputExceededException", "LimitExceededException"}
CREDENTIAL_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
                    "UnrecognizedClientException", "SignatureDoesNotMatch", "AuthFailure", "InvalidAccessKeyId",
                    "InvalidToken"}


def unknown_reason(exc: BaseException, action: str | None = None) -> str:
    """One line saying why a read failed; `action` is the IAM action of the call that failed, if known."""
    what = action or "AWS"
    if isinstance(exc, ClientError):
        return _client_error_reason(exc, what)
    if isinstance(exc, (ReadTimeoutError, ConnectTimeoutError)):
        return f"Timed out: {what} did not answer in time"
    if isinstance(exc, EndpointConnectionError):
        return f"Unreachable: could not connect to {exc.kwargs.get('endpoint_url', 'the AWS endpoint')} for {what}"
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return "No credentials: no AWS credentials were found (profile, environment or instance role)"
    if isinstance(exc, ProfileNotFound):
        return f"No credentials: {exc}"
    if isinstance(exc, NoRegionError):
        return "No region: set regions for the environment"
    if isinstance(exc, ResponseParserError):
        return f"Unreadable answer: {what} sent a response that could not be read ({exc})"
    if isinstance(exc, BotoCoreError):
        return f"AWS client error on {what}: {exc}"
    where = f" on {action}" if action else ""
    return f"Collector failed{where}: {type(exc).__name__}: {exc}"


def _client_error_reason(exc: ClientError, what: str) -> str:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    message = str(error.get("Message", "")).strip()
    if code.startswith("AccessDenied") or code in DENIED_CODES or status == 403 and code not in CREDENTIAL_CODES:
        return f"AccessDenied: {what}"
    if code.startswith("Throttl") or code in THROTTLED_CODES:
        return f"Throttled: {what} was still throttled after retries ({code})"
    if code in CREDENTIAL_CODES:
        return f"Credentials rejected: {code} on {what}"
    if status >= 500:
        return f"Service unavailable: {what} answered HTTP {status} ({code or 'no error code'})"
    return f"{code or 'Error'}: {what}" + (f": {message}" if message else "")


def refuse_unreadable_json(operation_model: Any, response_dict: dict, **_: Any) -> None:
    """A botocore `before-parse` hook. botocore reads a JSON answer it cannot parse as an empty one, so a page
    cut short (no items, no next token) would pass for the last page: refuse it, and the read is unknown."""
    body = response_dict.get("body")
    if (operation_model.service_model.resolved_protocol not in ("json", "rest-json")
            or response_dict.get("status_code", 0) >= 300 or not isinstance(body, bytes) or not body.strip()):
        return
    try:
        json.loads(body)
    except ValueError:
        raise ResponseParserError(f"{operation_model.name} answered with a body that is not whole JSON "
                                  f"({len(body)} bytes)") from None
