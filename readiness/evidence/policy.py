"""The read-only IAM policy Readiness needs, made from the actions its collectors declare."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from readiness.evidence.collecting import all_collectors

POLICY_FILE = Path(__file__).resolve().parents[2] / "data" / "iam" / "readiness-readonly.json"

# Services whose IAM prefix is not the name they sign requests with.
IAM_PREFIX_OF = {"monitoring": "cloudwatch", "tagging": "tag", "email": "ses"}
# Operations whose IAM action is not named after the operation itself.
IAM_ACTION_OF = {
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "budgets:DescribeBudgets": "budgets:ViewBudget",
    "budgets:DescribeBudget": "budgets:ViewBudget",
    "budgets:DescribeNotificationsForBudget": "budgets:ViewBudget",
    "tagging:GetResources": "tag:GetResources",
}
# Services that authorise their management API by HTTP verb: every read is `<prefix>:GET`.
HTTP_VERB_SERVICES = ("apigateway",)
# Never needed and never wanted, even if a broader policy is attached to the same role.
DENIED = ("secretsmanager:GetSecretValue", "kms:Decrypt", "ssm:GetParameter", "ssm:GetParameters",
          "ssm:GetParametersByPath")
# Calls every run makes that need no permission in the role itself (the caller's role assumes it).
SESSION_ACTIONS = ("sts:AssumeRole", "sts:GetCallerIdentity")
READ_ONLY = re.compile(r"^[a-z0-9-]+:(List|Describe|Get|BatchGet)[A-Za-z0-9]*$")
READ_ONLY_BY_NAME = ("budgets:ViewBudget",)  # reads, though not named List, Describe or Get


def iam_action(prefix: str, operation: str) -> str:
    """The IAM action of an operation: `iam_action("monitoring", "DescribeAlarms")` -> `cloudwatch:DescribeAlarms`."""
    prefix = IAM_PREFIX_OF.get(prefix, prefix)
    action = f"{prefix}:{operation}"
    if prefix in HTTP_VERB_SERVICES and operation.startswith("Get"):
        return f"{prefix}:GET"
    return IAM_ACTION_OF.get(action, action)


def is_read_only(action: str) -> bool:
    """List, Describe and Get actions, never one that reads a secret or decrypts; plus the session's STS calls."""
    if action in SESSION_ACTIONS or action in READ_ONLY_BY_NAME or action in (
            f"{prefix}:GET" for prefix in HTTP_VERB_SERVICES):
        return True
    return bool(READ_ONLY.match(action)) and action not in DENIED


def declared_actions() -> list[str]:
    """The actions of every collector: all the configuration Readiness reads."""
    return sorted({action for spec in all_collectors().values() for action in spec.actions})


def export_actions() -> list[str]:
    """The actions of the data-accuracy validation, which reads the portfolio exports named in `data.s3`."""
    try:
        from readiness.evidence import data_exports
    except ModuleNotFoundError:
        return []
    return sorted(getattr(data_exports, "ACTIONS", ()))


def readonly_policy() -> dict[str, Any]:
    """The IAM policy document to attach to the role Readiness assumes in every account."""
    statements: list[dict[str, Any]] = [
        {"Sid": "ReadinessReadsConfiguration", "Effect": "Allow", "Action": declared_actions(), "Resource": "*"},
    ]
    if export_actions():  # narrow Resource to the export buckets where the estate allows
        statements.append({"Sid": "ReadinessReadsPortfolioExports", "Effect": "Allow", "Action": export_actions(),
                           "Resource": "*"})
    statements.append({"Sid": "ReadinessNeverReadsSecrets", "Effect": "Deny", "Action": list(DENIED),
                       "Resource": "*"})
    return {"Version": "2012-10-17", "Statement": statements}


def policy_text() -> str:
    return json.dumps(readonly_policy(), indent=2) + "\n"


def write_policy(path: Path = POLICY_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(policy_text(), encoding="utf-8")
    return path


if __name__ == "__main__":  # python -m readiness.evidence.policy regenerates the file after a collector changes
    print(f"wrote {write_policy()}")
