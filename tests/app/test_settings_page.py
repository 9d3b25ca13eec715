"""The Settings page: platforms edited as YAML or as a table, saved by administrators, connections tested."""
from __future__ import annotations

import pytest
from moto import mock_aws
from parity_estate import NAME, register, small_platform

from readiness.auth import LOCAL_USER, Actor, Role
from readiness.errors import InvalidInput, PermissionDenied
from readiness.platform_editing import (PlatformFormError, environment_rows, platform_from_rows,
                                        save_platform_edit)
from readiness.store import session_scope
from readiness.store import assessments as repo
from readiness.ui import context

VIEWER = Actor(name="Dana", role=Role.VIEWER)


@pytest.fixture
def settings(store_engine, launch_app, tmp_path):
    platform_id = register(store_engine, small_platform(tmp_path))
    at = launch_app()
    at.switch_page("pages/settings.py").run()
    assert not at.exception, at.exception
    return at, platform_id


def stored(engine, platform_id: int):
    with session_scope(engine) as session:
        return repo.platform_config(session, platform_id=platform_id)


def yaml_box(at, platform_id):
    return at.text_area(key=f"settings_yaml_{platform_id}")


def save_yaml(at, platform_id, text: str):
    yaml_box(at, platform_id).set_value(text)
    at.button(key=f"settings_yaml_save_{platform_id}").click().run()
    assert not at.exception, at.exception


def errors(at) -> str:
    return "\n".join(e.value for e in at.error)


def test_the_platforms_are_listed_and_the_chosen_one_is_shown_as_its_yaml(settings, store_engine):
    at, platform_id = settings
    listed = next(df.value for df in at.dataframe if "Platform" in df.value.columns)

    assert list(listed["Platform"]) == [NAME]
    assert list(listed["Environments"]) == ["staging, production"]
    assert yaml_box(at, platform_id).value == stored(store_engine, platform_id).to_yaml()


def test_a_yaml_mistake_is_refused_and_names_its_line(settings, store_engine):
    at, platform_id = settings
    text = yaml_box(at, platform_id).value
    broken = text.replace("arn:aws:iam::222222222222:role/readiness-readonly", "readiness-readonly")
    line = next(n for n, row in enumerate(broken.splitlines(), start=1) if "role_arn: readiness-readonly" in row)

    save_yaml(at, platform_id, broken)

    assert f"Line {line} · `environments[1].aws.role_arn`: must be an IAM role ARN" in errors(at)
    assert stored(store_engine, platform_id).environments[1].aws.role_arn.endswith(":role/readiness-readonly")


def test_saving_edited_yaml_stores_it_and_the_audit_trail_records_who(settings, store_engine):
    at, platform_id = settings
    text = yaml_box(at, platform_id).value
    save_yaml(at, platform_id, text.replace("name_prefix: tw-prod-", "name_prefix: tw-production-"))

    assert errors(at) == ""
    assert stored(store_engine, platform_id).environment("production").select.name_prefix == "tw-production-"
    trail = next(df.value for df in at.dataframe if "What" in df.value.columns)
    assert trail.iloc[0]["What"] == "platform.update" and trail.iloc[0]["Who"] == LOCAL_USER.name


def test_an_edit_made_on_top_of_someone_elses_newer_one_is_refused_and_theirs_shown(settings, store_engine):
    at, platform_id = settings
    theirs = stored(store_engine, platform_id)
    theirs.environments[1].select.name_prefix = "tw-live-"
    with session_scope(store_engine) as session:
        repo.save_platform(session, platform=theirs, actor=Actor(name="Priya", role=Role.ADMIN))

    mine = yaml_box(at, platform_id).value.replace("name_prefix: tw-prod-", "name_prefix: tw-production-")
    save_yaml(at, platform_id, mine)

    assert "was changed by Priya since you opened it" in errors(at)
    assert stored(store_engine, platform_id).environment("production").select.name_prefix == "tw-live-"
    assert "name_prefix: tw-live-" in yaml_box(at, platform_id).value


def test_renaming_a_platform_is_refused_with_the_reason(settings, store_engine):
    at, platform_id = settings
    save_yaml(at, platform_id, yaml_box(at, platform_id).value.replace(f"name: {NAME}", "name: Renamed"))

    assert "The name cannot change" in errors(at)
    assert stored(store_engine, platform_id).name == NAME


