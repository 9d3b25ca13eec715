"""The demo's network edge: a VPC over three zones and the public application load balancer."""
from __future__ import annotations

import ipaddress

from readiness.demo.estate.environment import ZONES, DemoEnv

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
IDLE_TIMEOUT_SECONDS = "120"
# gap dep-staging-idle-timeout: lowered for a load test and left there, shorter than the API's provider calls
# with their retries (2 s × 3 attempts to market data).
STAGING_IDLE_TIMEOUT_SECONDS = "5"
HEALTH_CHECK = {"HealthCheckPath": "/health", "HealthCheckIntervalSeconds": 15, "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 3, "UnhealthyThresholdCount": 3, "Matcher": {"HttpCode": "200"}}
# gap env-alb-health-check: production probes the home page, less often, and tolerates more failures.
PRODUCTION_API_HEALTH_CHECK = {**HEALTH_CHECK, "HealthCheckPath": "/", "HealthCheckIntervalSeconds": 30,
                               "UnhealthyThresholdCount": 5, "Matcher": {"HttpCode": "200-399"}}


def seed_network(env: DemoEnv) -> None:
    ec2 = env.aws("ec2")
    tags = [{"ResourceType": kind, "Tags": env.tag_list("platform-engineering", tier="critical", data="internal")}
            for kind in ("vpc", "subnet", "security-group")]
    by_kind = {spec["ResourceType"]: [spec] for spec in tags}
    vpc = ec2.create_vpc(CidrBlock=env.cidr, TagSpecifications=by_kind["vpc"])["Vpc"]["VpcId"]
    env.remember("vpc", "main", vpc)
    blocks = list(ipaddress.ip_network(env.cidr).subnets(new_prefix=20))
    for index, zone in enumerate(ZONES):
        for offset, tier in ((0, "public"), (8, "private")):
            subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=str(blocks[index + offset]),
                                       AvailabilityZone=f"{env.region}{zone}",
                                       TagSpecifications=by_kind["subnet"])["Subnet"]["SubnetId"]
            env.remember("subnet", f"{tier}-{zone}", subnet)
    for group, description in (("alb", "public load balancer"), ("services", "ECS services")):
        sg = ec2.create_security_group(GroupName=env.named(group), Description=f"Northwind {description}",
                                       VpcId=vpc, TagSpecifications=by_kind["security-group"])["GroupId"]
        env.remember("security-group", group, sg)


def subnets(env: DemoEnv, tier: str, zones: tuple[str, ...] = ZONES) -> list[str]:
    return [env.arns[f"subnet:{tier}-{zone}"] for zone in zones]


def seed_load_balancer(env: DemoEnv) -> None:
    elb = env.aws("elbv2")
    lb = elb.create_load_balancer(
        Name=env.named("public"), Subnets=subnets(env, "public"), SecurityGroups=[env.arns["security-group:alb"]],
        Scheme="internet-facing", Type="application", IpAddressType="ipv4",
        Tags=env.tag_list("client-platform"),
    )["LoadBalancers"][0]["LoadBalancerArn"]
    env.remember("load-balancer", "public", lb)
    idle = IDLE_TIMEOUT_SECONDS if env.production else STAGING_IDLE_TIMEOUT_SECONDS
    elb.modify_load_balancer_attributes(LoadBalancerArn=lb, Attributes=[
        {"Key": "idle_timeout.timeout_seconds", "Value": idle},
        {"Key": "deletion_protection.enabled", "Value": "true"},
        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
    ])
    groups = {}
    for name in ("api", "reporting"):
        health = PRODUCTION_API_HEALTH_CHECK if (env.production and name == "api") else HEALTH_CHECK
        tg = elb.create_target_group(
            Name=env.named(name), Protocol="HTTP", Port=8080, VpcId=env.arns["vpc:main"], TargetType="ip",
            HealthCheckProtocol="HTTP", HealthCheckPort="traffic-port", HealthCheckEnabled=True,
            Tags=env.tag_list(name if name != "api" else "client-platform"), **health,
        )["TargetGroups"][0]["TargetGroupArn"]
        elb.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[
            {"Key": "deregistration_delay.timeout_seconds", "Value": "30"}])
        groups[name] = env.remember("target-group", name, tg)
    https = elb.create_listener(
        LoadBalancerArn=lb, Protocol="HTTPS", Port=443,
        SslPolicy=TLS_POLICY,
        Certificates=[{"CertificateArn": env.arns["certificate:portal"]}],
        DefaultActions=[{"Type": "forward", "TargetGroupArn": groups["api"]}],
    )["Listeners"][0]["ListenerArn"]
    env.remember("listener", "https", https)
    elb.create_rule(ListenerArn=https, Priority=10,
                    Conditions=[{"Field": "path-pattern", "Values": ["/reports/*"]}],
                    Actions=[{"Type": "forward", "TargetGroupArn": groups["reporting"]}])
    _seed_web_acl(env, lb)
    http = elb.create_listener(
        LoadBalancerArn=lb, Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443",
                                                                "StatusCode": "HTTP_301"}}],
    )["Listeners"][0]["ListenerArn"]
    env.remember("listener", "http", http)


def _seed_web_acl(env: DemoEnv, load_balancer: str) -> None:
    """A rate-based rule in front of the portal: one client cannot take all of its capacity.

    gap dep-waf-rule-counting: in production the rule was left counting after it was tuned: it blocks nobody.
    """
    action = {"Count": {}} if env.production else {"Block": {}}
    waf = env.aws("wafv2")
    acl = waf.create_web_acl(
        Name=env.named("portal"), Scope="REGIONAL", DefaultAction={"Allow": {}},
        Description="Northwind portal: rate limits per client address",
        VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True,
                          "MetricName": env.named("portal")},
        Rules=[{"Name": "per-client-rate", "Priority": 0, "Action": action,
                "Statement": {"RateBasedStatement": {"Limit": 2000, "AggregateKeyType": "IP"}},
                "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True,
                                     "MetricName": "per-client-rate"}}],
        Tags=env.tag_list("client-platform"),
    )["Summary"]["ARN"]
    waf.associate_web_acl(WebACLArn=acl, ResourceArn=load_balancer)
    env.remember("web-acl", "portal", acl)
