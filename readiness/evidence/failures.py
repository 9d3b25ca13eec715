"""Why AWS could not be read, in words a reader can act on ("AccessDenied: ssm:DescribeParameters")."""
from __future__ import annotations

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
