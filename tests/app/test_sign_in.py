"""Sign-in and roles in the app: the sign-in screen, who is signed in, and writes a role may not make."""
from __future__ import annotations

import re

import pytest
import streamlit
from streamlit.errors import StreamlitSecretNotFoundError
from streamlit.testing.v1 import AppTest

from readiness.auth import LOCAL_USER
from readiness.bootstrap import ensure_platforms
from readiness.platform import REPO_ROOT
from readiness.store import assessments as repo
from readiness.store import session_scope
from readiness.ui import state
from readiness.ui.auth import LOCAL_MODE_LABEL, SIGN_IN_KEY, SIGN_OUT_KEY
from readiness.ui.control_card import widget_key

APP = REPO_ROOT / "app.py"
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "0123456789abcdef" * 4,
    "client_id": "readiness",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://login.example.com/.well-known/openid-configuration",
}
ROLES = {"default": "viewer", "admin": ["ana@example.com"], "approver": ["bo@example.com"],
         "@example.com": "contributor"}
CONTROL = "ARC-01"  # on the checklist's first tab, open by default
ANA = {"is_logged_in": True, "name": "Ana Lima", "email": "ana@example.com", "email_verified": True}
CY = {"is_logged_in": True, "name": "Cy Contributor", "email": "cy@example.com", "email_verified": True}
VIC = {"is_logged_in": True, "name": "Vic Viewer", "email": "vic@elsewhere.test", "email_verified": True}


@pytest.fixture
def assessment_id(store_engine) -> int:
    """A draft of the demo platform's production, started by an administrator."""
    with session_scope(store_engine) as session:
        ensure_platforms(session)
        platform = repo.list_platforms(session)[0]
        return repo.create_assessment(session, platform_id=platform.id, environment="production",
                                      title="Go-live review", checklist_digest="x", actor=LOCAL_USER).id


