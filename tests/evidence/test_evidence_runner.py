"""The evidence runner: each service read once, failures isolated, progress reported, runs re-judged later."""
from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from evidence_fixtures import make_environment, new_account

from readiness.assessment import checklist_for
from readiness.errors import InvalidInput
from readiness.evidence.checking import CheckContext, EnvView, verdict
from readiness.evidence.collecting import COLLECTORS, CollectorSpec, Inventory
from readiness.evidence.collectors.ssm import SsmInventory
from readiness.evidence.judging import plan, select_checks
from readiness.evidence.model import EvidenceRun, Severity, Status
from readiness.evidence.registry import CheckSpec, all_checks
from readiness.evidence.runner import rejudge, run_evidence
from readiness.platform import Platform


class BrokenInventory(Inventory):
    collector = "broken"


def broken_collector(ctx):
    raise RuntimeError("kaput")


def parameters_exist(ctx):
    for parameter in ctx.env.inventory(SsmInventory).parameters:
        yield verdict(Status.PASS, parameter.arn, f"{parameter.name} exists", region=parameter.region)


def needs_broken(ctx):
    yield verdict(Status.PASS, "never", "never reached")


def raises(ctx):
    raise ZeroDivisionError("division by zero")


def spec(check_id: str, function, needs=("ssm",), compares=False, tiers=()) -> CheckSpec:
    return CheckSpec(id=check_id, area="environment", title=check_id, severity=Severity.LOW, needs=tuple(needs),
                     good="parameters exist.", compares=compares, tiers=tuple(tiers), function=function)


CHECKS = {c.id: c for c in (
    spec("environment.parameters_exist", parameters_exist),
    spec("environment.parameters_compared", parameters_exist, compares=True),
    spec("environment.needs_broken", needs_broken, needs=("broken",)),
    spec("environment.raises", raises),
)}
COLLECTOR_SET = {"ssm": COLLECTORS["ssm"],
                 "broken": CollectorSpec(name="broken", actions=(), inventory=BrokenInventory,
                                         function=broken_collector)}


@pytest.fixture(scope="module")
def estate(aws):
    """Two accounts, staging and production, each with two parameters."""
    environments = []
    for name in ("staging", "production"):
        account = new_account()
        for key in ("db/url", "db/pool-size"):
            account.client("ssm").put_parameter(Name=f"/northwind/{name}/{key}", Value="1", Type="String")
        environments.append(make_environment(name, account=account, ssm_path=f"/northwind/{name}/"))
    return Platform(name="northwind", environments=environments, compare=[("staging", "production")])


def run(platform, *checks, **options):
    return run_evidence(platform, checklist_for(platform), checks=checks, check_registry=CHECKS,
                        collector_registry=COLLECTOR_SET, **options)


def test_one_collector_failing_leaves_the_others_read_and_only_its_checks_unknown(estate):
    result = run(estate, "environment.parameters_exist", "environment.needs_broken", environments=["production"])
    records = {r.collector: r for r in result.inventories}
    assert records["broken"].status == "unknown"
    assert records["broken"].reason == "Collector failed: RuntimeError: kaput"
    assert records["ssm"].status == "ok"
    statuses = {(f.check, f.status) for f in result.findings}
    assert statuses == {("environment.parameters_exist", Status.PASS), ("environment.needs_broken", Status.UNKNOWN)}


def test_a_check_that_raises_gives_an_error_finding_and_the_others_still_run(estate):
    result = run(estate, "environment.raises", "environment.parameters_exist", environments=["production"])
    [error] = [f for f in result.findings if f.check == "environment.raises"]
    assert error.status == Status.ERROR and "ZeroDivisionError: division by zero" in error.message
    assert [f.status for f in result.findings if f.check == "environment.parameters_exist"] == [Status.PASS] * 2


def test_each_service_is_read_once_per_environment_however_many_checks_use_it(estate):
    calls = []
    hooks = (("provide-client-params", lambda model, **_: calls.append(model.name)),)
    result = run(estate, "environment.parameters_exist", "environment.parameters_compared", hooks=hooks)
    assert calls.count("DescribeParameters") == 2  # staging and production, once each
    assert [(r.environment, r.collector) for r in result.inventories] == [("staging", "ssm"), ("production", "ssm")]
    sessions = 2 * 2  # AssumeRole and GetCallerIdentity per environment
    assert result.api_calls == sum(r.api_calls for r in result.inventories) + sessions == len(calls)
    assert result.checks == 2


def test_progress_is_reported_on_the_callers_thread_until_all_is_done(estate):
    events = []
    run(estate, "environment.parameters_exist", "environment.needs_broken",
        progress=lambda event: events.append((threading.get_ident(), event)))
    assert {thread for thread, _ in events} == {threading.get_ident()}
    collected = [e for _, e in events if e.stage == "collect" and e.state != "started"]
    assert {(e.collector, e.state) for e in collected} == {("ssm", "finished"), ("broken", "unknown")}
    assert max(e.done for e in collected) == collected[0].total == 4
    assert [e.stage for _, e in events][-1] == "check"


