"""Who is using the app: people signed in through the identity provider, or the one user of local mode.

Sign-in is on when `.streamlit/secrets.toml` has an `[auth]` section; `[readiness.roles]` then
gives each person a role. The pages hide what a role may not do, but the domain is what refuses.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException, StreamlitSecretNotFoundError

from readiness.auth import (LOCAL_USER, Actor, Role, RoleMapping, RoleMappingError, parse_role_mapping,
                            sign_in_problems, sign_in_providers, signed_in_actor)
from readiness.ui import state
from readiness.ui.text import plain

PRODUCT = "Readiness"
LOCAL_MODE_LABEL = "Local mode: single user, no sign-in"
SIGN_IN_KEY = "signin_button"
SIGN_OUT_KEY = "sidebar_sign_out"
ROLE_COLOR = {Role.VIEWER: "gray", Role.CONTRIBUTOR: "blue", Role.APPROVER: "violet", Role.ADMIN: "orange"}
# The gate keeps every page from someone not (or no longer) signed in, but a widget's callback runs
# before the gate: it acts as this viewer, and the domain refuses it every write.
SIGNED_OUT = Actor(name="not signed in", role=Role.VIEWER)
_NO_SECRETS = "no-secrets-found"


@dataclass(frozen=True)
class SignInSettings:
    """What the secrets file says about sign-in: off (auth is None), on, or unusable (problems)."""

    auth: dict[str, Any] | None = None
    roles: RoleMapping = field(default_factory=RoleMapping)
    problems: tuple[str, ...] = ()
    roles_without_auth: bool = False


def settings() -> SignInSettings:
    """Read afresh on every run, so a change to the secrets file applies at once."""
    try:
        secrets = st.secrets.to_dict()
    except StreamlitSecretNotFoundError as exc:
        if exc.error_id == _NO_SECRETS:
            return SignInSettings()
        # A secrets file that does not parse may hold an [auth] section: never fall back to local mode.
        return SignInSettings(auth={}, problems=(f"The secrets file cannot be read: {exc}",))
    readiness = secrets.get("readiness", {})
    # Anything but a table where the roles belong is handed on, to be refused by name, not ignored.
    raw_roles = readiness.get("roles") if isinstance(readiness, dict) else readiness
    auth = secrets.get("auth")
    if auth is None:
        return SignInSettings(roles_without_auth=raw_roles is not None)
    if not isinstance(auth, dict):
        return SignInSettings(auth={}, problems=("[auth] must be a table of settings.",))
    problems = [f"[auth] {p}" for p in sign_in_problems(auth)]
    try:
        roles = parse_role_mapping(raw_roles)
    except RoleMappingError as exc:
        roles = RoleMapping()
        problems.extend(f"[readiness.roles] {p}" for p in exc.problems)
    return SignInSettings(auth=auth, roles=roles, problems=tuple(problems))


def is_local_mode() -> bool:
    return settings().auth is None


def _logged_in() -> bool:
    return bool(st.user.to_dict().get("is_logged_in"))


def current_actor() -> Actor:
    """Who is acting. Never stops the page, so callbacks may call it too; never grants more than it should."""
    config = settings()
    if config.auth is None:
        return LOCAL_USER
    if config.problems or not _logged_in():
        return SIGNED_OUT
    return signed_in_actor(st.user.to_dict(), config.roles)


def can(role: Role) -> bool:
    return current_actor().can(role)


def needs(role: Role) -> str | None:
    """The hint for a control the person's role may not use (None when it may): the domain refuses anyway."""
    actor = current_actor()
    return None if actor.can(role) else f"Needs the {role.label} role; you are a {actor.role.label}."


# ---- the gate every run passes ---------------------------------------------------------------

def gate() -> None:
    """With sign-in on, stop here with the sign-in screen until the person has signed in."""
    config = settings()
    if config.auth is None:
        return
    if config.problems:
        _only_page(lambda: _misconfigured(config.problems), "Sign-in is not set up")
    if not _logged_in():
        _only_page(lambda: _sign_in_screen(sign_in_providers(config.auth or {})), "Sign in")


def _only_page(render, title: str) -> None:
    """Show one page and nothing else: no menu of the pages a signed-out person may not open."""
    st.navigation([st.Page(render, title=title, icon=":material/login:", url_path="sign-in")],
                  position="hidden").run()
    st.stop()


def _misconfigured(problems: tuple[str, ...]) -> None:
    st.title(PRODUCT)
    st.error("Sign-in is turned on in .streamlit/secrets.toml but cannot work as configured, so the app "
             "stays closed. An administrator needs to fix:\n\n" + "\n".join(f"- {plain(p)}" for p in problems),
             icon=":material/lock:")
    st.caption("See 'Sign-in and roles' in the README. Removing the [auth] section turns sign-in off "
               "(single-user local mode).")


def _sign_in_screen(providers: list[str]) -> None:
    st.title(PRODUCT)
    st.markdown("Is the platform ready for production? Readiness scores the launch checklist, checks the "
                "answers against the AWS accounts, and records the go/no-go decision.")
    st.info("Sign in with your organisation's account to continue.", icon=":material/lock:")
    for provider in providers:
        label = "Sign in" if provider == "default" else f"Sign in with {provider.capitalize()}"
        st.button(label, key=SIGN_IN_KEY if provider == "default" else f"{SIGN_IN_KEY}_{provider}",
                  type="primary", icon=":material/login:", on_click=_login, args=(provider,))
    error = st.session_state.pop(state.SIGN_IN_ERROR, None)
    if error:
        st.error(f"Sign-in could not start: {plain(error)}", icon=":material/error:")


def _login(provider: str) -> None:
    try:
        st.login(None if provider == "default" else provider)
    except StreamlitAPIException as exc:  # a provider the secrets file does not describe fully
        st.session_state[state.SIGN_IN_ERROR] = str(exc)


# ---- who is signed in, in the sidebar --------------------------------------------------------

def identity() -> None:
    """The sidebar's first lines: the mode, or who is signed in, their role and a way out."""
    config = settings()
    if config.auth is None:
        st.badge(LOCAL_MODE_LABEL, icon=":material/person:", color="gray")
        st.caption("Everyone who opens this app acts as one administrator. To make people sign in, add an "
                   "\\[auth\\] section to .streamlit/secrets.toml (README, 'Sign-in and roles').")
        if config.roles_without_auth:
            st.warning("\\[readiness.roles\\] is set but sign-in is off: add an \\[auth\\] section for the roles "
                       "to apply.", icon=":material/warning:")
        return
    actor = current_actor()
    st.markdown(f"Signed in as **{plain(actor.name)}**")
    with st.container(horizontal=True, vertical_alignment="center"):
        st.badge(actor.role.label.capitalize(), icon=":material/badge:", color=ROLE_COLOR[actor.role])
        st.button("Sign out", key=SIGN_OUT_KEY, icon=":material/logout:", type="tertiary", on_click=st.logout)
    if actor.email and actor.email != actor.name:
        st.caption(plain(actor.email))
    if actor.role == Role.VIEWER:
        st.caption("You can read everything. To answer, approve or administer, ask an administrator for a role.")
