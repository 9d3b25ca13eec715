"""The simulated estate: two accounts reached by role, named and tagged as the platform selects, the same every time."""
from __future__ import annotations

import urllib.request
from pathlib import Path

import boto3
import pytest

from readiness.demo import DemoEstate, ensure_demo
from readiness.demo.accounts import FAKE_ACCESS_KEY, admin_clients, isolated_session
from readiness.demo.estate.environment import DemoEnv
from readiness.demo.estate.storage import SAMPLES, seed_data_exports
from readiness.demo.server import DemoUnavailable, start_server
from readiness.platform import Platform


def read_only(estate: DemoEstate, platform: Platform, environment: str, service: str):
    """A client as the evidence collectors get one: the platform's read-only role, with its external id."""
    aws = platform.environment(environment).aws
    sts = boto3.client("sts", endpoint_url=estate.endpoint_url, region_name="us-east-1")
    credentials = sts.assume_role(RoleArn=aws.role_arn, RoleSessionName="test", ExternalId=aws.external_id)["Credentials"]
    return boto3.client(service, endpoint_url=estate.endpoint_url, region_name="us-east-1",
                        aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"],
                        aws_session_token=credentials["SessionToken"])


def test_each_environment_lives_in_its_own_account_reached_through_its_role(estate, platform) -> None:
    assert estate.accounts == {"staging": "111111111111", "production": "222222222222"}
    for environment, account in estate.accounts.items():
        assert read_only(estate, platform, environment, "sts").get_caller_identity()["Account"] == account
    production = read_only(estate, platform, "production", "ssm")
    names = [p["Name"] for p in production.describe_parameters()["Parameters"]]
    assert names and all(name.startswith("/northwind/production/") for name in names)


def test_resources_carry_the_names_and_tags_the_platform_selects(estate, platform) -> None:
    for environment in ("staging", "production"):
        select = platform.environment(environment).select
        ecs = read_only(estate, platform, environment, "ecs")
        arns = ecs.list_services(cluster=f"{select.name_prefix}platform")["serviceArns"]
        services = ecs.describe_services(cluster=f"{select.name_prefix}platform", services=arns,
                                         include=["TAGS"])["services"]
        assert len(services) == 5
        for service in services:
            tags = {t["key"]: t["value"] for t in service["tags"]}
            assert select.matches(service["serviceName"], tags)
            assert service["serviceName"].startswith(select.name_prefix)
            assert tags["Environment"] == select.tags["Environment"]


def test_the_estate_is_present_and_reused_while_the_simulation_runs(platform, estate) -> None:
    assert ensure_demo(platform) is ensure_demo(platform)


def test_a_reset_simulation_is_seeded_again_with_the_same_ids(platform, estate) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    opener.open(urllib.request.Request(f"{estate.endpoint_url}/moto-api/reset", method="POST", data=b"")).close()

    again = ensure_demo(platform)

    assert again is not estate
    assert again.endpoint_url == estate.endpoint_url
    assert again.resources == estate.resources  # secret suffixes, load balancer ids, key ids: all repeated
    assert again.gaps == estate.gaps


def test_seeding_ignores_the_users_aws_settings(estate, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALUSERKEY00000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://real-aws.invalid")
    isolated_session.cache_clear()
    try:
        session = isolated_session("us-east-1")
        assert session.get_credentials().access_key == FAKE_ACCESS_KEY
        production = admin_clients(session, estate.endpoint_url, "222222222222", "us-east-1")
        assert production("sts").get_caller_identity()["Account"] == "222222222222"
    finally:
        isolated_session.cache_clear()


@pytest.mark.skipif(not (SAMPLES / "production").is_dir(), reason="no sample exports in data/samples yet")
def test_sample_exports_are_copied_to_each_environments_export_location(estate, platform) -> None:
    for environment in ("staging", "production"):
        bucket, _, prefix = platform.environment(environment).data.s3.removeprefix("s3://").partition("/")
        s3 = read_only(estate, platform, environment, "s3")
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])}
        expected = {prefix + p.relative_to(SAMPLES / environment).as_posix()
                    for p in (SAMPLES / environment).rglob("*") if p.is_file()}
        assert keys == expected and estate.exports[environment] == len(expected)


def test_exports_seam_copies_nothing_when_there_are_no_samples(tmp_path: Path) -> None:
    env = DemoEnv(name="production", tier="production", account="222222222222", region="us-east-1",
                  prefix="nw-prod-", tags={}, ssm_path="/p/", secrets_prefix="p/",
                  exports="s3://nw-prod-exports/portfolio/", cidr="10.20.0.0/16")
    assert seed_data_exports(env, samples=tmp_path) == 0  # and no AWS call: the environment has no clients


def test_a_second_port_for_the_running_simulation_is_refused_with_the_reason(estate) -> None:
    running = start_server()
    with pytest.raises(DemoUnavailable, match=f"already runs on port {running.port}"):
        start_server(running.port + 1 if running.port < 65535 else running.port - 1)
