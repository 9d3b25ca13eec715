"""Fixtures of the evidence tests: a simulated AWS (moto), fresh accounts in it, environments to read."""
from __future__ import annotations

from typing import Callable

import pytest
from evidence_fixtures import (
    REGION,
    Account,
    denied,
    judge_check,
    make_environment,
    new_account,
    read_inventory,
)
from moto import mock_aws


@pytest.fixture(scope="module")
def aws():
    """One simulated AWS per test module; tests keep apart by each using fresh accounts."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        patch.delenv("AWS_PROFILE", raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        with mock_aws():
            yield


@pytest.fixture
def account(aws) -> Account:
    return new_account()


@pytest.fixture
def environment() -> Callable:
    return make_environment


@pytest.fixture
def read() -> Callable:
    return read_inventory


@pytest.fixture
def deny() -> Callable:
    return denied


@pytest.fixture
def judged() -> Callable:
    return judge_check
