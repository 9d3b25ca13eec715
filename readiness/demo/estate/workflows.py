"""How work is triggered and released: schedules, rules, state machines, pipelines, deployments, the partner API."""
from __future__ import annotations

import json

from readiness.demo.estate.environment import DemoEnv
from readiness.demo.estate.network import subnets

MARKET_TIMEZONE = "America/New_York"
# name -> (staging cron, production cron), in the market's time zone.
SCHEDULES = {
    "nightly-reconciliation": ("cron(30 1 ? * TUE-SAT *)", "cron(30 1 ? * TUE-SAT *)"),
    "holdings-import": ("cron(30 6 ? * MON-FRI *)", "cron(30 6 ? * MON-FRI *)"),
    # gap bat-ingestion-in-opening-session: production's bulk ingestion fires at 09:45, fifteen
    # minutes into the opening session (staging runs it at 07:00).
    "market-data-ingestion": ("cron(0 7 ? * MON-FRI *)", "cron(45 9 ? * MON-FRI *)"),
}
# gap bat-staging-ingestion-no-retries: staging's ingestion schedule never retries a failed start (its failures
# do reach the dead-letter queue).
UNRETRIED_IN_STAGING = "market-data-ingestion"
# gap bat-ingestion-on-live-cluster: production's bulk ingestion runs its task on the live platform cluster.
ON_LIVE_CLUSTER = "market-data-ingestion"
MONTH_END_LIMIT_SECONDS = 6 * 3600  # the month-end workflow's own time limit
# gap bat-month-end-catch-up-overlap: production's catch-up run at 21:00 New York on the last day can start while
# the 19:00 run (allowed six hours) is still going.
MONTH_END_CATCH_UP = "cron(0 21 L * ? *)"


def seed_schedules(env: DemoEnv) -> None:
    scheduler = env.aws("scheduler")
    group = env.named("batch")
    scheduler.create_schedule_group(Name=group, Tags=env.tag_list("operations"))
    dlq = env.arns["queue:schedules-dlq"]
    for name, crons in SCHEDULES.items():
        cluster = "platform" if env.production and name == ON_LIVE_CLUSTER else "batch"
        retries = 0 if not env.production and name == UNRETRIED_IN_STAGING else 2
        network = {"Subnets": subnets(env, "private"), "SecurityGroups": [env.arns["security-group:services"]],
                   "AssignPublicIp": "DISABLED"}
        target = {
            "Arn": env.arns[f"cluster:{cluster}"], "RoleArn": env.arns["role:scheduler"],
            "DeadLetterConfig": {"Arn": dlq},
            "RetryPolicy": {"MaximumRetryAttempts": retries, "MaximumEventAgeInSeconds": 3600},
            "EcsParameters": {"TaskDefinitionArn": env.arns[f"task-definition:{name}"], "LaunchType": "FARGATE",
                              "TaskCount": 1, "NetworkConfiguration": {"awsvpcConfiguration": network}},
        }
        arn = scheduler.create_schedule(
            Name=env.named(name), GroupName=group, ScheduleExpression=crons[1 if env.production else 0],
            ScheduleExpressionTimezone=MARKET_TIMEZONE, FlexibleTimeWindow={"Mode": "OFF"}, State="ENABLED",
            Description=f"{name.replace('-', ' ')} ({env.name})", Target=target,
        )["ScheduleArn"]
        env.remember("schedule", name, arn)


