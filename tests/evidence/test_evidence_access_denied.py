"""A role missing permissions, as IAM itself answers (the simulated AWS enforcing policies)."""
from __future__ import annotations

import json

import boto3
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from readiness.evidence.collecting import all_collectors
from readiness.evidence.runner import collect
from readiness.evidence.session import ApiCallCounter
from readiness.platform import Platform

READER_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["sts:GetCallerIdentity", "ssm:DescribeParameters"], "Resource": "*"}]}


@set_initial_no_auth_action_count(3)  # creating the user, its policy and its key
@mock_aws
def test_permissions_the_role_lacks_make_their_inventories_unknown_and_the_rest_is_read(environment, monkeypatch):
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="reader")
    iam.put_user_policy(UserName="reader", PolicyName="read-some", PolicyDocument=json.dumps(READER_POLICY))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    env = environment(ssm_path="/northwind/production/", secrets_prefix="northwind/production/")
    records = collect(Platform(name="p", environments=[env]), {env.name: {"ssm", "secretsmanager", "s3"}},
                      all_collectors(), counter=ApiCallCounter(), max_workers=2, report=lambda event: None)
    outcome = {r.collector: (r.status, r.reason) for r in records}
    assert outcome == {
        "ssm": ("ok", None),
        "secretsmanager": ("unknown", "AccessDenied: secretsmanager:ListSecrets"),  # answered with code 403
        "s3": ("unknown", "AccessDenied: s3:ListAllMyBuckets"),  # answered with code AccessDenied
    }
