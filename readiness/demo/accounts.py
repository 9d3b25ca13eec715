"""Boto3 access to the demo's simulated accounts, with fake static credentials and never the user's."""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import boto3
import botocore.session
from botocore.config import Config

# Credentials the simulation accepts; nothing a real AWS account would.
FAKE_ACCESS_KEY = "demo"
FAKE_SECRET_KEY = "demo"
# The role an organisation's management account uses to administer member accounts.
ADMIN_ROLE = "OrganizationAccountAccessRole"
SIMULATION_CONFIG = Config(retries={"total_max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60)


@lru_cache(maxsize=4)
def isolated_session(region: str) -> boto3.Session:
    """A session that reads no profile, config file or credential file of the person running the demo.

    Kept for the process: its loaded service models make every later client cheap. Only the seeding
    uses it, one seeding at a time.
    """
    core = botocore.session.Session(session_vars={
        "profile": (None, None, None, None),
        "config_file": (None, None, os.devnull, None),
        "credentials_file": (None, None, os.devnull, None),
    })
    return boto3.Session(botocore_session=core, aws_access_key_id=FAKE_ACCESS_KEY,
                         aws_secret_access_key=FAKE_SECRET_KEY, region_name=region)


class AccountClients:
    """Clients of one simulated account and region, created once per service."""

    def __init__(self, session: boto3.Session, endpoint_url: str, account_id: str, region: str,
                 credentials: dict[str, str]):
        self.session = session
        self.endpoint_url = endpoint_url
        self.account_id = account_id
        self.region = region
        self._credentials = credentials
        self._clients: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(
                service, endpoint_url=self.endpoint_url, region_name=self.region, config=SIMULATION_CONFIG,
                aws_access_key_id=self._credentials["AccessKeyId"],
                aws_secret_access_key=self._credentials["SecretAccessKey"],
                aws_session_token=self._credentials["SessionToken"],
            )
        return self._clients[service]


def admin_clients(session: boto3.Session, endpoint_url: str, account_id: str, region: str) -> AccountClients:
    """Clients acting as the administrator of `account_id`, reached by assuming its admin role."""
    sts = session.client("sts", endpoint_url=endpoint_url, region_name=region, config=SIMULATION_CONFIG)
    # The simulation routes calls made with assumed-role credentials to the role's account.
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{ADMIN_ROLE}",
                                  RoleSessionName="northwind-estate")["Credentials"]
    return AccountClients(session, endpoint_url, account_id, region, credentials)
