"""Judging inventories: which checks run on which environments, and their verdicts made into findings.

Works on stored inventories alone, so a run can be judged again later without AWS.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from pydantic import ValidationError

from readiness.checklist import Checklist
from readiness.errors import InvalidInput
from readiness.evidence.checking import CheckContext, EnvView, InventoryUnknown, Verdict
from readiness.evidence.collecting import Inventory
from readiness.evidence.model import Finding, InventoryRecord, Status
from readiness.evidence.registry import CheckSpec
from readiness.platform import Platform


@dataclass(frozen=True)
class Judgement:
    """One check over one environment, or over a (baseline, target) pair."""

    spec: CheckSpec
    environment: str
    baseline: str | None = None


def select_checks(checklist: Checklist, registry: Mapping[str, CheckSpec], wanted: Iterable[str] | None = None,
                  ) -> list[CheckSpec]:
    """The checks to run: the given ones, else every registered AWS check the checklist names."""
    if wanted is not None:
        wanted = list(dict.fromkeys(wanted))
        unknown = [c for c in wanted if c not in registry]
        if unknown:
            raise InvalidInput(f"No check named {', '.join(unknown)}; known checks: {', '.join(sorted(registry))}")
        return [registry[c] for c in wanted if registry[c].kind != "data"]
    named = checklist.check_ids()
    return [spec for check_id, spec in sorted(registry.items()) if check_id in named and spec.kind != "data"]


def plan(platform: Platform, specs: Sequence[CheckSpec], targets: Sequence[str]) -> list[Judgement]:
    """Single-environment checks once per target; comparing checks once per `compare` pair whose target is chosen."""
    tiers = {env.name: env.tier for env in platform.environments}
    out = []
    for spec in specs:
        if spec.compares:
            out += [Judgement(spec, target, baseline) for baseline, target in platform.compare
                    if target in targets and spec.applies_to(tiers[target])]
        else:
            out += [Judgement(spec, name) for name in targets if spec.applies_to(tiers[name])]
    return out


def needed_collectors(judgements: Iterable[Judgement]) -> dict[str, set[str]]:
    """Environment -> the collectors its judgements read."""
    needs: dict[str, set[str]] = defaultdict(set)
    for j in judgements:
        needs[j.environment].update(j.spec.needs)
        if j.baseline:
            needs[j.baseline].update(j.spec.needs)
    return dict(needs)


def build_views(platform: Platform, records: Iterable[InventoryRecord],
                types: Mapping[str, type[Inventory]]) -> dict[str, EnvView]:
    """Each environment's inventories, regions merged; an inventory unknown in any region is unknown."""
    by_env: dict[str, list[InventoryRecord]] = defaultdict(list)
    for record in records:
        by_env[record.environment].append(record)
    views = {}
    for env in platform.environments:
        mine = by_env.get(env.name, [])
        by_collector: dict[str, list[InventoryRecord]] = defaultdict(list)
        for record in mine:
            by_collector[record.collector].append(record)
        inventories, unknown = {}, {}
        for name, parts in by_collector.items():
            failed = [p for p in parts if p.status != "ok"]
            if failed:
                unknown[name] = "; ".join(f"{p.reason} ({p.region})" if len(parts) > 1 else str(p.reason)
                                          for p in failed)
            elif name not in types:
                unknown[name] = f"no collector named {name} is installed"
            else:
                try:
                    inventories[name] = types[name].merged([types[name].model_validate(p.payload) for p in parts])
                except ValidationError as exc:
                    unknown[name] = f"the stored {name} inventory could not be read ({exc.error_count()} problem(s))"
        account = next((r.account for r in mine if r.account), None)
        views[env.name] = EnvView(
            name=env.name, tier=env.tier, select=env.select, account=account, regions=tuple(env.aws.regions),
            inventories=inventories, unknown=unknown)
    return views


def controls_by_check(checklist: Checklist) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for control in checklist.controls():
        for check_id in control.checks:
            out[check_id].append(control.id)
    return out


def judge(
    platform: Platform,
    checklist: Checklist,
    judgements: Sequence[Judgement],
    views: Mapping[str, EnvView],
    *,
    now: dt.datetime,
    on_judged: Callable[[Judgement, list[Finding]], None] | None = None,
) -> list[Finding]:
    """Run every judgement: never stops because one check broke or one inventory is missing."""
    controls = controls_by_check(checklist)
    findings: list[Finding] = []
    for judgement in judgements:
        made = _judge_one(platform, judgement, views, controls.get(judgement.spec.id, []), now)
        findings += made
        if on_judged:
            on_judged(judgement, made)
    return findings


def _judge_one(platform: Platform, j: Judgement, views: Mapping[str, EnvView], controls: list[str],
               now: dt.datetime) -> list[Finding]:
    env, baseline = views[j.environment], views[j.baseline] if j.baseline else None

    def finding(status: Status, resource: str, message: str, details: dict | None = None,
                region: str | None = None, account: str | None = None) -> Finding:
        return Finding(check=j.spec.id, area=j.spec.area, controls=controls, environment=env.name,
                       baseline=j.baseline, account=account or env.account,
                       region=region or (env.regions[0] if len(env.regions) == 1 else None), resource=resource,
                       status=status, severity=j.spec.severity, message=message, details=details or {})

    missing = _missing_inventories(j.spec, env, baseline)
    if missing:
        return [finding(Status.UNKNOWN, env.name, f"{_could_not_tell(j.spec)}: {missing}", {"reason": missing})]
    ctx = CheckContext(env=env, baseline=baseline, platform=platform, settings=platform.evidence, now=now)
    try:
        verdicts = list(j.spec.function(ctx)) if j.spec.function else []
        for v in verdicts:
            if not isinstance(v, Verdict):
                raise TypeError(f"a check must yield Verdict objects, not {type(v).__name__}")
    except InventoryUnknown as exc:
        return [finding(Status.UNKNOWN, env.name, f"Could not tell: {exc}", {"reason": str(exc)})]
    except Exception as exc:  # a broken check is reported as such, and the others still run
        return [finding(Status.ERROR, env.name, f"The check {j.spec.id} failed: {type(exc).__name__}: {exc}",
                        {"exception": type(exc).__name__, "error": str(exc)})]
    if not verdicts:
        return [finding(Status.NOT_APPLICABLE, env.name, f"Nothing to look at in {env.name} for: {j.spec.title}")]
    return [finding(v.status, v.resource, v.message, v.details, v.region, v.account) for v in verdicts]


def _could_not_tell(spec: CheckSpec) -> str:
    good = spec.good.strip().rstrip(".")
    if not good:
        return f"Could not tell ({spec.title})"
    first = good[0].lower() if good[1:2].islower() else good[0]  # "Every service" but not "eCR"
    return f"Could not tell whether {first}{good[1:]}"


def _missing_inventories(spec: CheckSpec, env: EnvView, baseline: EnvView | None) -> str:
    reasons = []
    for view in (env, baseline):
        if view is None:
            continue
        for name in spec.needs:
            if name in view.unknown:
                reasons.append(f"{name} in {view.name}: {view.unknown[name]}")
            elif name not in view.inventories:
                reasons.append(f"{name} was not read in {view.name}")
    return "; ".join(reasons)
