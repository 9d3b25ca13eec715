"""External dependencies: credentials kept secret, provider calls bounded, the edge throttled, failures caught."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from readiness.evidence.checking import CheckContext, Verdict, verdict
from readiness.evidence.checks.deployment import judged
from readiness.evidence.collectors.apigateway import ApiGatewayInventory, RestApi, Stage
from readiness.evidence.collectors.ecs import EcsInventory, TaskDefinition
from readiness.evidence.collectors.elbv2 import LoadBalancer, LoadBalancerInventory
from readiness.evidence.collectors.lambda_async import Function, LambdaInventory
from readiness.evidence.collectors.wafv2 import WafInventory
from readiness.evidence.model import Severity, Status
from readiness.evidence.registry import check
from readiness.platform import Dependency

PRODUCTION = ("production",)
CREDENTIAL_NAME = re.compile(r"(^|_)(KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASS|PWD|CREDENTIALS?)$")
# Named like a credential but by convention not one: identifiers and public halves.
NOT_A_CREDENTIAL = re.compile(r"(PUBLIC|KMS|SORT|PARTITION|CACHE|IDEMPOTENCY)_KEY$")
BLOCKING = ("Block", "Captcha", "Challenge")


def num(value: Decimal) -> str:
    """2, 0.5, 120: a quantity as a reader writes it."""
    return f"{value.normalize():f}"


def looks_like_credential(name: str) -> bool:
    upper = name.upper()
    return bool(CREDENTIAL_NAME.search(upper)) and not NOT_A_CREDENTIAL.search(upper)


@check("dependencies.credentials_in_environment", area="dependencies",
       title="Provider credentials kept out of plain configuration", severity=Severity.CRITICAL,
       needs=("ecs", "lambda_async"),
       good="No task definition or function carries a credential in a plain environment variable; they come from "
            "secrets.")
def credentials_in_environment(ctx: CheckContext) -> Iterator[Verdict]:
    ecs = ctx.env.inventory(EcsInventory)
    in_use = {s.task_definition for s in ecs.services}
    tasks = [t for t in ecs.task_definitions if t.arn in in_use] + ecs.standalone_task_definitions
    for task in tasks:
        subject = f"{ctx.env.name} task definition {ctx.env.common_name(task.family)}:{task.revision}"
        exposed = [(c.name, n) for c in task.containers for n in c.environment_names if looks_like_credential(n)]
        yield from _credentials(subject, task.arn, task.region, exposed,
                                [n for c in task.containers for n in c.secret_names])
    for function in ctx.env.inventory(LambdaInventory).functions:
        subject = f"{ctx.env.name} function {ctx.env.common_name(function.name)}"
        exposed = [("", n) for n in function.environment_names if looks_like_credential(n)]
        yield from _credentials(subject, function.arn, function.region, exposed, [])


def _credentials(subject: str, arn: str, region: str, exposed: list[tuple[str, str]],
                 secrets: list[str]) -> Iterator[Verdict]:
    """One failing verdict per exposed variable (named, never its value), or one pass for the whole resource."""
    for container, name in exposed:
        where = f" of container {container}" if container else ""
        yield verdict(Status.FAIL, f"{arn}#{container + '/' if container else ''}{name}",
                      f"{subject} holds {name}{where} in a plain environment variable, readable by anyone who can "
                      "describe it; want it referenced from Secrets Manager or a SecureString parameter",
                      region=region, variable=name, container=container or None, task_definition=arn)
    if not exposed:
        kept = f" (secrets: {', '.join(sorted(secrets))})" if secrets else ""
        yield verdict(Status.PASS, arn, f"{subject} keeps credential-like settings out of plain variables{kept}",
                      region=region)


@dataclass(frozen=True)
class Caller:
    """Something that gives up on a call after a while: a load balancer, an API integration, the function itself."""

    label: str
    seconds: Decimal


@dataclass(frozen=True)
class Runner:
    """What runs a provider's caller in the environment: a service, a scheduled task or a function."""

    kind: str
    arn: str
    region: str
    timeouts: dict[str, str]
    setting_names: list[str]
    callers: list[Caller]
    readable: bool = True  # False: its task definition could not be read


