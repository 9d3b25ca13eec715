"""First start of a store: the platform files are registered once, and a bad file is named, not fatal."""
from __future__ import annotations

import shutil

from readiness.bootstrap import PLATFORMS_DIR, ensure_platforms
from readiness.store import session_scope
from readiness.store import assessments as repo


def test_empty_store_gets_every_platform_file(store_engine):
    with session_scope(store_engine) as session:
        result = ensure_platforms(session, PLATFORMS_DIR)
    with session_scope(store_engine) as session:
        names = [p.name for p in repo.list_platforms(session)]
    assert result.registered == names
    assert "Northwind Wealth (demo)" in names and result.problems == []


def test_store_with_platforms_is_left_as_it_is(store_engine, tmp_path):
    with session_scope(store_engine) as session:
        ensure_platforms(session, PLATFORMS_DIR)
    shutil.copy(PLATFORMS_DIR / "demo.yaml", tmp_path / "demo.yaml")
    (tmp_path / "demo.yaml").write_text((tmp_path / "demo.yaml").read_text().replace("go_score: 80", "go_score: 90"))

    with session_scope(store_engine) as session:
        result = ensure_platforms(session, tmp_path)
        stored = repo.platform_config(session, platform_id=repo.list_platforms(session)[0].id)
    assert result.registered == [] and str(stored.thresholds.go_score) == "80"


def test_a_bad_platform_file_is_reported_and_the_others_registered(store_engine, tmp_path):
    shutil.copy(PLATFORMS_DIR / "demo.yaml", tmp_path / "b-demo.yaml")
    (tmp_path / "a-broken.yaml").write_text("name: Broken\nenvironments: []\n")

    with session_scope(store_engine) as session:
        result = ensure_platforms(session, tmp_path)

    assert result.registered == ["Northwind Wealth (demo)"]
    assert len(result.problems) == 1 and result.problems[0].startswith(f"{tmp_path / 'a-broken.yaml'}:2: environments")
