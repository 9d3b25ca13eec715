"""The demo's data stores and messaging: RDS, DynamoDB, S3, SQS, SNS, ElastiCache and the portfolio exports."""
from __future__ import annotations

import json
from pathlib import Path

from readiness.demo.estate.environment import DemoEnv
from readiness.platform import REPO_ROOT

SAMPLES = REPO_ROOT / "data" / "samples"


def seed_databases(env: DemoEnv) -> None:
    rds = env.aws("rds")
    for name, owner in (("portfolio-db", "portfolio-engineering"), ("reporting-db", "reporting")):
        # gap arc-reporting-db-single-az: production's reporting database runs in one zone. Staging's run in
        # one zone by design (not judged there); gap dat-staging-reporting-db-backups: staging's reporting
        # database has automated backups off, so (gap dat-staging-reporting-db-stale-recovery-point) its
        # newest recovery point is an old manual snapshot.
        backups = 14 if env.production else (0 if name == "reporting-db" else 7)
        arn = rds.create_db_instance(
            DBInstanceIdentifier=env.named(name), Engine="postgres", EngineVersion="16.3",
            DBInstanceClass="db.r6g.large" if env.production else "db.t4g.medium", AllocatedStorage=100,
            MasterUsername="northwind", MasterUserPassword=f"simulated-{env.name}-password",
            MultiAZ=env.production and name == "portfolio-db", DeletionProtection=True,
            BackupRetentionPeriod=backups, StorageEncrypted=True,
            KmsKeyId=env.arns["kms:data"], EnableCloudwatchLogsExports=["postgresql"], CopyTagsToSnapshot=True,
            Tags=env.tag_list(owner),
        )["DBInstance"]["DBInstanceArn"]
        env.remember("db", name, arn)

    dynamodb = env.aws("dynamodb")
    for name, owner in (("positions", "portfolio-engineering"), ("market-prices", "market-data")):
        arn = dynamodb.create_table(
            TableName=env.named(name), BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": env.arns["kms:data"]},
            DeletionProtectionEnabled=env.production, Tags=env.tag_list(owner),
        )["TableDescription"]["TableArn"]
        env.remember("table", name, arn)
        # gap dat-prices-no-pitr: staging's price history cannot be restored to a point in time.
        if env.production or name != "market-prices":
            dynamodb.update_continuous_backups(TableName=env.named(name), PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": True})

    # gap arc-staging-without-cache: staging runs without the portfolio cache, so its reads all reach the primary.
    if env.production:
        env.aws("elasticache").create_cache_cluster(
            CacheClusterId=env.named("portfolio-cache"), Engine="redis", CacheNodeType="cache.r7g.large",
            NumCacheNodes=1, SnapshotRetentionLimit=1, Tags=env.tag_list("portfolio-engineering"))


def seed_buckets(env: DemoEnv) -> None:
    s3 = env.aws("s3")
    for name, owner in (("reports", "reporting"), ("snapshots", "operations"), ("exports", "portfolio-engineering")):
        bucket = exports_bucket(env) if name == "exports" else env.named(name)
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": env.tag_list(owner)})
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        # gap env-reports-bucket-encryption: production reports use S3-managed keys, staging its own KMS key.
        if env.production and name == "reports":
            rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
        else:
            rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                           "KMSMasterKeyID": env.arns["kms:data"]},
                    "BucketKeyEnabled": True}
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
        # gap dat-snapshots-unversioned: production snapshots can be overwritten or deleted for good.
        if not (env.production and name == "snapshots"):
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        env.remember("bucket", name, f"arn:aws:s3:::{bucket}")


def exports_bucket(env: DemoEnv) -> str:
    """The bucket the platform config names for the environment's portfolio exports."""
    return env.exports.removeprefix("s3://").partition("/")[0] if env.exports else env.named("exports")


def seed_data_exports(env: DemoEnv, samples: Path = SAMPLES) -> int:
    """Copy data/samples/<environment>/ (when there) to the environment's export location; returns files copied."""
    source = samples / env.name
    if not env.exports or not source.is_dir():
        return 0
    bucket, _, prefix = env.exports.removeprefix("s3://").partition("/")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    s3 = env.aws("s3")
    copied = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        s3.put_object(Bucket=bucket, Key=prefix + path.relative_to(source).as_posix(), Body=path.read_bytes())
        copied += 1
    return copied


QUEUES = ("holdings-import", "report-requests", "market-data-events")


def seed_messaging(env: DemoEnv) -> None:
    sns = env.aws("sns")
    for topic in ("oncall",):
        arn = sns.create_topic(Name=env.named(topic), Attributes={"KmsMasterKeyId": env.arns["kms:data"]},
                               Tags=env.tag_list("operations"))["TopicArn"]
        env.remember("topic", topic, arn)
    sqs = env.aws("sqs")
    for queue in QUEUES:
        # gap bat-report-queue-no-redrive: staging's report requests have no dead-letter queue.
        redrive = env.production or queue != "report-requests"
        encryption = {"KmsMasterKeyId": env.arns["kms:data"], "KmsDataKeyReusePeriodSeconds": "300"}
        tags = env.labels("operations")
        dlq_arn = None
        if redrive:
            url = sqs.create_queue(QueueName=env.named(f"{queue}-dlq"), tags=tags,
                                   Attributes={**encryption, "MessageRetentionPeriod": "1209600"})["QueueUrl"]
            dlq_arn = env.remember("queue", f"{queue}-dlq", env.arn("sqs", env.named(f"{queue}-dlq")))
            env.remember("queue-url", f"{queue}-dlq", url)
        attributes = {**encryption, "VisibilityTimeout": "300"}
        if dlq_arn:
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
        url = sqs.create_queue(QueueName=env.named(queue), tags=tags, Attributes=attributes)["QueueUrl"]
        env.remember("queue", queue, env.arn("sqs", env.named(queue)))
        env.remember("queue-url", queue, url)
    # Where schedules and rules put the events they could not deliver.
    url = sqs.create_queue(QueueName=env.named("schedules-dlq"), tags=env.labels("operations"), Attributes={
        "KmsMasterKeyId": env.arns["kms:data"], "MessageRetentionPeriod": "1209600"})["QueueUrl"]
    env.remember("queue", "schedules-dlq", env.arn("sqs", env.named("schedules-dlq")))
    env.remember("queue-url", "schedules-dlq", url)
    if env.production:
        # gap bat-dead-letters-waiting: three failed holdings imports sit unattended in production.
        for account in ("ACC-10422", "ACC-10977", "ACC-11803"):
            sqs.send_message(QueueUrl=env.arns["queue-url:holdings-import-dlq"], MessageBody=json.dumps(
                {"account": account, "error": "brokerage timeout after 5000 ms", "attempts": 5}))
    # email, not https: the simulation would post to an https subscriber when a message is published.
    sns.subscribe(TopicArn=env.arns["topic:oncall"], Protocol="email", Endpoint=f"oncall-{env.name}@northwind.example")
