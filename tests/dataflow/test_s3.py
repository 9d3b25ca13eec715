"""Exports read from S3 (moto): read-only calls, paginated listing, and unreadable locations made unknown."""
from __future__ import annotations

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws
from moto.server import ThreadedMotoServer
from sample_exports import SAMPLES

from readiness.dataflow.validate import gather_exports, on_simulation, validate_exports
from readiness.evidence import data_exports
from readiness.evidence.model import Status

BUCKETS = {"staging": "nw-staging-exports", "production": "nw-prod-exports"}


def real_estate(platform, *, roles: bool = True):
    """The demo platform as a real estate configures it (no simulation), its roles kept or not."""
    environments = platform.environments if roles else [
        e.model_copy(update={"aws": e.aws.model_copy(update={"role_arn": None, "external_id": None})})
        for e in platform.environments]
    return platform.model_copy(update={"environments": environments, "demo": False})


def without_roles(platform):
    """Each environment read with the test's own credentials."""
    return real_estate(platform, roles=False)


def upload_samples(s3, bucket: str, environment: str, extra: dict[str, bytes] | None = None) -> None:
    s3.create_bucket(Bucket=bucket)
    for path in sorted((SAMPLES / environment).glob("*.csv")):
        s3.put_object(Bucket=bucket, Key=f"portfolio/{path.name}", Body=path.read_bytes())
    for key, body in (extra or {}).items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)


@pytest.fixture
def aws():
    with mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


def recording_clients(calls: list[str]):
    def client_for(environment):
        client = data_exports.s3_client(environment)
        client.meta.events.register("before-call.s3", lambda model, **_: calls.append(model.name))
        return client
    return client_for


def test_exports_in_s3_are_validated_with_list_and_get_calls_only(aws, platform):
    for environment, bucket in BUCKETS.items():
        upload_samples(aws, bucket, environment, extra={"portfolio/README.txt": b"notes",
                                                        "portfolio/archive/positions.csv": b"old"})
    calls: list[str] = []
    inputs = gather_exports(without_roles(platform), client_for=recording_clients(calls))
    assert set(calls) == {"ListObjectsV2", "GetObject"}
    assert calls.count("GetObject") == 12  # six exports per environment; README and sub-folders untouched
    assert inputs["production"].ignored == ["README.txt"]
    run = validate_exports(platform, inputs)
    assert run.api_calls == len(calls) == 14
    failing = {(f.check, f.environment) for f in run.findings if f.status == Status.FAIL}
    assert ("dataflow.market_value_arithmetic", "production") in failing
    assert ("dataflow.environment_agreement", "production") in failing
    record = next(i for i in run.inventories if i.environment == "production")
    assert record.region == "us-east-1" and record.payload["source"] == "s3://nw-prod-exports/portfolio/"
    assert {f["name"] for f in record.payload["files"]} == {p.name for p in (SAMPLES / "production").glob("*.csv")}


def test_the_role_of_each_environment_is_assumed_to_read_its_account(aws, platform):
    for environment, bucket in BUCKETS.items():
        role = platform.environment(environment).aws.role_arn
        credentials = boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn=role, RoleSessionName="seed")["Credentials"]
        seeded = boto3.client("s3", region_name="us-east-1", aws_access_key_id=credentials["AccessKeyId"],
                              aws_secret_access_key=credentials["SecretAccessKey"],
                              aws_session_token=credentials["SessionToken"])
        upload_samples(seeded, bucket, environment)
    inputs = gather_exports(real_estate(platform))
    assert {name: e.unreadable for name, e in inputs.items()} == {"staging": None, "production": None}
    assert len(inputs["staging"].files) == 6


def test_a_missing_bucket_leaves_that_environment_unknown_with_the_reason(aws, platform):
    upload_samples(aws, BUCKETS["production"], "production")
    inputs = gather_exports(without_roles(platform))
    assert inputs["staging"].unreadable == "NoSuchBucket: s3:ListBucket on nw-staging-exports"
    run = validate_exports(platform, inputs)
    staging = [f for f in run.findings if f.environment == "staging"]
    assert {f.status for f in staging} == {Status.UNKNOWN}
    assert next(i for i in run.inventories if i.environment == "staging").status == "unknown"


def test_access_denied_is_unknown_not_a_failure(aws, platform):
    for environment, bucket in BUCKETS.items():
        upload_samples(aws, bucket, environment)

    def deny(request, **_):
        return AWSResponse(request.url, 403, {}, _Raw(b"<Error><Code>AccessDenied</Code>"
                                                      b"<Message>Access Denied</Message></Error>"))

    def client_for(environment):
        client = data_exports.s3_client(environment)
        if environment.name == "production":
            client.meta.events.register_first("before-send.s3.GetObject", deny)
        return client

    inputs = gather_exports(without_roles(platform), client_for=client_for)
    assert inputs["production"].unreadable.startswith("AccessDenied: s3:GetObject on s3://nw-prod-exports/portfolio/")
    assert inputs["staging"].unreadable is None


def test_an_empty_prefix_is_unknown(aws, platform):
    aws.create_bucket(Bucket=BUCKETS["staging"])
    inputs = gather_exports(without_roles(platform), ["staging"])
    assert inputs["staging"].unreadable == "no export files under s3://nw-staging-exports/portfolio/"


def test_listing_follows_every_page(aws):
    aws.create_bucket(Bucket="many")
    for n in range(5):
        aws.put_object(Bucket="many", Key=f"exports/other-{n}.txt", Body=b"")
    aws.put_object(Bucket="many", Key="exports/zz-last/positions.csv", Body=b"")
    aws.put_object(Bucket="many", Key="exports/transactions.csv", Body=b"x")
    fetched = data_exports.fetch_exports(aws, "s3://many/exports", is_export=lambda name: name.endswith(".csv"),
                                         page_size=2)
    assert [name for name, _ in fetched.files] == ["transactions.csv"]
    assert len(fetched.ignored) == 5 and fetched.api_calls == 5  # four pages (a folder counts), one object


class _Raw:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_):
        yield self._body

    def read(self, *_):
        body, self._body = self._body, b""
        return body


@pytest.fixture
def simulated_aws():
    """moto's server on 127.0.0.1, as the demo runs it: reached through its endpoint, with fake credentials."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_a_demo_reads_its_exports_from_the_simulation_at_its_endpoint(simulated_aws, platform, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")  # the simulation is reached without anyone's credentials
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    for environment, bucket in BUCKETS.items():
        sts = boto3.client("sts", region_name="us-east-1", endpoint_url=simulated_aws,
                           aws_access_key_id="seed", aws_secret_access_key="seed")
        credentials = sts.assume_role(RoleArn=platform.environment(environment).aws.role_arn,
                                      RoleSessionName="seed")["Credentials"]
        upload_samples(boto3.client("s3", region_name="us-east-1", endpoint_url=simulated_aws,
                                    aws_access_key_id=credentials["AccessKeyId"],
                                    aws_secret_access_key=credentials["SecretAccessKey"],
                                    aws_session_token=credentials["SessionToken"]), bucket, environment)
    inputs = gather_exports(on_simulation(platform, simulated_aws))
    assert {name: (e.unreadable, len(e.files)) for name, e in inputs.items()} == {
        "staging": (None, 6), "production": (None, 6)}
