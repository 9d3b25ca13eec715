"""The sidebar context every page works in: who is acting, the platform, environment and assessment."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from readiness import assessment as service
from readiness.auth import Actor, Role
from readiness.errors import ReadinessError
from readiness.ui import auth, flash, queries, state, store
from readiness.ui.text import plain
from readiness.yamlsource import ConfigError

NEW_FORM_ERROR = "sidebar_new_form"


def current_actor() -> Actor:
    """Who is acting: the signed-in person, or the one user of local mode (readiness.ui.auth decides)."""
    return auth.current_actor()


@dataclass(frozen=True)
class Selection:
    platform_id: int | None
    environment: str | None
    assessment_id: int | None


def _through_app_py() -> None:
    """Make sure this run went through app.py (its page config, sidebar and navigation).

    Streamlit treats a folder named pages/ as a legacy multipage app until the first st.navigation
    call of the server process: a first request for a page's URL (a bookmark, a tab reconnecting
    after a restart) would run that page file alone, with the file names as the menu. Turning the
    legacy mode off and running again sends it through app.py.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def selection() -> Selection:
    """The ids picked in the sidebar; every page starts here."""
    _through_app_py()
    ss = st.session_state
    return Selection(ss.get(state.PLATFORM_ID), ss.get(state.ENVIRONMENT), ss.get(state.ASSESSMENT_ID))


def _keep_if_among(key: str, options: list) -> None:
    """Forget a remembered choice that is no longer offered (deleted, or of another platform)."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]


def _forget(*keys: str) -> None:
    for key in keys:
        st.session_state.pop(key, None)


def sidebar() -> Selection:
    """Lay out the sidebar and remember the ids picked in it."""
    auth.gate()
    with st.sidebar:
        auth.identity()
        for problem in store.bootstrap_problems():
            st.warning(f"A platform file was skipped: {plain(problem)}")
        _pick()
        _new_assessment_form()
    flash.show_toasts()
    return selection()


def _pick() -> None:
    ss = st.session_state
    platforms = queries.platforms()
    if not platforms:
        st.warning("No platform is registered yet: add a platform file under data/platforms/.")
        _forget(state.PLATFORM_ID, state.ENVIRONMENT, state.ASSESSMENT_ID)
        return
    by_id = {p.id: p for p in platforms}
    _keep_if_among(state.SIDEBAR_PLATFORM, list(by_id))
    platform_id = st.selectbox("Platform", list(by_id), format_func=lambda i: by_id[i].name,
                               key=state.SIDEBAR_PLATFORM,
                               on_change=_forget, args=(state.SIDEBAR_ENVIRONMENT, state.SIDEBAR_ASSESSMENT))
    platform = by_id[platform_id]

    _keep_if_among(state.SIDEBAR_ENVIRONMENT, list(platform.environments))
    ss.setdefault(state.SIDEBAR_ENVIRONMENT, platform.default_environment)
    environment = st.selectbox("Environment", list(platform.environments), key=state.SIDEBAR_ENVIRONMENT,
                               on_change=_forget, args=(state.SIDEBAR_ASSESSMENT,))

    choices = queries.assessments(platform.id, environment)
    labels = {a.id: a.label for a in choices}
    _keep_if_among(state.SIDEBAR_ASSESSMENT, list(labels))
    assessment_id = st.selectbox("Assessment", list(labels), format_func=labels.get, key=state.SIDEBAR_ASSESSMENT,
                                 placeholder="No assessment yet", help="Newest first")
    ss[state.PLATFORM_ID], ss[state.ENVIRONMENT], ss[state.ASSESSMENT_ID] = platform.id, environment, assessment_id


def _new_assessment_form() -> None:
    ss = st.session_state
    platform_id, environment = ss.get(state.PLATFORM_ID), ss.get(state.ENVIRONMENT)
    if platform_id is None:
        return
    platform = next(p for p in queries.platforms() if p.id == platform_id)
    with st.expander("Start an assessment", icon=":material/add:", expanded=ss.get(state.ASSESSMENT_ID) is None):
        with st.form("sidebar_new_form", clear_on_submit=True, border=False):
            st.text_input("Title", key=state.NEW_TITLE, max_chars=200,
                          placeholder=f"e.g. {environment.capitalize()} go-live review")
            envs = list(platform.environments)
            st.selectbox("Environment", envs, index=envs.index(environment), key=state.NEW_ENVIRONMENT)
            st.checkbox("Start from the previous assessment's answers", value=True, key=state.NEW_FROM_PREVIOUS,
                        help="Copies the answers, notes, owners and due dates of the newest assessment "
                             "of the same environment.")
            hint = auth.needs(Role.CONTRIBUTOR)
            st.form_submit_button("Start", type="primary", key=state.NEW_SUBMIT, on_click=_create,
                                  args=(platform_id,), disabled=hint is not None, help=hint)
        error = flash.take_error(NEW_FORM_ERROR)
        if error:
            st.error(plain(error))


def _create(platform_id: int) -> None:
    ss = st.session_state
    environment = ss.get(state.NEW_ENVIRONMENT)
    try:
        with store.transaction() as session:
            row, previous = service.start(
                session, platform_id=platform_id, environment=environment, title=ss.get(state.NEW_TITLE) or "",
                actor=current_actor(), from_previous=bool(ss.get(state.NEW_FROM_PREVIOUS)))
    except ConfigError as exc:
        flash.error_later(NEW_FORM_ERROR, "; ".join(str(p) for p in exc.problems))
        return
    except ReadinessError as exc:
        flash.error_later(NEW_FORM_ERROR, str(exc))
        return
    ss[state.SIDEBAR_ENVIRONMENT] = environment
    ss[state.SIDEBAR_ASSESSMENT] = row.id
    copied = f", starting from the answers of “{plain(previous.title)}”" if previous else ""
    flash.toast_later(f"Started “{plain(row.title)}” for {environment}{copied}.")