@check("dependencies.provider_timeouts", area="dependencies", title="Every outbound call has a timeout",
       severity=Severity.HIGH, needs=("ecs", "elbv2", "lambda_async", "apigateway"),
       good="Every service that calls a provider sets a timeout within the provider's budget, and the budget with "
            "its retries fits within what calls the service.")
def provider_timeouts(ctx: CheckContext) -> Iterator[Verdict]:
    """Every tier is judged: staging is where timeouts meet load tests, so a staging timeout beyond the provider's
    budget hides how production will degrade.

    A missing or over-budget timeout fails; a timeout within budget whose retries outlast a caller only warns:
    each call is bounded, but the caller may give up before the answer or the fallback arrives.
    """
    dependencies = ctx.platform.dependencies if ctx.platform else []
    users = sorted({user for d in dependencies for user in d.used_by})
    for user in users:
        runner = _runner(ctx, user)
        uses = [d for d in dependencies if user in d.used_by]
        if runner is None:
            yield verdict(Status.WARN, user, f"the platform config says {user} calls "
                          f"{', '.join(d.name for d in uses)}, but {ctx.env.name} runs no service, task or "
                          f"function {user}")
            continue
        if not runner.readable:
            yield verdict(Status.UNKNOWN, runner.arn, f"the task definition of {ctx.env.name} {runner.kind} {user} "
                          "could not be read", region=runner.region)
            continue
        problems = [p for d in uses for p in _timeout_problems(d, runner)]
        yield judged(runner.arn, problems, f"{ctx.env.name} {runner.kind} {user}",
                     "bounds its calls to " + "; ".join(_bounded(d, runner) for d in uses), region=runner.region,
                     providers=[d.name for d in uses])


def _runner(ctx: CheckContext, name: str) -> Runner | None:
    ecs, lbs = ctx.env.inventory(EcsInventory), ctx.env.inventory(LoadBalancerInventory).load_balancers
    apis = ctx.env.inventory(ApiGatewayInventory).apis
    for service in ecs.services:
        if ctx.env.common_name(service.name) == name:
            task = ecs.task_definition(service.task_definition)
            fronts = [lb for lb in lbs if {g.arn for g in lb.target_groups} & set(service.target_groups)]
            callers = [Caller(f"load balancer {ctx.env.common_name(lb.name)}'s idle timeout",
                              Decimal(lb.idle_timeout_seconds)) for lb in fronts if lb.idle_timeout_seconds]
            callers += _integrations(apis, [lb.dns_name for lb in fronts])
            return _task_runner("service", service.arn, service.region, task, callers)
    for task in ecs.standalone_task_definitions:
        if ctx.env.common_name(task.family) == name:
            return _task_runner("task", task.arn, task.region, task, [])
    for function in ctx.env.inventory(LambdaInventory).functions:
        if ctx.env.common_name(function.name) == name:
            return _function_runner(function, apis)
    return None


def _task_runner(kind: str, arn: str, region: str, task: TaskDefinition | None, callers: list[Caller]) -> Runner:
    containers = task.containers if task else []
    return Runner(kind, arn, region, {k: v for c in containers for k, v in c.timeouts.items()},
                  [n for c in containers for n in c.environment_names], callers, readable=task is not None)


def _function_runner(function: Function, apis: list[RestApi]) -> Runner:
    callers = [Caller("its own timeout", Decimal(function.timeout_seconds))] + _integrations(apis, [function.arn])
    return Runner("function", function.arn, function.region, function.timeouts, function.environment_names, callers)