@pytest.fixture
def launch(store_engine):
    """Open the app with sign-in configured, as `user` (the claims the identity provider vouched for)."""
    def launch(user: dict | None = None, *, auth: dict | None = None, roles: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.secrets["auth"] = AUTH if auth is None else auth
        at.secrets["readiness"] = {"roles": ROLES if roles is None else roles}
        at.user = user or {"is_logged_in": False}
        at.run()
        assert not at.exception, at.exception
        return at
    return launch


def shown(markdown: str) -> str:
    """The text a reader sees of Markdown whose only markup is backslash escapes."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def _sidebar_text(at: AppTest) -> str:
    return " ".join(m.value for m in at.sidebar.markdown)


def _open(at: AppTest, page: str) -> None:
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception


def test_without_an_auth_section_the_app_runs_in_labelled_local_mode_as_its_one_administrator(
        store_engine, launch_app):
    at = launch_app()
    assert any(LOCAL_MODE_LABEL in m.value for m in at.sidebar.markdown)
    assert not at.button(key=state.NEW_SUBMIT).disabled
    assert not [b for b in at.button if b.key == SIGN_OUT_KEY]


def test_a_visitor_who_has_not_signed_in_sees_only_the_sign_in_screen(launch, assessment_id):
    at = launch()
    assert [t.value for t in at.title] == ["Readiness"]
    assert [b.label for b in at.button] == ["Sign in"]
    assert any("go/no-go decision" in m.value for m in at.markdown)
    assert not at.selectbox and not at.sidebar.markdown and not at.metric
    assert state.ASSESSMENT_ID not in at.session_state


def test_the_sign_in_button_hands_over_to_the_identity_provider(launch, monkeypatch):
    asked: list = []
    monkeypatch.setattr(streamlit, "login", lambda provider=None: asked.append(provider))
    at = launch()
    at.button(key=SIGN_IN_KEY).click().run()
    assert asked == [None]  # the provider of the [auth] section itself


def test_each_named_provider_gets_its_own_sign_in_button(launch, monkeypatch):
    asked: list = []
    monkeypatch.setattr(streamlit, "login", lambda provider=None: asked.append(provider))
    provider = {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}
    at = launch(auth={"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"],
                      "google": provider, "okta": provider})
    assert [b.label for b in at.button] == ["Sign in with Google", "Sign in with Okta"]
    at.button(key=f"{SIGN_IN_KEY}_okta").click().run()
    assert asked == ["okta"]


def test_a_provider_that_cannot_start_sign_in_is_reported_on_the_screen(launch):
    # The secrets of this test exist only for the app's run: the real st.login finds no provider.
    at = launch()
    at.button(key=SIGN_IN_KEY).click().run()
    assert not at.exception
    assert any("Sign-in could not start" in e.value for e in at.error)


def test_an_unsafe_auth_section_keeps_the_app_closed_and_says_what_to_fix(launch):
    at = launch(ANA, auth={**AUTH, "cookie_secret": "changeme"})
    [error] = at.error
    assert "cannot work as configured" in error.value and "[auth] cookie_secret: must be" in shown(error.value)
    assert not at.selectbox and not at.sidebar.markdown


def test_a_role_mapping_that_cannot_be_used_keeps_the_app_closed_naming_the_key(launch):
    at = launch(ANA, roles={"default": "admin"})
    [error] = at.error
    assert "[readiness.roles] default: admin is too much" in shown(error.value)
    assert not at.selectbox and not at.sidebar.markdown


def test_a_signed_in_person_sees_who_they_are_their_role_and_how_to_sign_out(launch):
    at = launch(ANA)
    assert "Signed in as **Ana Lima**" in _sidebar_text(at)
    assert "Admin]" in _sidebar_text(at)
    assert LOCAL_MODE_LABEL not in _sidebar_text(at)
    assert at.button(key=SIGN_OUT_KEY).label == "Sign out"
    assert not at.button(key=state.NEW_SUBMIT).disabled


def test_signing_out_returns_to_the_sign_in_screen(launch):
    at = launch(ANA)
    at.button(key=SIGN_OUT_KEY).click().run()
    at.run()
    assert at.user.get("is_logged_in") is False
    assert [b.label for b in at.button] == ["Sign in"]


def test_a_viewer_reads_but_the_buttons_that_write_are_disabled_with_the_role_they_need(launch, assessment_id):
    at = launch(VIC)
    assert "Viewer]" in _sidebar_text(at)
    start = at.button(key=state.NEW_SUBMIT)
    assert start.disabled and start.help == "Needs the contributor role; you are a viewer."
    _open(at, "checklist")
    save = at.button(key=f"checklist_save_{assessment_id}_{CONTROL}")
    assert save.disabled and "Needs the contributor role" in save.help


def test_a_contributor_answers_under_their_own_name(launch, store_engine, assessment_id):
    at = launch(CY)
    _open(at, "checklist")
    at.text_area(key=widget_key("note", assessment_id, CONTROL)).set_value("Checked with the team")
    at.radio(key=widget_key("answer", assessment_id, CONTROL)).set_value("met")
    at.button(key=f"checklist_save_{assessment_id}_{CONTROL}").click().run()
    with session_scope(store_engine) as session:
        answer = repo.answers_for(session, assessment_id=assessment_id)[CONTROL]
    assert (answer.value, answer.updated_by) == ("met", "Cy Contributor")


def test_a_save_from_a_page_opened_before_the_role_was_withdrawn_is_refused_by_the_domain(
        launch, store_engine, assessment_id):
    at = launch(CY)
    _open(at, "checklist")
    at.radio(key=widget_key("answer", assessment_id, CONTROL)).set_value("met")
    at.secrets["readiness"] = {"roles": {"default": "viewer"}}  # an administrator takes the role away
    at.button(key=f"checklist_save_{assessment_id}_{CONTROL}").click().run()

    assert any("Cy Contributor is a viewer and may not answer controls" in shown(e.value)
               for e in at.error), [e.value for e in at.error]
    with session_scope(store_engine) as session:
        assert repo.answers_for(session, assessment_id=assessment_id) == {}


def test_a_viewer_who_triggers_starting_an_assessment_gets_the_domains_refusal(launch, store_engine, assessment_id):
    at = launch(CY)
    at.text_input(key=state.NEW_TITLE).set_value("Sneaky review")
    at.secrets["readiness"] = {"roles": {"default": "viewer"}}
    at.button(key=state.NEW_SUBMIT).click().run()

    assert any("may not start an assessment: it needs the contributor role" in shown(e.value)
               for e in at.sidebar.error), [e.value for e in at.sidebar.error]
    with session_scope(store_engine) as session:
        titles = [a.title for a in repo.list_assessments(session, platform_id=repo.list_platforms(session)[0].id)]
    assert titles == ["Go-live review"]


class _UnreadableSecrets:
    """A secrets file Streamlit found but could not parse (a TOML typo, say)."""

    def to_dict(self):
        raise StreamlitSecretNotFoundError("Error parsing secrets file at {path}: {error}", path="secrets.toml",
                                           error="Invalid value (at line 3, column 15)",
                                           error_id="failed-parsing-secrets-file")


def test_a_secrets_file_that_cannot_be_read_keeps_the_app_closed_rather_than_open_to_all(store_engine, monkeypatch):
    monkeypatch.setattr(streamlit, "secrets", _UnreadableSecrets())
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, at.exception
    [error] = at.error
    assert "The secrets file cannot be read: Error parsing secrets file" in shown(error.value)
    assert not at.selectbox and not at.sidebar.markdown
