"""Step Functions: the environment's state machines, their execution logging, tracing and time limit."""
from __future__ import annotations

import json
from typing import Any

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged, tag_dict
from readiness.evidence.naming import belongs


class StateMachine(Resource):
    type: str = "STANDARD"  # STANDARD | EXPRESS
    logging_level: str = "OFF"  # OFF | FATAL | ERROR | ALL
    log_destinations: int = 0
    tracing: bool = False
    timeout_seconds: int | None = None  # the workflow's own limit (TimeoutSeconds), if it sets one
    task_states: int = 0
    task_states_without_catch: int = 0  # task states with no Catch: a failure there ends the run


class StepFunctionsInventory(Inventory):
    collector = "stepfunctions"
    state_machines: list[StateMachine] = []


@collector("stepfunctions", inventory=StepFunctionsInventory, actions=[
    "states:ListStateMachines", "states:DescribeStateMachine", "states:ListTagsForResource",
])
def collect_state_machines(ctx: CollectContext) -> StepFunctionsInventory:
    client = ctx.client("stepfunctions")

    def read(m: dict) -> StateMachine | None:
        # Tags carry the expected duration of the workflow, so they are read for every machine of the environment.
        tags = tag_dict(client.list_tags_for_resource(resourceArn=m["stateMachineArn"]).get("tags"), "key", "value")
        if not belongs(ctx.select, m["name"], tags):
            return None
        # DescribeStateMachine has no batch form: one call per state machine of the environment.
        return _machine(ctx, client.describe_state_machine(stateMachineArn=m["stateMachineArn"]), tags)

    candidates = [m for m in paged(client, "list_state_machines", "stateMachines")
                  if belongs(ctx.select, m["name"]) or ctx.select.tags]
    return StepFunctionsInventory(state_machines=[m for m in ctx.each(read, candidates) if m is not None])


def _machine(ctx: CollectContext, m: dict, tags: dict[str, str]) -> StateMachine:
    logging = m.get("loggingConfiguration") or {}
    definition = _definition(m.get("definition"))
    tasks = [s for s in _states(definition) if s.get("Type") == "Task"]
    timeout = definition.get("TimeoutSeconds")
    return StateMachine(
        name=m["name"], arn=m["stateMachineArn"], region=ctx.region, tags=tags, type=m.get("type", "STANDARD"),
        logging_level=logging.get("level", "OFF"), log_destinations=len(logging.get("destinations") or []),
        tracing=bool((m.get("tracingConfiguration") or {}).get("enabled")),
        timeout_seconds=timeout if isinstance(timeout, int) else None,
        task_states=len(tasks), task_states_without_catch=sum(1 for s in tasks if not s.get("Catch")),
    )


def _definition(text: str | None) -> dict[str, Any]:
    # Only the shape is kept (limits, task states): the definition itself is never stored.
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _states(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """Every state, including those inside Parallel branches and Map iterators."""
    out = []
    for state in (definition.get("States") or {}).values():
        if not isinstance(state, dict):
            continue
        out.append(state)
        for branch in state.get("Branches") or []:
            out += _states(branch)
        for key in ("Iterator", "ItemProcessor"):
            if isinstance(state.get(key), dict):
                out += _states(state[key])
    return out