def _integrations(apis: list[RestApi], targets: list[str | None]) -> list[Caller]:
    """API Gateway integrations that call one of the targets (a load balancer's DNS name or a function ARN)."""
    targets = [t for t in targets if t]
    return [Caller(f"API {api.name} integration {i.method} {i.path}", Decimal(i.timeout_ms) / 1000)
            for api in apis for i in api.integrations if i.uri and any(t in i.uri for t in targets)]


def _timeout_problems(dependency: Dependency, runner: Runner) -> list[tuple[Status, str]]:
    setting, budget = dependency.timeout_setting, dependency.timeout_seconds
    if not setting:
        return [(Status.UNKNOWN, f"cannot be judged for {dependency.name}: the platform config names no "
                                 "timeout_setting for it")]
    if setting not in runner.timeouts:
        if setting in runner.setting_names:
            return [(Status.UNKNOWN, f"sets {setting}, whose value is not read (only settings ending in "
                                     "_TIMEOUT_MS or _TIMEOUT_SECONDS are)")]
        return [(Status.FAIL, f"sets no {setting}: its calls to {dependency.name} wait as long as the client's "
                              "default")]
    seconds = _seconds(setting, runner.timeouts[setting])
    if seconds is None or seconds <= 0:
        return [(Status.FAIL, f"sets {setting} to something other than a positive number: calls to "
                              f"{dependency.name} may never time out")]
    if seconds > budget:
        return [(Status.FAIL, f"waits up to {num(seconds)} s for {dependency.name} ({setting}), more than its "
                              f"{num(budget)} s budget")]
    worst = budget * (dependency.retries + 1)
    return [(Status.WARN, f"may spend {num(worst)} s on {dependency.name} ({num(budget)} s × {dependency.retries + 1} "
                          f"attempts), longer than {caller.label} of {num(caller.seconds)} s: callers give up before "
                          "the answer or the fallback arrives")
            for caller in runner.callers if worst > caller.seconds]


def _bounded(dependency: Dependency, runner: Runner) -> str:
    worst = dependency.timeout_seconds * (dependency.retries + 1)
    tightest = min(runner.callers, key=lambda c: c.seconds, default=None)
    fits = f", within {tightest.label} of {num(tightest.seconds)} s" if tightest else ""
    return f"{dependency.name} ({dependency.timeout_setting}: at most {num(worst)} s with retries{fits})"


def _seconds(setting: str, value: str) -> Decimal | None:
    if not value:
        return None
    number = Decimal(value)
    return number / 1000 if setting.upper().endswith("_MS") else number


@check("dependencies.edge_throttling", area="dependencies", title="Edge throttling protects shared capacity",
       severity=Severity.HIGH, needs=("apigateway", "elbv2", "wafv2"), tiers=PRODUCTION,
       good="Every API stage has throttling limits and every public load balancer a WAF rate-based rule that blocks.")
def edge_throttling(ctx: CheckContext) -> Iterator[Verdict]:
    for api in ctx.env.inventory(ApiGatewayInventory).apis:
        for stage in api.stages:
            yield _stage_throttling(ctx, api, stage)
    waf = ctx.env.inventory(WafInventory)
    for lb in ctx.env.inventory(LoadBalancerInventory).load_balancers:
        if lb.scheme == "internet-facing":
            yield _load_balancer_throttling(ctx, lb, waf)


def _stage_throttling(ctx: CheckContext, api: RestApi, stage: Stage) -> Verdict:
    subject = f"{ctx.env.name} API {ctx.env.common_name(api.name)} stage {stage.name}"
    whole = stage.throttles.get("*/*")
    if whole and whole.rate_limit and whole.rate_limit > 0:
        return verdict(Status.PASS, stage.arn, f"{subject} limits callers to {num(whole.rate_limit)} requests/s "
                       f"(burst {whole.burst_limit})", region=api.region)
    if stage.usage_plans:
        return verdict(Status.PASS, stage.arn, f"{subject} throttles callers through usage plan(s) "
                       f"{', '.join(stage.usage_plans)}", region=api.region)
    limited = sorted(k for k, t in stage.throttles.items() if t.rate_limit and t.rate_limit > 0)
    if limited:
        return verdict(Status.WARN, stage.arn, f"{subject} throttles only {', '.join(limited)}: its other methods "
                       "take any rate of traffic", region=api.region)
    return verdict(Status.FAIL, stage.arn, f"{subject} has no throttling: one caller can use up the account's "
                   "API Gateway capacity shared by every API; want stage or usage-plan limits", region=api.region)


