"""Builders of a small estate in the simulated AWS, shared by the collector tests."""
from __future__ import annotations

import json


PIPELINE_ROLE_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "codepipeline.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def network(account):
    ec2 = account.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")
               ["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
    group = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    return vpc, subnets, group

def load_balancer(account, name="nw-prod-api", tags=None):
    elb = account.client("elbv2")
    vpc, subnets, _ = network(account)
    certificate = account.client("acm").request_certificate(DomainName="api.example.com")["CertificateArn"]
    lb = elb.create_load_balancer(Name=name, Subnets=subnets, **({"Tags": tags} if tags else {}))["LoadBalancers"][0]
    group = elb.create_target_group(Name=f"{name}-tg", Protocol="HTTP", Port=8080, VpcId=vpc,
                                    HealthCheckPath="/health", TargetType="ip")["TargetGroups"][0]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
                        SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
                        Certificates=[{"CertificateArn": certificate}],
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}])
    elb.modify_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"], Attributes=[
        {"Key": "deletion_protection.enabled", "Value": "true"},
        {"Key": "idle_timeout.timeout_seconds", "Value": "120"}])
    return lb, group

def ecs_service(account, *, cluster="nw-prod", name="nw-prod-api", image="nw-api:1.4.2"):
    ecs = account.client("ecs")
    _, subnets, group = network(account)
    ecs.create_cluster(clusterName=cluster)
    task = ecs.register_task_definition(
        family=name, cpu="512", memory="1024", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
        containerDefinitions=[{
            "name": "api", "image": f"{account.id}.dkr.ecr.us-east-1.amazonaws.com/{image}",
            "environment": [{"name": "DB_HOST", "value": "db.internal"}, {"name": "API_KEY", "value": "sk-live-1"}],
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:1:secret:db"}],
            "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": f"/ecs/{name}"}},
            "healthCheck": {"command": ["CMD-SHELL", "curl -f localhost/health"], "interval": 30}}],
    )["taskDefinition"]
    ecs.create_service(cluster=cluster, serviceName=name, taskDefinition=task["taskDefinitionArn"], desiredCount=2,
                       launchType="FARGATE", networkConfiguration={
                           "awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group]}})
    ecs.update_service(cluster=cluster, service=name, healthCheckGracePeriodSeconds=60, deploymentConfiguration={
        "deploymentCircuitBreaker": {"enable": True, "rollback": True}, "minimumHealthyPercent": 100,
        "maximumPercent": 200})
    return task

def pipeline(account, name="nw-prod-api"):
    role = account.client("iam").create_role(RoleName=f"{name}-role",
                                             AssumeRolePolicyDocument=json.dumps(PIPELINE_ROLE_POLICY))["Role"]["Arn"]
    action = {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"}
    account.client("codepipeline").create_pipeline(pipeline={
        "name": name, "roleArn": role, "artifactStore": {"type": "S3", "location": "artifacts-bucket"},
        "stages": [
            {"name": "Source", "actions": [{"name": "Source", "actionTypeId": action, "outputArtifacts": [
                {"name": "app"}], "configuration": {"S3Bucket": "b", "S3ObjectKey": "k"}}]},
            {"name": "Approve", "actions": [{"name": "Approve", "actionTypeId": {
                "category": "Approval", "owner": "AWS", "provider": "Manual", "version": "1"}}]},
            {"name": "DeployProduction", "actions": [{"name": "Deploy", "inputArtifacts": [{"name": "app"}],
                                                      "actionTypeId": {"category": "Deploy", "owner": "AWS",
                                                                       "provider": "ECS", "version": "1"},
                                                      "configuration": {"ClusterName": "nw-prod",
                                                                        "ServiceName": "nw-prod-api"}}]},
        ]})
