"""What the [auth] section of the secrets file must hold for sign-in to work safely."""
from __future__ import annotations

import tomllib

from readiness.auth import parse_role_mapping, sign_in_problems, sign_in_providers
from readiness.platform import REPO_ROOT

GOOD = {
    "redirect_uri": "https://readiness.example.com/oauth2callback",
    "cookie_secret": "f" * 64,
    "client_id": "readiness-app",
    "client_secret": "s3cr3t",
    "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
}


def test_a_complete_section_has_no_problems_and_signs_in_with_the_default_provider():
    assert sign_in_problems(GOOD) == []
    assert sign_in_providers(GOOD) == ["default"]


def test_named_providers_each_get_their_own_sign_in():
    auth = {"redirect_uri": GOOD["redirect_uri"], "cookie_secret": GOOD["cookie_secret"],
            "google": {k: GOOD[k] for k in ("client_id", "client_secret", "server_metadata_url")},
            "microsoft": {k: GOOD[k] for k in ("client_id", "client_secret", "server_metadata_url")}}
    assert sign_in_providers(auth) == ["google", "microsoft"]
    assert sign_in_problems(auth) == []


def test_client_kwargs_is_a_setting_not_a_provider():
    auth = {**GOOD, "client_kwargs": {"prompt": "login"}}
    assert sign_in_providers(auth) == ["default"]


def test_a_redirect_that_is_not_the_callback_is_a_problem():
    problems = sign_in_problems({**GOOD, "redirect_uri": "https://readiness.example.com/"})
    assert [p.split(":")[0] for p in problems] == ["redirect_uri"]


def test_a_short_cookie_secret_is_a_problem_because_it_signs_every_identity():
    problems = sign_in_problems({**GOOD, "cookie_secret": "changeme"})
    assert len(problems) == 1 and problems[0].startswith("cookie_secret: must be a random string")


def test_missing_client_settings_are_each_named():
    auth = {k: v for k, v in GOOD.items() if k not in ("client_id", "client_secret")}
    assert sign_in_problems(auth) == ["client_id: missing", "client_secret: missing"]


def test_a_named_provider_missing_settings_is_named_with_its_provider():
    auth = {"redirect_uri": GOOD["redirect_uri"], "cookie_secret": GOOD["cookie_secret"],
            "okta": {"client_id": "x", "server_metadata_url": "http://okta.example.com/.well-known/x"}}
    assert sign_in_problems(auth) == [
        "okta.client_secret: missing",
        "okta.server_metadata_url: must be the provider's https:// address of /.well-known/openid-configuration "
        "(http:// only for a provider on localhost)",
    ]


def test_the_example_file_cannot_be_used_as_it_is():
    example = tomllib.loads((REPO_ROOT / ".streamlit" / "secrets.toml.example").read_text())
    problems = sign_in_problems(example["auth"])
    assert {p.split(":")[0] for p in problems} == {"cookie_secret", "client_id", "client_secret"}
    assert all("placeholder" in p for p in problems)
    parse_role_mapping(example["readiness"]["roles"])  # its roles show a mapping that is valid


def test_a_provider_on_this_machine_may_be_reached_over_plain_http():
    local = {**GOOD, "server_metadata_url": "http://localhost:8080/realms/dev/.well-known/openid-configuration"}
    assert sign_in_problems(local) == []
    remote = {**GOOD, "server_metadata_url": "http://localhost.evil.example/.well-known/openid-configuration"}
    assert [p.split(":")[0] for p in sign_in_problems(remote)] == ["server_metadata_url"]
