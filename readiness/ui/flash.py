"""Messages raised in a callback and shown by the run that follows it."""
from __future__ import annotations

import streamlit as st

from readiness.ui import state


def toast_later(message: str, icon: str = ":material/check_circle:") -> None:
    st.session_state.setdefault(state.TOASTS, []).append((message, icon))


def show_toasts() -> None:
    for message, icon in st.session_state.pop(state.TOASTS, []):
        st.toast(message, icon=icon)


def error_later(where: str, message: str) -> None:
    """Keep an error for the place named `where` (a control id, the sidebar form) to show."""
    st.session_state.setdefault(state.ERRORS, {})[where] = message


def take_error(where: str) -> str | None:
    return st.session_state.get(state.ERRORS, {}).pop(where, None)