def test_chosen_environments_are_judged_and_their_baselines_only_read(estate):
    result = run(estate, "environment.parameters_exist", "environment.parameters_compared",
                 environments=["production"])
    assert result.environments == ["production"]
    assert {r.environment for r in result.inventories} == {"staging", "production"}
    assert {f.environment for f in result.findings} == {"production"}
    assert {f.baseline for f in result.findings if f.check == "environment.parameters_compared"} == {"staging"}


def test_a_stored_run_is_judged_again_without_aws_to_the_same_findings(estate):
    result = run(estate, "environment.parameters_exist", "environment.parameters_compared")
    stored = EvidenceRun.model_validate_json(result.model_dump_json())
    only_these = {c: CHECKS[c] for c in ("environment.parameters_exist", "environment.parameters_compared")}
    again = rejudge(estate, checklist_for(estate), stored, check_registry=only_these,
                    collector_registry={"ssm": COLLECTORS["ssm"]})
    assert again.findings == result.findings and again.checks == 2


def test_unknown_environments_and_checks_are_refused_by_name(estate):
    with pytest.raises(InvalidInput, match="no environment 'prod'.*staging, production"):
        run(estate, "environment.parameters_exist", environments=["prod"])
    with pytest.raises(InvalidInput, match="No check named environment.nope"):
        run(estate, "environment.nope")


def test_a_demo_platform_is_refused_unless_pointed_at_its_simulation():
    platform = Platform(name="demo", demo=True, environments=[make_environment("production")])
    with pytest.raises(InvalidInput, match="demo"):
        run_evidence(platform, checklist_for(platform))


def test_by_default_the_checklists_aws_checks_run_and_data_checks_do_not():
    platform = Platform(name="p", environments=[make_environment("production")])
    chosen = {s.id for s in select_checks(checklist_for(platform), all_checks())}
    assert {"environment.ssm_parity", "deployment.circuit_breaker"} <= chosen
    assert not [c for c in chosen if all_checks()[c].kind == "data"]


def test_production_checks_are_planned_for_production_only_and_comparisons_per_pair():
    platform = Platform(name="p", environments=[make_environment("staging"), make_environment("production"),
                                                make_environment("qa")], compare=[("staging", "production"),
                                                                                 ("qa", "staging")])
    specs = [spec("environment.only_prod", parameters_exist, tiers=("production",)),
             spec("environment.pairs", parameters_exist, compares=True)]
    planned = {(j.spec.id, j.environment, j.baseline) for j in plan(platform, specs, ["staging", "production", "qa"])}
    assert planned == {("environment.only_prod", "production", None), ("environment.pairs", "production", "staging"),
                       ("environment.pairs", "staging", "qa")}


def test_an_environment_in_two_regions_is_read_in_each_and_judged_as_one(aws):
    account = new_account()
    for region in ("us-east-1", "eu-west-1"):
        account.session.client("ssm", region_name=region).put_parameter(
            Name=f"/northwind/production/{region}/endpoint", Value="x", Type="String")
    env = make_environment("production", account=account, ssm_path="/northwind/production/",
                           regions=("us-east-1", "eu-west-1"))
    result = run(Platform(name="p", environments=[env]), "environment.parameters_exist")
    assert [(r.region, r.status) for r in result.inventories] == [("us-east-1", "ok"), ("eu-west-1", "ok")]
    assert sorted((f.region, f.resource.split(":")[3]) for f in result.findings) == [
        ("eu-west-1", "eu-west-1"), ("us-east-1", "us-east-1")]


def test_resources_are_paired_by_name_without_prefix_and_by_region_when_both_span_the_same_regions():
    regions = ("us-east-1", "eu-west-1")
    staging = EnvView.build(make_environment("staging", regions=regions))
    production = EnvView.build(make_environment("production", regions=regions))
    ctx = CheckContext(env=production, baseline=staging)
    mine = [Item("nw-prod-api", "us-east-1"), Item("nw-prod-api", "eu-west-1"), Item("nw-prod-batch", "us-east-1")]
    theirs = [Item("nw-staging-api", "us-east-1"), Item("nw-staging-api", "eu-west-1")]
    pairs = {(p.key, p.target is not None, p.baseline is not None) for p in ctx.pairs(mine, theirs)}
    assert pairs == {("us-east-1:api", True, True), ("eu-west-1:api", True, True), ("us-east-1:batch", True, False)}
    single = CheckContext(env=EnvView.build(make_environment("production")),
                          baseline=EnvView.build(make_environment("staging", regions=("eu-west-1",))))
    assert [p.key for p in single.pairs([Item("nw-prod-api", "us-east-1")], [Item("nw-staging-api", "eu-west-1")])
            ] == ["api"]


@dataclass
class Item:
    name: str
    region: str
