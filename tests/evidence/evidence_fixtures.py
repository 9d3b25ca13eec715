"""Helpers of the evidence tests: fresh accounts in the simulated AWS, environments, reads and judgements."""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse

from readiness.assessment import checklist_for
from readiness.evidence.checking import EnvView
from readiness.evidence.collecting import Inventory, all_collectors
from readiness.evidence.judging import Judgement, judge
from readiness.evidence.model import Finding, InventoryRecord
from readiness.evidence.registry import all_checks
from readiness.evidence.runner import collect
from readiness.evidence.session import ApiCallCounter, EventHook, new_boto_session
from readiness.platform import AwsAccess, Environment, Platform, Select

REGION = "us-east-1"
_accounts = itertools.count(100000000001)


@dataclass
class Account:
    """A fresh account of the simulated AWS, with clients to build an estate in it."""

    id: str
    session: Any  # boto3.Session
    clients: dict[str, Any] = field(default_factory=dict)

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.id}:role/readiness-readonly"

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = self.session.client(service, region_name=REGION)
        return self.clients[service]


def new_account() -> Account:
    account_id = str(next(_accounts))
    credentials = new_boto_session().client("sts", region_name=REGION).assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/builder", RoleSessionName="builder")["Credentials"]
    return Account(account_id, new_boto_session(aws_access_key_id=credentials["AccessKeyId"],
                                                aws_secret_access_key=credentials["SecretAccessKey"],
                                                aws_session_token=credentials["SessionToken"]))



def make_environment(name: str = "production", *, account: Account | None = None, tier: str | None = None,
                     prefix: str | None = None, tags: dict[str, str] | None = None, ssm_path: str | None = None,
                     secrets_prefix: str | None = None, regions: tuple[str, ...] = (REGION,)) -> Environment:
    short = {"production": "prod"}.get(name, name)
    return Environment(
        name=name, tier=tier or (name if name in ("staging", "production") else "other"),
        aws=AwsAccess(role_arn=account.role_arn if account else None, external_id="readiness-tests",
                      regions=list(regions)),
        select=Select(tags=tags or {}, name_prefix=prefix if prefix is not None else f"nw-{short}-",
                      ssm_path=ssm_path, secrets_prefix=secrets_prefix),
    )



def read_inventory(collector: str, env: Environment, hooks: tuple[EventHook, ...] = ()) -> InventoryRecord:
    """What one collector reads from one environment, through the runner (so failures are classified)."""
    platform = Platform(name="tests", environments=[env])
    records = collect(platform, {env.name: {collector}}, all_collectors(), counter=ApiCallCounter(),
                      max_workers=1, report=lambda event: None, hooks=hooks)
    return records[0]



def denied(operation: str, code: str = "AccessDeniedException") -> EventHook:
    """A hook answering `operation` as IAM would when the role lacks its permission."""

    def answer(model: Any, **_: Any) -> tuple[AWSResponse, dict] | None:
        if model.name != operation:
            return None
        return (AWSResponse("https://denied.invalid", 403, {}, None),
                {"Error": {"Code": code, "Message": "not authorized"}, "ResponseMetadata": {"HTTPStatusCode": 403}})

    return ("before-call", answer)



# ---- checks judged from plain inventories, no AWS ----------------------------------------------

NOW = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)
STAGING_ACCOUNT, PRODUCTION_ACCOUNT = "111111111111", "222222222222"
STAGING = make_environment("staging", prefix="nw-staging-", ssm_path="/northwind/staging/",
                           secrets_prefix="northwind/staging/")
PRODUCTION = make_environment("production", prefix="nw-prod-", ssm_path="/northwind/production/",
                              secrets_prefix="northwind/production/")
CHECKS_PLATFORM = Platform(name="tests", environments=[STAGING, PRODUCTION], compare=[("staging", "production")])


def judge_check(check_id: str, production: list[Inventory], staging: list[Inventory] | None = None, *,
                unknown: dict[str, str] | None = None, now: dt.datetime = NOW) -> list[Finding]:
    """The findings of one check on production (compared with staging when the check compares)."""
    spec = all_checks()[check_id]
    views = {"production": EnvView.build(PRODUCTION, production, account=PRODUCTION_ACCOUNT, unknown=unknown),
             "staging": EnvView.build(STAGING, staging or [], account=STAGING_ACCOUNT)}
    judgement = Judgement(spec, "production", "staging" if spec.compares else None)
    return judge(CHECKS_PLATFORM, checklist_for(CHECKS_PLATFORM), [judgement], views, now=now)
