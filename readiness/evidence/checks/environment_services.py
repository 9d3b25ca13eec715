"""Environment consistency of the running services: load balancers and task definitions alike everywhere."""
from __future__ import annotations

from typing import Iterator

from readiness.evidence.checking import CheckContext, Comparison, Verdict, show, verdict
from readiness.evidence.collectors.ecs import Container, ContainerHealthCheck, EcsInventory, Service
from readiness.evidence.collectors.elbv2 import LoadBalancer, LoadBalancerInventory, TargetGroup
from readiness.evidence.model import Severity, Status
from readiness.evidence.registry import check

HEALTH_CHECK_SETTINGS = ("path", "interval_seconds", "healthy_threshold", "unhealthy_threshold", "matcher")


@check("environment.load_balancer_parity", area="environment", title="Load balancer settings aligned",
       severity=Severity.MEDIUM, needs=("elbv2",), compares=True,
       good="Load balancers have the same listeners, TLS policy, health checks, protection, logs and WAF in both "
            "environments.")
def load_balancer_parity(ctx: CheckContext) -> Iterator[Verdict]:
    mine = ctx.env.inventory(LoadBalancerInventory).load_balancers
    theirs = ctx.compared.inventory(LoadBalancerInventory).load_balancers
    for pair in ctx.pairs(mine, theirs):
        if pair.baseline is None:
            yield ctx.no_counterpart("load balancer", pair.target, in_target=True)
        elif pair.target is None:
            yield ctx.no_counterpart("load balancer", pair.baseline, in_target=False)
        else:
            yield _load_balancers_compared(ctx, pair.target, pair.baseline)


def _load_balancers_compared(ctx: CheckContext, target: LoadBalancer, baseline: LoadBalancer) -> Verdict:
    c = Comparison(ctx, "load balancer", ctx.env.common_name(target.name))
    c.differ("type", target.type, baseline.type)
    c.differ("scheme", target.scheme, baseline.scheme)
    listeners, their_listeners = {l.port: l for l in target.listeners}, {l.port: l for l in baseline.listeners}
    c.only_on_one_side("listeners", (f"{l.port}/{l.protocol}" for l in target.listeners),
                       (f"{l.port}/{l.protocol}" for l in baseline.listeners))
    for port in sorted(listeners.keys() & their_listeners.keys()):
        mine, theirs = listeners[port], their_listeners[port]
        c.differ(f"listener {port} protocol", mine.protocol, theirs.protocol)
        c.differ(f"listener {port} redirect to HTTPS", mine.redirects_to_https, theirs.redirects_to_https)
        c.differ(f"listener {port} TLS policy", mine.ssl_policy, theirs.ssl_policy)
    c.differ("WAF protection", target.web_acl_arn is not None, baseline.web_acl_arn is not None)
    c.differ("idle timeout (seconds)", target.idle_timeout_seconds, baseline.idle_timeout_seconds, Status.WARN)
    c.differ("deletion protection", target.deletion_protection, baseline.deletion_protection, Status.WARN)
    c.differ("access logs", target.access_logs, baseline.access_logs, Status.WARN)
    _compare_target_groups(ctx, c, target.target_groups, baseline.target_groups)
    return c.verdict(target.arn, region=target.region, listeners=sorted(listeners))


def _compare_target_groups(ctx: CheckContext, c: Comparison, mine: list[TargetGroup],
                           theirs: list[TargetGroup]) -> None:
    for pair in ctx.pairs(mine, theirs, region=lambda _: ""):
        if pair.target is None or pair.baseline is None:
            present = ctx.env.name if pair.target else ctx.compared.name
            c.add(Status.WARN, f"target group {pair.key} is in {present} only", what=f"target group {pair.key}",
                  target="present" if pair.target else None, baseline="present" if pair.baseline else None)
            continue
        for setting in HEALTH_CHECK_SETTINGS:
            c.differ(f"target group {pair.key} health check {setting.replace('_', ' ')}",
                     getattr(pair.target.health_check, setting), getattr(pair.baseline.health_check, setting),
                     Status.WARN)


