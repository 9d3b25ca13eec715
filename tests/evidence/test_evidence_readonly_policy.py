"""Read-only by construction: the policy file is the collectors' declared actions, and they call nothing else."""
from __future__ import annotations

import json
import re

import pytest
from evidence_estate import ecs_service, load_balancer, pipeline
from evidence_fixtures import make_environment, new_account

from readiness.evidence.collecting import all_collectors
from readiness.evidence.policy import POLICY_FILE, SESSION_ACTIONS, declared_actions, iam_action, is_read_only, \
    readonly_policy
from readiness.evidence.runner import collect
from readiness.evidence.session import ApiCallCounter
from readiness.platform import Platform

PRODUCTION_TAGS = {"Environment": "production"}
TAG_LIST = [{"Key": "Environment", "Value": "production"}]


def test_the_policy_file_is_the_one_made_from_the_collectors():
    assert json.loads(POLICY_FILE.read_text()) == readonly_policy(), (
        "data/iam/readiness-readonly.json is stale: run `python -m readiness.evidence.policy`")


def test_the_policy_is_a_valid_iam_document_that_allows_only_reading():
    policy = readonly_policy()
    assert policy["Version"] == "2012-10-17"
    for statement in policy["Statement"]:
        assert set(statement) == {"Sid", "Effect", "Action", "Resource"} and statement["Effect"] in ("Allow", "Deny")
        assert all(re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9]+", a) for a in statement["Action"])
        assert len(statement["Action"]) == len(set(statement["Action"]))
        if statement["Effect"] == "Allow":
            assert all(is_read_only(a) for a in statement["Action"]), statement["Action"]
    denied = next(s for s in policy["Statement"] if s["Effect"] == "Deny")["Action"]
    assert {"secretsmanager:GetSecretValue", "kms:Decrypt"} <= set(denied)


@pytest.mark.parametrize(("action", "read_only"), [
    ("ssm:DescribeParameters", True), ("ecs:ListServices", True), ("sts:AssumeRole", True),
    ("secretsmanager:GetSecretValue", False), ("kms:Decrypt", False), ("ssm:GetParameters", False),
    ("ssm:PutParameter", False), ("s3:DeleteBucket", False), ("ecs:UpdateService", False),
])
def test_read_only_means_list_describe_get_and_never_a_secret(action, read_only):
    assert is_read_only(action) is read_only


def test_every_collector_declares_only_read_only_actions():
    for spec in all_collectors().values():
        assert spec.actions and all(is_read_only(a) for a in spec.actions), spec.name


def build_estate(account):
    """One of everything the collectors read, some found by name and some only by tag."""
    ssm = account.client("ssm")
    ssm.put_parameter(Name="/northwind/production/db/url", Value="secret", Type="SecureString")
    ssm.put_parameter(Name="/northwind/production/db/pool-size", Value="20", Type="String")
    account.client("secretsmanager").create_secret(Name="northwind/production/db", SecretString="secret")
    account.client("kms").create_key()
    load_balancer(account)
    ecs_service(account)
    account.client("ecr").create_repository(repositoryName="nw-prod-api")
    account.client("rds").create_db_instance(
        DBInstanceIdentifier="nw-prod-ledger", DBInstanceClass="db.t3.micro", Engine="postgres", MasterUsername="u",
        MasterUserPassword="password123", AllocatedStorage=20, StorageEncrypted=True)
    s3 = account.client("s3")
    s3.create_bucket(Bucket="nw-prod-exports")
    s3.create_bucket(Bucket="tagged-only")
    s3.put_bucket_tagging(Bucket="tagged-only", Tagging={"TagSet": TAG_LIST})
    account.client("dynamodb").create_table(
        TableName="nw-prod-positions", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    account.client("logs").create_log_group(logGroupName="/ecs/nw-prod-api")
    account.client("logs").create_log_group(logGroupName="/aws/lambda/tagged", tags=PRODUCTION_TAGS)
    pipeline(account)
    codedeploy = account.client("codedeploy")
    codedeploy.create_application(applicationName="nw-prod-api", computePlatform="ECS")
    codedeploy.create_deployment_group(applicationName="nw-prod-api", deploymentGroupName="blue-green",
                                       serviceRoleArn=f"arn:aws:iam::{account.id}:role/cd")


def test_collectors_call_only_declared_read_only_actions_and_never_decrypt(aws):
    account = new_account()
    build_estate(account)
    env = make_environment("production", account=account, tags=PRODUCTION_TAGS, ssm_path="/northwind/production/",
                           secrets_prefix="northwind/production/")
    calls: list[tuple[str, dict]] = []

    def record(model, params, **_):
        calls.append((iam_action(model.service_model.signing_name, model.name), dict(params)))

    collectors = all_collectors()
    records = collect(Platform(name="p", environments=[env]), {env.name: set(collectors)}, collectors,
                      counter=ApiCallCounter(), max_workers=4, report=lambda event: None,
                      hooks=(("provide-client-params", record),))
    assert {r.collector: r.status for r in records} == {name: "ok" for name in collectors}
    actions = {action for action, _ in calls}
    allowed = set(declared_actions()) | set(SESSION_ACTIONS)
    assert actions - allowed == set(), "called but not declared in the policy"
    assert [a for a in actions if not is_read_only(a)] == []
    assert not [p for _, p in calls if p.get("WithDecryption")]
    # the estate reaches the per-resource and tag reads too, not only the listings
    assert {"s3:GetBucketTagging", "logs:ListTagsForResource", "ecs:DescribeTaskDefinition",
            "wafv2:GetWebACLForResource", "codedeploy:GetDeploymentGroup", "codepipeline:GetPipeline"} <= actions
