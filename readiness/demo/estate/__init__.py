"""Seed the simulated AWS with the Northwind Wealth estate: staging and production, each in its own account."""
from __future__ import annotations

import os
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from botocore.exceptions import ClientError

from readiness.demo.accounts import admin_clients, isolated_session
from readiness.demo.estate import containers, integrations, network, operations, security, storage, workflows
from readiness.demo.estate.environment import DemoEnv, demo_environments
from readiness.platform import Platform

# Fixed, so the ids the simulation makes up (key ids, load balancer ids, secret suffixes) repeat.
RANDOM_SEED = 20240617


@dataclass(frozen=True)
class SeededEstate:
    endpoint_url: str
    accounts: dict[str, str]  # environment -> account id
    # "environment/kind:name" -> the ARN (or id) the simulation gave the resource
    resources: dict[str, str] = field(default_factory=dict)
    exports: dict[str, int] = field(default_factory=dict)  # environment -> sample files copied
    seconds: float = 0.0


def _moto_api(endpoint_url: str, path: str) -> None:
    # Straight to the local simulation: no proxy, whatever the environment says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(urllib.request.Request(f"{endpoint_url}/moto-api/{path}", method="POST", data=b""), timeout=30):
        pass


def seed_environment(env: DemoEnv, external_id: str | None) -> int:
    """Everything one environment holds, created in dependency order; returns sample files copied."""
    security.seed_identity(env, external_id)
    security.seed_keys(env)
    security.seed_parameters(env)
    security.seed_secrets(env)
    security.backdate_unrotated_secret(env)
    security.seed_certificate(env)
    network.seed_network(env)
    network.seed_load_balancer(env)
    integrations.seed_feed_load_balancer(env)
    storage.seed_messaging(env)
    operations.seed_logs(env)
    images = containers.seed_images(env)
    containers.seed_task_definitions(env, images)
    containers.seed_services(env)
    containers.seed_scaling(env)
    storage.seed_databases(env)
    integrations.seed_stale_recovery_point(env)
    storage.seed_buckets(env)
    operations.seed_alarms(env)
    operations.seed_budget(env)
    workflows.seed_schedules(env)
    workflows.seed_month_end(env)
    workflows.seed_releases(env)
    workflows.seed_partner_api(env)
    integrations.seed_functions(env)
    return storage.seed_data_exports(env)


def seed_estate(platform: Platform, endpoint_url: str, *, reset: bool = True) -> SeededEstate:
    """Build the estate in the simulation: the same resources, names and ids every time.

    `reset` wipes the simulation first; a server started moments ago has nothing to wipe.
    """
    started = time.perf_counter()
    environments = demo_environments(platform)
    session = isolated_session(environments[0].region)
    with _without_machine_images():
        if reset:
            _moto_api(endpoint_url, "reset")
        for env in environments:
            env.aws = admin_clients(session, endpoint_url, env.account, env.region)
            # The simulation builds an account's network (default VPC) on first use, drawing on its
            # random numbers differently the first time in a process: do it before fixing them.
            env.aws("ec2").describe_vpcs()
    _moto_api(endpoint_url, f"seed?a={RANDOM_SEED}")
    resources: dict[str, str] = {}
    exports: dict[str, int] = {}
    for env, config in zip(environments, platform.environments):
        exports[env.name] = seed_environment(env, config.aws.external_id)
        resources.update({f"{env.name}/{key}": value for key, value in env.arns.items()})
    _probes[endpoint_url] = environments[-1]
    return SeededEstate(endpoint_url=endpoint_url, accounts={e.name: e.account for e in environments},
                        resources=resources, exports=exports, seconds=time.perf_counter() - started)


# Per endpoint, the last environment seeded (with its clients), to ask cheaply whether the estate is there.
_probes: dict[str, DemoEnv] = {}
PROBE_PARAMETER = "db/portfolio/pool-size"  # every environment has it


def estate_present(platform: Platform | None, endpoint_url: str) -> bool:
    """Whether the seeded estate is still in the simulation (a reset elsewhere in the process wipes it)."""
    env = _probes.get(endpoint_url)
    if env is None or env.aws is None:
        if platform is None:
            return False  # never seeded through this endpoint in this process
        env = demo_environments(platform)[-1]
        env.aws = admin_clients(isolated_session(env.region), endpoint_url, env.account, env.region)
    try:
        env.aws("ssm").get_parameter(Name=f"{env.ssm_path}{PROBE_PARAMETER}")
    except ClientError:
        return False  # after a reset the probe's credentials no longer reach the account: not there either
    return True


@contextmanager
def _without_machine_images() -> Iterator[None]:
    """The estate runs no EC2 instances: skip the thousands of public images the simulation loads per account."""
    name = "MOTO_EC2_LOAD_DEFAULT_AMIS"
    before = os.environ.get(name)
    os.environ[name] = "false"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before