def _load_balancer_throttling(ctx: CheckContext, lb: LoadBalancer, waf: WafInventory) -> Verdict:
    subject = f"{ctx.env.name} public load balancer {ctx.env.common_name(lb.name)}"
    if lb.type != "application":
        return verdict(Status.WARN, lb.arn, f"{subject} is a {lb.type} load balancer, which cannot carry a WAF "
                       "web ACL: nothing here limits how fast one client calls it", region=lb.region)
    if not lb.web_acl_arn:
        return verdict(Status.FAIL, lb.arn, f"{subject} has no WAF web ACL: nothing limits how fast one client "
                       "calls it; want a rate-based rule that blocks", region=lb.region)
    acl = waf.web_acl(lb.web_acl_arn)
    if acl is None:
        return verdict(Status.UNKNOWN, lb.arn, f"{subject} uses web ACL {lb.web_acl_arn}, which was not found "
                       "among the region's web ACLs", region=lb.region)
    blocking = [r for r in acl.rate_rules if r.action in BLOCKING]
    if blocking:
        rule = min(blocking, key=lambda r: r.limit)
        return verdict(Status.PASS, lb.arn, f"{subject} blocks clients above {rule.limit} requests per "
                       f"{rule.window_seconds // 60} minutes (web ACL {acl.name}, rule {rule.name})", region=lb.region)
    if acl.rate_rules:
        return verdict(Status.WARN, lb.arn, f"{subject}'s web ACL {acl.name} only counts clients over its rate "
                       "limit and blocks none", region=lb.region)
    if acl.rule_groups:
        return verdict(Status.UNKNOWN, lb.arn, f"{subject}'s web ACL {acl.name} has no rate-based rule of its own "
                       f"and uses rule groups ({', '.join(acl.rule_groups)}) whose rules were not read",
                       region=lb.region)
    return verdict(Status.FAIL, lb.arn, f"{subject}'s web ACL {acl.name} has no rate-based rule: one client can "
                   "flood it", region=lb.region)


@check("dependencies.async_failure_handling", area="dependencies", title="Asynchronous integration failures captured",
       severity=Severity.HIGH, needs=("lambda_async",),
       good="Every function sends asynchronous events that failed all their retries to an on-failure destination or "
            "a dead-letter queue.")
def async_failure_handling(ctx: CheckContext) -> Iterator[Verdict]:
    """Every tier is judged: an integration failure dropped in staging is a defect nobody sees before release."""
    for function in ctx.env.inventory(LambdaInventory).functions:
        subject = f"{ctx.env.name} function {ctx.env.common_name(function.name)}"
        targets = sorted({c.on_failure for c in function.async_configs if c.on_failure}
                         | ({function.dead_letter_target} if function.dead_letter_target else set()))
        uncaught = sorted(c.qualifier for c in function.async_configs if not c.on_failure)
        if not targets:
            yield verdict(Status.FAIL, function.arn, f"{subject} has no on-failure destination or dead-letter queue: "
                          "an asynchronous event that fails its retries is dropped without a trace",
                          region=function.region)
        elif uncaught and not function.dead_letter_target:
            yield verdict(Status.WARN, function.arn, f"{subject} sends failed events to {', '.join(targets)}, but "
                          f"not when invoked as {', '.join(uncaught)}", region=function.region, targets=targets)
        else:
            yield verdict(Status.PASS, function.arn, f"{subject} sends events that failed every retry to "
                          f"{', '.join(targets)}", region=function.region, targets=targets)
