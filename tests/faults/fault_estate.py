"""A small estate in the simulated AWS, and faults injected into the requests the collectors send to it."""
from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from readiness.evidence.session import new_boto_session
from readiness.platform import AwsAccess, Environment, Platform, Select

REGION, OTHER_REGION = "us-east-1", "eu-west-1"
ACCOUNT = "210987654321"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/readiness-readonly"
PARAMETERS = [f"app/setting-{i:02d}" for i in range(12)]  # more than one page: the simulation pages by ten
SECRETS = ["db/password", "broker/api-key"]
# One check per collector the tests break, so the checks a fault reaches are known exactly.
CHECKS = ("environment.ssm_parity", "environment.secrets_parity", "dataflow.bucket_protection",
          "batch.queue_redrive", "dataflow.dynamodb_pitr")


def builder_session(region: str = REGION) -> Any:
    """Credentials inside the estate's account, to build it (the collectors assume the role themselves)."""
    credentials = new_boto_session().client("sts", region_name=region).assume_role(
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/builder", RoleSessionName="builder")["Credentials"]
    return new_boto_session(aws_access_key_id=credentials["AccessKeyId"],
                            aws_secret_access_key=credentials["SecretAccessKey"],
                            aws_session_token=credentials["SessionToken"])


def build_estate(regions: tuple[str, ...] = (REGION,)) -> Platform:
    """Staging and production alike: parameters, secrets, a protected bucket, a redriven queue, a backed-up table."""
    session = builder_session()
    for region in regions:
        ssm = session.client("ssm", region_name=region)
        secrets = session.client("secretsmanager", region_name=region)
        for env in ("staging", "production"):
            for name in PARAMETERS:
                ssm.put_parameter(Name=f"/nw/{env}/{name}", Value="1", Type="String")
            for name in SECRETS:
                secrets.create_secret(Name=f"nw/{env}/{name}", SecretString="not-read")
    s3 = session.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="nw-prod-reports")
    s3.put_bucket_versioning(Bucket="nw-prod-reports", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_encryption(Bucket="nw-prod-reports", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    s3.put_public_access_block(Bucket="nw-prod-reports", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    sqs = session.client("sqs", region_name=REGION)
    dead = sqs.create_queue(QueueName="nw-prod-orders-dlq")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.create_queue(QueueName="nw-prod-orders", Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": 5})})
    dynamodb = session.client("dynamodb", region_name=REGION)
    dynamodb.create_table(TableName="nw-prod-positions", BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    dynamodb.update_continuous_backups(TableName="nw-prod-positions", PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": True})
    return estate_platform(regions)


def estate_platform(regions: tuple[str, ...] = (REGION,)) -> Platform:
    def environment(name: str, short: str) -> Environment:
        return Environment(name=name, tier=name, aws=AwsAccess(role_arn=ROLE, regions=list(regions)),
                           select=Select(name_prefix=f"nw-{short}-", ssm_path=f"/nw/{name}/",
                                         secrets_prefix=f"nw/{name}/"))

    return Platform(name="Northwind faults", environments=[environment("staging", "staging"),
                                                           environment("production", "prod")],
                    compare=[("staging", "production")])


# ---- faults ---------------------------------------------------------------------------------------

# (HTTP status, error code) as each service answers; None: the request never gets an answer.
ANSWERS = {
    "throttled": (400, "ThrottlingException"),
    "denied": (403, "AccessDeniedException"),
    "server_error": (500, "InternalFailure"),
    "unavailable": (503, "ServiceUnavailable"),
    "expired": (400, "ExpiredTokenException"),
    "timeout": None,
    "unreachable": None,
    "cut_short": None,  # a 200 whose body ends part way through
    "token_repeats": None,  # a page that hands back the token it was asked with
}
XML_CODES = {"AccessDeniedException": "AccessDenied", "ThrottlingException": "Throttling",
             "ExpiredTokenException": "ExpiredToken"}


class _Body:
    """The raw body botocore reads a response from."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any):
        yield self.body


@dataclass(frozen=True)
class Fault:
    """What goes wrong, and where: a service (as botocore names it), optionally one operation, region or page."""

    kind: str
    service: str
    operation: str | None = None
    region: str | None = None
    later_pages_only: bool = False  # the first page answers, every following one fails
    times: int | None = None  # fail only this many attempts, then answer normally

    def matches(self, service: str, operation: str, request: Any) -> bool:
        return (service == self.service and self.operation in (None, operation)
                and (self.region is None or f".{self.region}." in request.url)
                and (not self.later_pages_only or b"NextToken" in (request.body or b"")))

    def answer(self, request: Any) -> AWSResponse:
        if self.kind == "timeout":
            raise ReadTimeoutError(endpoint_url=request.url)
        if self.kind == "unreachable":
            raise EndpointConnectionError(endpoint_url=request.url)
        if self.kind == "cut_short":
            return AWSResponse(request.url, 200, {}, _Body(b'{"Parameters": [{"Name": "/nw/production/app/set'))
        if self.kind == "token_repeats":
            token = json.loads(request.body)["NextToken"]
            return AWSResponse(request.url, 200, {}, _Body(json.dumps({"Parameters": [], "NextToken": token}).encode()))
        status, code = ANSWERS[self.kind]
        if "X-Amz-Target" in request.headers:  # a JSON protocol
            body = json.dumps({"__type": code, "message": f"injected {self.kind}"}).encode()
        else:
            code = XML_CODES.get(code, code)
            error = f"<Error><Code>{code}</Code><Message>injected {self.kind}</Message></Error>"
            body = (error if self.service == "s3" else f"<ErrorResponse>{error}</ErrorResponse>").encode()
        return AWSResponse(request.url, status, {}, _Body(body))


@dataclass
class FaultInjector:
    """A before-send hook: answers the requests a fault matches instead of AWS, and counts every attempt."""

    faults: tuple[Fault, ...]
    attempts: Counter = field(default_factory=Counter)  # (service, operation, invocation) -> attempts sent
    injected: Counter = field(default_factory=Counter)  # fault -> attempts it answered
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        _, service, operation = event_name.split(".", 2)
        invocation = request.headers.get("amz-sdk-invocation-id")
        with self._lock:
            self.attempts[(service, operation, invocation)] += 1
            fault = next((f for f in self.faults if f.matches(service, operation, request)
                          and (f.times is None or self.injected[f] < f.times)), None)
            if fault is not None:
                self.injected[fault] += 1
        return fault.answer(request) if fault else None

    @property
    def hooks(self) -> tuple[tuple[str, Any], ...]:
        return (("before-send", self),)

    def most_attempts(self, service: str, operation: str | None = None) -> int:
        return max((n for (s, o, _), n in self.attempts.items() if s == service and operation in (None, o)),
                   default=0)