@check("environment.task_definition_parity", area="environment", title="Task definitions differ only by design",
       severity=Severity.MEDIUM, needs=("ecs",), compares=True,
       good="Each service runs the same image repository with the same settings names, secrets, sizing, logging "
            "and health check in both environments.")
def task_definition_parity(ctx: CheckContext) -> Iterator[Verdict]:
    mine, theirs = ctx.env.inventory(EcsInventory), ctx.compared.inventory(EcsInventory)
    for pair in ctx.pairs(mine.services, theirs.services):
        if pair.baseline is None:
            yield ctx.no_counterpart("service", pair.target, in_target=True)
        elif pair.target is None:
            yield ctx.no_counterpart("service", pair.baseline, in_target=False)
        else:
            yield _task_definitions_compared(ctx, pair.target, pair.baseline, mine, theirs)


def _task_definitions_compared(ctx: CheckContext, target: Service, baseline: Service, mine: EcsInventory,
                               theirs: EcsInventory) -> Verdict:
    name = ctx.env.common_name(target.name)
    task, their_task = mine.task_definition(target.task_definition), theirs.task_definition(baseline.task_definition)
    if task is None or their_task is None:
        return verdict(Status.UNKNOWN, target.task_definition, f"the task definition of {ctx.env.name} service "
                       f"{name} or of its {ctx.compared.name} counterpart could not be read", region=target.region)
    c = Comparison(ctx, "task definition", name, f"task definition of service {name}")
    c.differ("task CPU", task.cpu, their_task.cpu, Status.WARN)
    c.differ("task memory", task.memory, their_task.memory, Status.WARN)
    for pair in ctx.pairs(task.containers, their_task.containers, region=lambda _: ""):
        if pair.target is None or pair.baseline is None:
            present = ctx.env.name if pair.target else ctx.compared.name
            c.add(Status.FAIL, f"container {pair.key} is in {present} only",
                  what=f"container {pair.key}", target="present" if pair.target else None,
                  baseline="present" if pair.baseline else None)
        else:
            _compare_containers(ctx, c, pair.key, pair.target, pair.baseline)
    return c.verdict(task.arn, region=task.region, service=target.arn, baseline_task_definition=their_task.arn)


def _compare_containers(ctx: CheckContext, c: Comparison, name: str, mine: Container, theirs: Container) -> None:
    what = f"container {name}"
    c.only_on_one_side(f"{what} environment variables", mine.environment_names, theirs.environment_names)
    c.only_on_one_side(f"{what} secrets", mine.secret_names, theirs.secret_names)
    c.differ(f"{what} image repository", ctx.env.common_name(mine.image.repository),
             ctx.compared.common_name(theirs.image.repository))
    c.differ(f"{what} log driver", mine.log_driver, theirs.log_driver, Status.WARN)
    c.differ(f"{what} CPU units", mine.cpu, theirs.cpu, Status.WARN)
    c.differ(f"{what} memory", mine.memory, theirs.memory, Status.WARN)
    c.differ(f"{what} health check", mine.health_check is not None, theirs.health_check is not None, Status.WARN)
    if mine.health_check and theirs.health_check and mine.health_check != theirs.health_check:
        c.add(Status.WARN, f"{what} health check settings differ", what=f"{what} health check settings",
              target=_health_check(mine.health_check), baseline=_health_check(theirs.health_check))


def _health_check(settings: ContainerHealthCheck) -> str:
    """The settings in words; the command by its fingerprint alone, as it may carry a token."""
    timing = ", ".join(f"{label} {show(getattr(settings, field))}" for label, field in (
        ("interval", "interval"), ("timeout", "timeout"), ("retries", "retries"), ("start period", "start_period")))
    return f"{timing}, command #{settings.command_digest[:8] or 'none'}"
