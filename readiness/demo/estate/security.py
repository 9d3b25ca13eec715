"""Identity, keys and configuration of the demo: IAM roles, KMS, Parameter Store, Secrets Manager, ACM."""
from __future__ import annotations

import datetime as dt
import json
import time

from readiness.demo.estate.environment import DemoEnv
from readiness.platform import REPO_ROOT

# The account from which Readiness reads every environment (the simulation's default account).
READER_ACCOUNT = "123456789012"
DAY = 86_400
READ_ONLY_POLICY = REPO_ROOT / "data" / "iam" / "readiness-readonly.json"

# Parameters under the environment's path: name -> (staging value, production value).
PARAMETERS: dict[str, tuple[str, str]] = {
    "db/portfolio/host": ("nw-staging-portfolio-db.internal", "nw-prod-portfolio-db.internal"),
    "db/portfolio/pool-size": ("20", "40"),
    "market-data/endpoint": ("https://sandbox.marketdata.example/v2", "https://api.marketdata.example/v2"),
    "market-data/timeout-ms": ("2000", "2000"),
    "brokerage/endpoint": ("https://uat.brokerage.example/fix", "https://fix.brokerage.example/fix"),
    "compliance/screening-endpoint": ("https://sandbox.screening.example", "https://screening.example"),
    "reporting/statement-bucket": ("nw-staging-reports", "nw-prod-reports"),
    "features/performance-view": ("on", "off"),
    "analytics/batch-window": ("01:00-05:00", "01:00-05:00"),
}
SECURE_PARAMETERS: dict[str, tuple[str, str]] = {
    "brokerage/account-id": ("UAT-000417", "NW-884120"),
    "db/portfolio/read-replica-host": ("nw-staging-portfolio-ro.internal", "nw-prod-portfolio-ro.internal"),
}
STAGING_ONLY_PARAMETER = "portfolio/rebalance-threshold-bps"  # gap env-ssm-missing-in-production
PRODUCTION_ONLY_PARAMETER = "reporting/legacy-export-path"  # gap env-ssm-only-in-production
PLAIN_IN_PRODUCTION = "brokerage/account-id"  # gap env-ssm-securestring-plain-in-production

SECRETS = ("db/portfolio", "market-data/api-key", "brokerage/credentials", "compliance/api-key")
ROTATED_EVERYWHERE = "db/portfolio"
ROTATED_IN_STAGING_ONLY = "brokerage/credentials"  # gap env-secret-rotation-staging-only
# gap env-secret-missing-in-production: the key of the fallback price feed was only ever set up in staging.
STAGING_ONLY_SECRET = "market-data/fallback-api-key"

ROLES = ("ecs-task-execution", "ecs-task", "scheduler", "states", "deploy", "pipeline")
SERVICE_PRINCIPALS = {
    "ecs-task-execution": "ecs-tasks.amazonaws.com", "ecs-task": "ecs-tasks.amazonaws.com",
    "scheduler": "scheduler.amazonaws.com", "states": "states.amazonaws.com",
    "deploy": "codedeploy.amazonaws.com", "pipeline": "codepipeline.amazonaws.com",
}


def seed_identity(env: DemoEnv, external_id: str | None) -> None:
    iam = env.aws("iam")
    condition = {"StringEquals": {"sts:ExternalId": external_id}} if external_id else {}
    iam.create_role(
        RoleName="readiness-readonly", Description="Read-only access for production-readiness evidence",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{READER_ACCOUNT}:root"},
            "Action": "sts:AssumeRole", **({"Condition": condition} if condition else {})}]}),
        Tags=env.tag_list("platform-engineering"),
    )
    iam.put_role_policy(RoleName="readiness-readonly", PolicyName="read-only",
                        PolicyDocument=json.dumps(_read_only_policy()))
    for role in ROLES:
        arn = iam.create_role(
            RoleName=env.named(role), Tags=env.tag_list("platform-engineering"),
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": SERVICE_PRINCIPALS[role]}, "Action": "sts:AssumeRole"}]}),
        )["Role"]["Arn"]
        env.remember("role", role, arn)


