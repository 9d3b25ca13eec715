"""The Drift page: production against staging, side by side per kind of resource, in plain words."""
from __future__ import annotations

import pytest
from moto import mock_aws
from parity_estate import register, seed_drift, small_platform

from readiness.auth import LOCAL_USER
from readiness.evidence.on_request import collect_now


@pytest.fixture
def collected(store_engine, launch_app, tmp_path):
    """The small platform with a run collected from moto, and the app on the Drift page."""
    platform_id = register(store_engine, small_platform(tmp_path))
    with mock_aws():
        seed_drift()
        collect_now(store_engine, platform_id=platform_id, actor=LOCAL_USER)
    at = launch_app()
    at.switch_page("pages/drift.py").run()
    assert not at.exception, at.exception
    return at


def test_the_header_says_in_how_many_places_production_differs(collected):
    assert [h.value for h in collected.header] == ["Production differs from staging in 3 places, across 3 resources."]
    assert collected.get("plotly_chart")


def test_parameters_show_side_by_side_what_differs_in_each_environment(collected):
    table = next(df.value for df in collected.dataframe if "What differs" in df.value.columns)

    assert list(table.columns) == ["Resource", "What differs", "In staging", "In production", "Status"]
    assert table.to_dict("records") == [
        {"Resource": "broker/account", "What differs": "type", "In staging": "SecureString",
         "In production": "String", "Status": "✖ fail"},
        {"Resource": "legacy/export", "What differs": "exists", "In staging": "missing", "In production": "present",
         "Status": "✖ fail"},
        {"Resource": "rebalance/threshold", "What differs": "exists", "In staging": "present",
         "In production": "missing", "Status": "✖ fail"},
    ]
    assert any("the one compared resource matches" in m.value for m in collected.markdown)  # the one secret


def test_before_any_evidence_the_page_says_where_to_collect_it(store_engine, launch_app, tmp_path):
    register(store_engine, small_platform(tmp_path))
    at = launch_app()
    at.switch_page("pages/drift.py").run()

    assert not at.exception, at.exception
    assert any("collect it on the Evidence page" in i.value for i in at.info)


def test_a_platform_without_compare_pairs_is_told_how_to_add_one(store_engine, launch_app, tmp_path):
    platform = small_platform(tmp_path).model_copy(update={"compare": []})
    register(store_engine, platform)
    at = launch_app()
    at.switch_page("pages/drift.py").run()

    assert any("compares no environments" in i.value and "Settings" in i.value for i in at.info)
