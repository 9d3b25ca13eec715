"""Testing the connection to an environment: who Readiness is there, and which collectors may read (moto)."""
from __future__ import annotations

import json

import boto3
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from readiness.evidence.collecting import CollectorSpec, Inventory, all_collectors
from readiness.evidence.connection import probe_connection
from readiness.platform import AwsAccess, Environment, Select

READER_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sts:GetCallerIdentity", "ssm:DescribeParameters"], "Resource": "*"}]}


def production(**aws) -> Environment:
    return Environment(name="production", tier="production", aws=AwsAccess(**aws), select=Select(name_prefix="nw-"))


def some(*names: str) -> dict[str, CollectorSpec]:
    return {name: spec for name, spec in all_collectors().items() if name in names}


@mock_aws
def test_an_assumed_role_reports_its_account_its_identity_and_every_read_allowed():
    env = production(role_arn="arn:aws:iam::222222222222:role/readiness-readonly", external_id="northwind",
                     regions=["us-east-1", "eu-west-1"])

    report = probe_connection(env, collectors=some("ssm", "s3"))

    assert report.connected and report.account == "222222222222"
    assert report.arn == "arn:aws:sts::222222222222:assumed-role/readiness-readonly/readiness"
    assert [(c.collector, c.region, c.readable, c.action) for c in report.collectors] == [
        ("s3", "eu-west-1", True, "s3:ListAllMyBuckets"), ("s3", "us-east-1", True, "s3:ListAllMyBuckets"),
        ("ssm", "eu-west-1", True, "ssm:DescribeParameters"), ("ssm", "us-east-1", True, "ssm:DescribeParameters")]


@set_initial_no_auth_action_count(3)  # creating the user, its policy and its key
@mock_aws
def test_a_read_the_role_lacks_is_denied_with_its_action_and_the_others_still_read(monkeypatch):
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="reader")
    iam.put_user_policy(UserName="reader", PolicyName="read-some", PolicyDocument=json.dumps(READER_POLICY))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])

    report = probe_connection(production(), collectors=some("ssm", "secretsmanager", "s3"))

    assert report.arn.endswith(":user/reader")
    assert {c.collector: (c.readable, c.reason) for c in report.collectors} == {
        "ssm": (True, None),
        "secretsmanager": (False, "AccessDenied: secretsmanager:ListSecrets"),
        "s3": (False, "AccessDenied: s3:ListAllMyBuckets"),
    }
    assert "1 of 3 reads allowed" in report.summary()


def test_a_missing_profile_says_why_no_session_could_be_opened():
    report = probe_connection(production(profile="no-such-profile"), collectors=some("ssm"))

    assert not report.connected and report.collectors == []
    assert report.error == "No credentials: The config profile (no-such-profile) could not be found"


class _Nothing(Inventory):
    collector = "writer"


@mock_aws
def test_a_collector_that_tries_to_write_is_stopped_before_the_call_is_sent():
    def write(ctx):
        ctx.client("ssm").put_parameter(Name="/nw/x", Value="y", Type="String")
        return _Nothing()

    report = probe_connection(production(), collectors={"writer": CollectorSpec("writer", (), _Nothing, write)})

    assert [(c.readable, c.reason) for c in report.collectors] == [
        (False, "Collector failed on ssm:PutParameter: NotReadOnly: refused to call ssm:PutParameter: "
                "Readiness only reads")]
    assert boto3.client("ssm", region_name="us-east-1").describe_parameters()["Parameters"] == []


@set_initial_no_auth_action_count(3)
@mock_aws
def test_a_collector_that_swallows_its_own_failure_is_still_reported_denied(monkeypatch):
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="blind")
    iam.put_user_policy(UserName="blind", PolicyName="who-am-i", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity",
                                                 "Resource": "*"}]}))
    key = iam.create_access_key(UserName="blind")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])

    def forgiving(ctx):
        try:
            ctx.client("ssm").describe_parameters()
        except Exception:  # as a collector keeping a partial inventory would
            pass
        return _Nothing()

    report = probe_connection(production(), collectors={"writer": CollectorSpec("writer", (), _Nothing, forgiving)})

    assert [(c.readable, c.reason) for c in report.collectors] == [(False, "AccessDenied: ssm:DescribeParameters")]
