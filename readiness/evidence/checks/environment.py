"""Environment consistency: staging proves something about production only if the two are configured alike."""
from __future__ import annotations

import datetime as dt
from typing import Iterator

from readiness.evidence.checking import CheckContext, Comparison, Verdict, show, verdict
from readiness.evidence.collecting import Resource
from readiness.evidence.collectors.dynamodb import DynamoDbInventory, Table
from readiness.evidence.collectors.kms import KmsInventory
from readiness.evidence.collectors.logs import LogGroup, LogsInventory
from readiness.evidence.collectors.rds import Database, RdsInventory
from readiness.evidence.collectors.s3 import Bucket, S3Inventory
from readiness.evidence.collectors.secretsmanager import Secret, SecretsInventory
from readiness.evidence.collectors.ssm import Parameter, SsmInventory
from readiness.evidence.model import Severity, Status
from readiness.evidence.registry import check

KEY_LABEL = {"aws": "an AWS-managed key", "customer": "a customer-managed key", "owned": "an AWS-owned key",
             "none": "no encryption"}


def key_label(keys: KmsInventory, ref: str | None, default: str = "aws") -> str | None:
    """How a resource is encrypted, in words; `default` when it names no key; None when it cannot be told."""
    kind = keys.kind_of(ref) if ref else default
    return KEY_LABEL[kind] if kind else None


def compare_keys(c: Comparison, what: str, target: str | None, baseline: str | None,
                 status: Status = Status.WARN) -> None:
    if target is None or baseline is None:
        c.add(Status.UNKNOWN, f"could not tell which kind of key encrypts the {what}", what=f"{what} encryption",
              target=target or "could not tell", baseline=baseline or "could not tell")
    else:
        c.differ(f"{what} encryption", target, baseline, status)


@check("environment.ssm_parity", area="environment", title="Parameter Store keys match across environments",
       severity=Severity.HIGH, needs=("ssm", "kms"), compares=True,
       good="Every parameter exists in both environments, with the same type and kind of key, changed in step.")
def ssm_parity(ctx: CheckContext) -> Iterator[Verdict]:
    mine, theirs = ctx.env.inventory(SsmInventory), ctx.compared.inventory(SsmInventory)
    for pair in ctx.pairs(mine.parameters, theirs.parameters):
        if pair.baseline is None:
            yield ctx.no_counterpart("parameter", pair.target, in_target=True)
        elif pair.target is None:
            yield ctx.no_counterpart("parameter", pair.baseline, in_target=False)
        else:
            yield _parameters_compared(ctx, pair.target, pair.baseline)


def _parameters_compared(ctx: CheckContext, target: Parameter, baseline: Parameter) -> Verdict:
    c = Comparison(ctx, "parameter", ctx.env.common_name(target.name))
    c.differ("type", target.type, baseline.type)
    if target.type == baseline.type == "SecureString":
        compare_keys(c, "parameter", key_label(ctx.env.inventory(KmsInventory), target.key_id),
                     key_label(ctx.compared.inventory(KmsInventory), baseline.key_id))
    recent = ctx.settings.recent_change_days
    changed = {view.name: _within(ctx.now, p.last_modified, recent) for view, p in
               ((ctx.env, target), (ctx.compared, baseline))}
    if len(set(changed.values())) > 1:
        where = next(name for name, yes in changed.items() if yes)
        c.add(Status.WARN, f"changed in the last {recent} days in {where} only: the other may lag behind",
              what="last changed", target=_day(target.last_modified), baseline=_day(baseline.last_modified))
    return c.verdict(target.arn, region=target.region, type=target.type, baseline_type=baseline.type)


@check("environment.secrets_parity", area="environment", title="Secrets present and current in every environment",
       severity=Severity.HIGH, needs=("secretsmanager", "kms"), compares=True,
       good="Every secret exists in both environments, rotates in both, uses the same kind of key and changes in step.")
def secrets_parity(ctx: CheckContext) -> Iterator[Verdict]:
    mine, theirs = ctx.env.inventory(SecretsInventory), ctx.compared.inventory(SecretsInventory)
    for pair in ctx.pairs(mine.secrets, theirs.secrets):
        if pair.baseline is None:
            yield ctx.no_counterpart("secret", pair.target, in_target=True)
        elif pair.target is None:
            yield ctx.no_counterpart("secret", pair.baseline, in_target=False)
        else:
            yield _secrets_compared(ctx, pair.target, pair.baseline)