def _read_only_policy() -> dict:
    """The project's read-only policy when it is there, else a generic one with the same intent."""
    if READ_ONLY_POLICY.exists():
        document = json.loads(READ_ONLY_POLICY.read_text(encoding="utf-8"))
        if isinstance(document, dict) and "Statement" in document:
            return document
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["*:Describe*", "*:List*", "*:Get*"], "Resource": "*"},
        # Evidence is gathered blind to secrets: their values are never read or decrypted.
        {"Effect": "Deny", "Action": ["secretsmanager:GetSecretValue", "kms:Decrypt"], "Resource": "*"},
    ]}


def seed_keys(env: DemoEnv) -> None:
    kms = env.aws("kms")
    key = kms.create_key(Description=f"Northwind {env.name} data at rest",
                         Tags=env.tag_list("platform-engineering", key="TagKey", value="TagValue"))["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/{env.named('data')}", TargetKeyId=key["KeyId"])
    kms.enable_key_rotation(KeyId=key["KeyId"])
    env.remember("kms", "data", key["Arn"])


def seed_parameters(env: DemoEnv) -> None:
    ssm = env.aws("ssm")
    key = env.arns["kms:data"]
    column = 1 if env.production else 0

    def put(name: str, value: str, secure: bool) -> None:
        extra = {"Type": "SecureString", "KeyId": key} if secure else {"Type": "String"}
        ssm.put_parameter(Name=f"{env.ssm_path}{name}", Value=value, Tier="Standard",
                          Tags=env.tag_list(_owner_of_parameter(name)), **extra)

    for name, values in PARAMETERS.items():
        put(name, values[column], secure=False)
    for name, values in SECURE_PARAMETERS.items():
        put(name, values[column], secure=not (env.production and name == PLAIN_IN_PRODUCTION))
    if env.production:
        put(PRODUCTION_ONLY_PARAMETER, "/exports/legacy/", secure=False)
    else:
        put(STAGING_ONLY_PARAMETER, "25", secure=False)


def _owner_of_parameter(name: str) -> str:
    first = name.split("/")[0]
    return {"db": "platform-engineering", "brokerage": "operations", "compliance": "client-platform",
            "features": "client-platform", "portfolio": "portfolio-engineering"}.get(first, first)


def seed_secrets(env: DemoEnv) -> None:
    sm = env.aws("secretsmanager")
    for name in SECRETS + (() if env.production else (STAGING_ONLY_SECRET,)):
        arn = sm.create_secret(
            Name=f"{env.secrets_prefix}{name}", KmsKeyId=env.arns["kms:data"],
            Description=f"{name} for {env.name}",
            SecretString=json.dumps({"value": f"simulated-{env.name}-{name.replace('/', '-')}"}),
            Tags=env.tag_list(_owner_of_parameter(name)),
        )["ARN"]
        env.remember("secret", name, arn)
    rotated = [ROTATED_EVERYWHERE] + ([] if env.production else [ROTATED_IN_STAGING_ONLY])
    for name in rotated:
        # Rotation rules without a rotation function: the simulation would try to invoke one.
        sm.rotate_secret(SecretId=f"{env.secrets_prefix}{name}", RotationRules={"AutomaticallyAfterDays": 30})


def backdate_unrotated_secret(env: DemoEnv, days: int = 200) -> None:
    """The production brokerage credentials were last changed months ago (set on the simulation itself)."""
    if not env.production:
        return
    from moto.secretsmanager.models import secretsmanager_backends

    secret = secretsmanager_backends[env.account][env.region].secrets[f"{env.secrets_prefix}{ROTATED_IN_STAGING_ONLY}"]
    then = int(time.time()) - days * DAY
    secret.created_date = secret.last_changed_date = then
    for version in secret.versions.values():
        version["createdate"] = then


def seed_certificate(env: DemoEnv) -> None:
    domain = "portal.northwind.example" if env.production else f"portal.{env.name}.northwind.example"
    certificate, key = self_signed_certificate(domain)
    arn = env.aws("acm").import_certificate(Certificate=certificate, PrivateKey=key,
                                            Tags=env.tag_list("client-platform"))["CertificateArn"]
    env.remember("certificate", "portal", arn)


def self_signed_certificate(domain: str) -> tuple[bytes, bytes]:
    """A throwaway certificate for the simulated load balancer (an EC key: made in a millisecond)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Northwind Wealth (simulated)")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=30)).not_valid_after(now + dt.timedelta(days=335))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return (certificate.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))