def test_a_new_platform_is_created_from_the_template_and_chosen(settings, store_engine):
    at, _ = settings
    at.selectbox(key="settings_platform").set_value(0).run()
    new_yaml = at.text_area(key="settings_yaml_new")
    assert new_yaml.value.startswith("# A new platform")

    new_yaml.set_value(new_yaml.value.replace("name: My platform", "name: Harbor Capital"))
    at.button(key="settings_yaml_save_new").click().run()

    assert not at.exception and errors(at) == ""
    with session_scope(store_engine) as session:
        created = repo.platform_by_name(session, name="Harbor Capital")
    assert created is not None
    assert at.selectbox(key="settings_platform").value == created.id


def test_saving_the_environments_table_as_shown_changes_nothing(settings, store_engine):
    at, platform_id = settings
    before = stored(store_engine, platform_id).to_yaml()
    at.button(key=f"settings_environments_save_{platform_id}").click().run()

    assert not at.exception and errors(at) == ""
    assert stored(store_engine, platform_id).to_yaml() == before


def test_a_viewer_reads_the_settings_but_cannot_save(settings, monkeypatch):
    at, platform_id = settings
    monkeypatch.setattr(context, "current_actor", lambda: VIEWER)
    at.run()

    assert any("Only administrators change platform settings" in i.value for i in at.info)
    assert at.button(key=f"settings_yaml_save_{platform_id}").disabled
    assert at.button(key=f"settings_environments_save_{platform_id}").disabled
    assert not at.button(key=f"settings_yaml_validate_{platform_id}").disabled


def test_testing_the_connection_shows_the_account_the_identity_and_what_can_be_read(settings):
    at, _ = settings
    with mock_aws():
        at.button(key="settings_test_connection").click().run()
    assert not at.exception, at.exception

    assert {m.label: m.value for m in at.metric}["Account"] == "222222222222"
    assert any("arn:aws:sts::222222222222:assumed-role/readiness-readonly/readiness" in m.value for m in at.markdown)
    reads = next(df.value for df in at.dataframe if "Can read" in df.value.columns)
    assert set(reads["Collector"]) == {"kms", "secretsmanager", "ssm"}  # what the platform's checks read
    assert reads["Can read"].all()


# ---- the environments table made into a platform (the editor itself cannot be driven in tests) ----

def test_every_problem_of_the_table_names_its_row_and_column(tmp_path):
    platform = small_platform(tmp_path)
    rows = environment_rows(platform)
    rows[0]["tags"] = "Environment"
    rows[1]["role_arn"] = "readonly"
    rows[1]["regions"] = ["us-east-1", "mars-1"]

    with pytest.raises(PlatformFormError) as refused:
        platform_from_rows(platform, name=platform.name, rows=rows, compare=platform.compare)

    assert refused.value.problems == [
        "Environment 1, tags: 'Environment' is not Key=Value (separate pairs with commas)",
        "Environment 2 (production), role ARN: must be an IAM role ARN like "
        "arn:aws:iam::123456789012:role/readiness-readonly",
        "Environment 2 (production), regions: 'mars-1' is not an AWS region name like us-east-1",
    ]


def test_the_table_edits_environments_and_keeps_what_it_does_not_show(tmp_path):
    platform = small_platform(tmp_path)
    platform = platform.model_copy(update={"environments": [
        platform.environments[0], platform.environments[1].model_copy(
            update={"data": platform.environments[1].data.model_copy(update={"s3": "s3://tw-prod-exports/p/"})})]})
    rows = environment_rows(platform)
    rows[1].update(tags=" Environment = production , Team=wealth", regions=["us-east-1", "eu-west-1"])
    rows.append({"name": "qa", "tier": "other", "name_prefix": "tw-qa-", "regions": None, "tags": float("nan")})
    rows.append({"name": None, "tier": None})  # an empty row the editor added

    edited = platform_from_rows(platform, name=platform.name, rows=rows, compare=[("staging", "qa")])

    production = edited.environment("production")
    assert production.select.tags == {"Environment": "production", "Team": "wealth"}
    assert production.aws.regions == ["us-east-1", "eu-west-1"]
    assert production.data.s3 == "s3://tw-prod-exports/p/"
    assert edited.environment("qa").aws.regions == ["us-east-1"]
    assert [e.name for e in edited.environments] == ["staging", "production", "qa"]
    assert edited.compare == [("staging", "qa")]


def test_only_an_administrator_saves_and_a_new_platform_needs_a_name_of_its_own(store_engine, tmp_path):
    platform = small_platform(tmp_path)
    register(store_engine, platform)
    with session_scope(store_engine) as session:
        with pytest.raises(PermissionDenied, match="needs the admin role"):
            save_platform_edit(session, platform=platform, actor=VIEWER, editing=platform.name)
        with pytest.raises(InvalidInput, match="already exists"):
            save_platform_edit(session, platform=platform, actor=LOCAL_USER, editing=None)