def _secrets_compared(ctx: CheckContext, target: Secret, baseline: Secret) -> Verdict:
    c = Comparison(ctx, "secret", ctx.env.common_name(target.name))
    if target.rotation_enabled != baseline.rotation_enabled:
        rotating = ctx.env.name if target.rotation_enabled else ctx.compared.name
        c.add(Status.WARN if target.rotation_enabled else Status.FAIL, f"rotation is on in {rotating} only",
              what="rotation", target=show(target.rotation_enabled), baseline=show(baseline.rotation_enabled))
    compare_keys(c, "secret", key_label(ctx.env.inventory(KmsInventory), target.kms_key_id),
                 key_label(ctx.compared.inventory(KmsInventory), baseline.kms_key_id))
    gap_days = ctx.settings.secret_change_gap_days
    if target.last_changed and baseline.last_changed:
        gap = target.last_changed - baseline.last_changed
        if abs(gap) > dt.timedelta(days=gap_days):
            later, earlier = (ctx.env.name, ctx.compared.name) if gap > dt.timedelta(0) else (
                ctx.compared.name, ctx.env.name)
            c.add(Status.WARN, f"changed in {later} {abs(gap).days} days after {earlier} (more than {gap_days}): "
                               f"{earlier} may hold an outdated value",
                  what="last changed", target=_day(target.last_changed), baseline=_day(baseline.last_changed))
    return c.verdict(target.arn, region=target.region, rotation=target.rotation_enabled,
                     baseline_rotation=baseline.rotation_enabled)


def _database_encryption(db: Database, keys: KmsInventory) -> str | None:
    return key_label(keys, db.kms_key_id) if db.storage_encrypted else KEY_LABEL["none"]


def _bucket_encryption(bucket: Bucket, keys: KmsInventory) -> str | None:
    if not bucket.encryption:
        return KEY_LABEL["none"]
    return key_label(keys, bucket.kms_key_id) if "kms" in bucket.encryption else "S3-managed keys (AES256)"


def _table_encryption(table: Table, keys: KmsInventory) -> str | None:
    return key_label(keys, table.kms_key_arn) if table.encryption == "kms" else KEY_LABEL["owned"]


def _log_group_encryption(group: LogGroup, keys: KmsInventory) -> str | None:
    return key_label(keys, group.kms_key_id) if group.kms_key_id else "the service's default encryption"


ENCRYPTED = (  # what is compared: kind of resource, its inventory and list, how it is encrypted
    ("database", RdsInventory, "databases", _database_encryption),
    ("bucket", S3Inventory, "buckets", _bucket_encryption),
    ("table", DynamoDbInventory, "tables", _table_encryption),
    ("log group", LogsInventory, "log_groups", _log_group_encryption),
)


@check("environment.encryption_parity", area="environment", title="Encryption configured identically",
       severity=Severity.HIGH, needs=("rds", "s3", "dynamodb", "logs", "kms"), compares=True,
       good="Databases, buckets, tables and log groups are encrypted the same way in both environments.")
def encryption_parity(ctx: CheckContext) -> Iterator[Verdict]:
    keys, their_keys = ctx.env.inventory(KmsInventory), ctx.compared.inventory(KmsInventory)
    for kind, inventory, field, encryption in ENCRYPTED:
        mine, theirs = getattr(ctx.env.inventory(inventory), field), getattr(ctx.compared.inventory(inventory), field)
        for pair in ctx.pairs(mine, theirs):
            if pair.target is None:
                continue  # only the target's resources are judged; presence is the business of other checks
            if pair.baseline is None:
                yield verdict(Status.NOT_APPLICABLE, pair.target.arn, f"{ctx.env.name} {kind} "
                              f"{ctx.env.common_name(pair.target.name)} has no counterpart in {ctx.compared.name} "
                              "to compare its encryption with", region=pair.target.region)
                continue
            yield _encryption_compared(ctx, kind, pair.target, encryption(pair.target, keys),
                                       encryption(pair.baseline, their_keys))


def _encryption_compared(ctx: CheckContext, kind: str, target: Resource, mine: str | None,
                         theirs: str | None) -> Verdict:
    c = Comparison(ctx, kind, ctx.env.common_name(target.name))
    unencrypted = KEY_LABEL["none"] in (mine, theirs)
    compare_keys(c, kind, mine, theirs, Status.FAIL if unencrypted else Status.WARN)
    return c.verdict(target.arn, region=target.region, encryption=mine, baseline_encryption=theirs)


def _within(now: dt.datetime, when: dt.datetime | None, days: int) -> bool:
    return when is not None and now - when <= dt.timedelta(days=days)


def _day(when: dt.datetime | None) -> str:
    return when.date().isoformat() if when else show(None)
