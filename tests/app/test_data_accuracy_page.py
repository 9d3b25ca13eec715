"""The data-accuracy page: validating exports read from S3 (moto), the summary, the portfolios at fault."""
from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from readiness.auth import LOCAL_USER
from readiness.dataflow.validate import validate_and_store
from readiness.platform import load_platform
from readiness.store import session_scope
from readiness.store import assessments as repo
from readiness.store.evidence import list_runs

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "data" / "samples"
BUCKETS = {"staging": "nw-staging-exports", "production": "nw-prod-exports"}


def exports_platform():
    """The demo's platform as a real estate would configure it: no simulation, no role to assume."""
    demo = load_platform(REPO_ROOT / "data" / "platforms" / "demo.yaml")
    environments = [e.model_copy(update={"aws": e.aws.model_copy(update={"role_arn": None, "external_id": None})})
                    for e in demo.environments]
    platform = demo.model_copy(update={"name": "Northwind Wealth", "demo": False, "environments": environments})
    platform.source = demo.source
    return platform


@pytest.fixture
def page(store_engine, launch_app):
    platform = exports_platform()
    with session_scope(store_engine) as session:
        repo.save_platform(session, platform=platform, actor=LOCAL_USER)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        for environment, bucket in BUCKETS.items():
            s3.create_bucket(Bucket=bucket)
            for path in (SAMPLES / environment).glob("*.csv"):
                s3.put_object(Bucket=bucket, Key=f"portfolio/{path.name}", Body=path.read_bytes())
        at = launch_app()
        at.switch_page("pages/data_accuracy.py").run()
        assert not at.exception, at.exception
        yield at, platform


def table(at, column: str):
    """The data frame on the page that has this column (data frames carry no key in the test tree)."""
    [frame] = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


def runs(engine, platform) -> list:
    with session_scope(engine) as session:
        row = repo.platform_by_name(session, name=platform.name)
        return list_runs(session, platform_id=row.id)


def test_before_any_run_the_page_says_how_to_start(page):
    at, _ = page
    assert any("No data-accuracy run yet" in i.value for i in at.info)
    assert [c.value for c in at.caption if c.value.startswith("staging:")] == [
        "staging: s3://nw-staging-exports/portfolio/"]


def test_validating_reads_s3_stores_a_run_and_shows_the_portfolios_at_fault(page, store_engine):
    at, platform = page
    at.button(key="data_run").click().run()
    assert not at.exception, at.exception
    [stored] = runs(store_engine, platform)
    assert stored.kind == "data" and stored.api_calls == 14

    summary = table(at, "Checked")
    market = summary[(summary["Rule"] == "Market values equal quantity × price × FX")
                     & (summary["Environment"] == "production")].iloc[0]
    assert (market["Status"], market["At fault"], market["Checked"]) == ("Fail", 1, 8)
    portfolios = table(at, "What is wrong")
    assert len(portfolios) == 4 and set(portfolios["Status"]) == {"Fail"}
    assert len(at.get("plotly_chart")) == 1  # production minus staging, per portfolio
    assert at.metric[1].label == "Rules failing" and at.metric[1].value == "3"


def test_picking_a_portfolio_shows_its_rows_at_fault(page, store_engine):
    at, platform = page
    validate_and_store(store_engine, platform=platform, actor=LOCAL_USER, folder=SAMPLES)
    at.run()
    labels = at.selectbox(key="data_detail").options
    agreement = next(i for i, label in enumerate(labels) if "P-1008" in label and "environment_agreement" in label)
    at.selectbox(key="data_detail").set_value(agreement).run()
    rows = table(at, "problem")
    assert set(rows["problem"]) == {"position differs", "portfolio total differs", "valuation history differs"}


def test_choosing_no_environment_disables_validating(page):
    at, _ = page
    at.multiselect(key="data_environments").set_value([]).run()
    assert at.button(key="data_run").disabled