def seed_month_end(env: DemoEnv) -> None:
    sfn = env.aws("stepfunctions")
    definition = {"Comment": "Month-end client statements", "StartAt": "Snapshot", "States": {
        "Snapshot": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "Next": "Statements",
                     "Parameters": {"Cluster": env.arns["cluster:batch"],
                                    "TaskDefinition": env.arns["task-definition:nightly-reconciliation"]},
                     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]},
        "Statements": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
                       "Parameters": {"QueueUrl": env.arns["queue-url:report-requests"], "MessageBody.$": "$"},
                       "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]},
        "Failed": {"Type": "Fail", "Error": "MonthEndFailed", "Cause": "A month-end step failed"},
    }, "TimeoutSeconds": MONTH_END_LIMIT_SECONDS}
    # gap bat-month-end-fatal-only: production's month-end workflow logs fatal errors only.
    logging = {"level": "FATAL" if env.production else "ALL", "includeExecutionData": False,
               "destinations": [{"cloudWatchLogsLogGroup": {
                   "logGroupArn": env.arns["log-group:month-end-reporting"] + ":*"}}]}
    # Tagged with no expected duration: how long a run may take is its own time limit.
    arn = sfn.create_state_machine(
        name=env.named("month-end-reporting"), definition=json.dumps(definition), roleArn=env.arns["role:states"],
        type="STANDARD", loggingConfiguration=logging, tracingConfiguration={"enabled": True},
        tags=env.tag_list("reporting", key="key", value="value"),
    )["stateMachineArn"]
    env.remember("state-machine", "month-end-reporting", arn)
    events = env.aws("events")
    rule = env.named("month-end-reporting")
    events.put_rule(Name=rule, ScheduleExpression="cron(0 23 L * ? *)", State="ENABLED",
                    Description="Month-end statements after the last close", Tags=env.tag_list("reporting"))
    events.put_targets(Rule=rule, Targets=[{
        "Id": "statements", "Arn": arn, "RoleArn": env.arns["role:states"],
        "DeadLetterConfig": {"Arn": env.arns["queue:schedules-dlq"]},
        "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 7200}}])
    env.remember("rule", "month-end-reporting", env.arn("events", f"rule/{rule}"))
    if env.production:
        schedule = env.aws("scheduler").create_schedule(
            Name=env.named("month-end-catch-up"), GroupName=env.named("batch"), ScheduleExpression=MONTH_END_CATCH_UP,
            ScheduleExpressionTimezone=MARKET_TIMEZONE, FlexibleTimeWindow={"Mode": "OFF"}, State="ENABLED",
            Description="Month-end statements again for accounts the first run missed", Target={
                "Arn": arn, "RoleArn": env.arns["role:states"],
                "DeadLetterConfig": {"Arn": env.arns["queue:schedules-dlq"]},
                "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600}},
        )["ScheduleArn"]
        env.remember("schedule", "month-end-catch-up", schedule)


def seed_releases(env: DemoEnv) -> None:
    pipeline = env.aws("codepipeline")

    def action(name: str, category: str, provider: str, configuration: dict, **artifacts) -> dict:
        return {"name": name, "actionTypeId": {"category": category, "owner": "AWS", "provider": provider, "version": "1"},
                "configuration": configuration, "runOrder": 1, **artifacts}

    for name, repository, service in (("release", "api", "api"), ("batch-release", "batch", "batch")):
        cluster = "batch" if service == "batch" else "platform"
        stages = [
            {"name": "Source", "actions": [action("Image", "Source", "ECR", {"RepositoryName": f"northwind/{repository}"},
                                                  outputArtifacts=[{"name": "image"}])]},
            {"name": "Deploy", "actions": [action("Deploy", "Deploy", "ECS", {
                "ClusterName": env.named(cluster), "ServiceName": env.named(service)}, inputArtifacts=[{"name": "image"}])]},
        ]
        # gap dpl-batch-release-no-approval: production batch releases skip the approval step.
        if env.production and name == "release":
            stages.insert(1, {"name": "Approve", "actions": [action("ReleaseManager", "Approval", "Manual", {
                "CustomData": "Check the staging smoke tests and the change record before approving."})]})
        created = pipeline.create_pipeline(pipeline={
            "name": env.named(name), "roleArn": env.arns["role:pipeline"],
            "artifactStore": {"type": "S3", "location": env.named("artifacts")}, "stages": stages},
            tags=env.tag_list("platform-engineering", key="key", value="value"))
        env.remember("pipeline", name, env.arn("codepipeline", created["pipeline"]["name"]))
    _seed_deployment_groups(env)


def _seed_deployment_groups(env: DemoEnv) -> None:
    codedeploy = env.aws("codedeploy")
    application = env.named("platform")
    codedeploy.create_application(applicationName=application, computePlatform="ECS",
                                  tags=env.tag_list("platform-engineering"))
    # Aggregation is moving to blue/green deployments. (The simulation does not keep a deployment
    # group's alarms, so a group that rolls back on alarms would still look as if it did not.)
    for service in ("portfolio-aggregation",):
        # gap dpl-aggregation-no-alarm-rollback: production aggregation deployments roll back when they fail,
        # but not when the error alarm fires during the canary.
        on_alarm = not env.production
        codedeploy.create_deployment_group(
            applicationName=application, deploymentGroupName=env.named(service),
            serviceRoleArn=env.arns["role:deploy"], deploymentConfigName="CodeDeployDefault.ECSCanary10Percent5Minutes",
            deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
            ecsServices=[{"serviceName": env.named(service), "clusterName": env.named("platform")}],
            autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE"] + (
                ["DEPLOYMENT_STOP_ON_ALARM"] if on_alarm else [])},
            alarmConfiguration={"enabled": on_alarm, "alarms": [{"name": env.named("api-5xx")}] if on_alarm else []},
            tags=env.tag_list("platform-engineering"),
        )
        env.remember("deployment-group", service,
                     env.arn("codedeploy", f"deploymentgroup:{application}/{env.named(service)}"))


def seed_partner_api(env: DemoEnv) -> None:
    gateway = env.aws("apigateway")
    api = gateway.create_rest_api(name=env.named("partner-api"), description="Holdings for partner advisers",
                                  endpointConfiguration={"types": ["REGIONAL"]}, tags=env.labels("client-platform"))
    holdings = gateway.create_resource(restApiId=api["id"], parentId=api["rootResourceId"], pathPart="holdings")["id"]
    gateway.put_method(restApiId=api["id"], resourceId=holdings, httpMethod="GET", authorizationType="AWS_IAM")
    gateway.put_integration(restApiId=api["id"], resourceId=holdings, httpMethod="GET", type="MOCK",
                            requestTemplates={"application/json": '{"statusCode": 200}'})
    gateway.create_deployment(restApiId=api["id"], stageName="live", description="initial")
    gateway.update_stage(restApiId=api["id"], stageName="live", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "50"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "100"}])
    env.remember("rest-api", "partner-api", f"arn:aws:apigateway:{env.region}::/restapis/{api['id']}/stages/live")
