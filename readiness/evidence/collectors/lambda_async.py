"""Lambda: the environment's functions with their timeout, setting names and what happens to failed async events."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, Resource, collector, paged
from readiness.evidence.collectors.ecs import timeout_values
from readiness.evidence.naming import belongs


class AsyncConfig(BaseModel):
    """How asynchronous invocations of the function (or of one alias or version) are retried and where failures go."""

    qualifier: str  # $LATEST, an alias or a version
    on_failure: str | None = None  # the destination of events that failed every attempt
    maximum_retry_attempts: int | None = None  # None: the default, two
    maximum_event_age_seconds: int | None = None  # None: the default, six hours


class Function(Resource):
    runtime: str | None = None
    timeout_seconds: int = 3
    environment_names: list[str] = []  # names only: values may hold secrets and are never kept
    timeouts: dict[str, str] = {}  # *_TIMEOUT_MS / *_TIMEOUT_SECONDS variables: a number, or "" if not one
    dead_letter_target: str | None = None
    async_configs: list[AsyncConfig] = []
    reserved_concurrency: int | None = None  # None: draws on the account's shared pool


class LambdaInventory(Inventory):
    collector = "lambda_async"
    functions: list[Function] = []


@collector("lambda_async", inventory=LambdaInventory, actions=[
    "lambda:ListFunctions", "lambda:ListTags", "lambda:ListFunctionEventInvokeConfigs",
    "lambda:GetFunctionConcurrency",
])
def collect_functions(ctx: CollectContext) -> LambdaInventory:
    # The simulated AWS of the demo never answers DeadLetterConfig: there, only on-failure destinations show.
    client = ctx.client("lambda")

    def read(f: dict) -> Function | None:
        name, arn = f["FunctionName"], f["FunctionArn"]
        tags = client.list_tags(Resource=arn).get("Tags", {})
        if belongs(ctx.select, name) or belongs(ctx.select, name, tags):
            return _function(ctx, client, f, tags)
        return None

    # Tags cost a call per function: read them only for functions that may be this environment's.
    candidates = [f for f in paged(client, "list_functions", "Functions")
                  if belongs(ctx.select, f["FunctionName"]) or ctx.select.tags]
    return LambdaInventory(functions=[f for f in ctx.each(read, candidates) if f is not None])


def _function(ctx: CollectContext, client: Any, f: dict, tags: dict[str, str]) -> Function:
    variables = (f.get("Environment") or {}).get("Variables") or {}
    # One call per function: there is no listing of the invoke configs of every function at once.
    configs = paged(client, "list_function_event_invoke_configs", "FunctionEventInvokeConfigs",
                    FunctionName=f["FunctionName"])
    return Function(
        name=f["FunctionName"], arn=f["FunctionArn"], region=ctx.region, tags=tags, runtime=f.get("Runtime"),
        timeout_seconds=f.get("Timeout", 3), environment_names=sorted(variables),
        timeouts=timeout_values(variables.items()),
        dead_letter_target=(f.get("DeadLetterConfig") or {}).get("TargetArn"),
        async_configs=[_async_config(f["FunctionArn"], c) for c in configs],
        # Not in the listing either: one call per function.
        reserved_concurrency=client.get_function_concurrency(FunctionName=f["FunctionName"]).get(
            "ReservedConcurrentExecutions"),
    )


def _async_config(function_arn: str, config: dict) -> AsyncConfig:
    qualified = config.get("FunctionArn", function_arn)
    qualifier = qualified[len(function_arn) + 1:] if qualified.startswith(function_arn + ":") else "$LATEST"
    return AsyncConfig(
        qualifier=qualifier,
        on_failure=((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination"),
        maximum_retry_attempts=config.get("MaximumRetryAttempts"),
        maximum_event_age_seconds=config.get("MaximumEventAgeInSeconds"),
    )
