"""The app's store: one engine per database URL for the whole server, opened and bootstrapped once."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import streamlit as st
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from readiness.bootstrap import Bootstrap, ensure_platforms
from readiness.store import database_url, open_store, session_scope
from readiness.store.engine import ENV_VAR
from readiness.store.audit import head_id


@st.cache_resource(show_spinner="Opening the store…")
def opened(url: str) -> tuple[Engine, Bootstrap]:
    """The engine of `url` and what its first start did; one per server process."""
    engine = open_store(url)
    # The one place a fresh store gets its platforms. The demo's simulated AWS, history and first
    # evidence come next, with their progress in view (readiness.ui.demo_start, called by app.py).
    with session_scope(engine) as session:
        report = ensure_platforms(session)
    return engine, report


def store_url() -> str:
    return database_url()


def open_or_stop() -> None:
    """Open the store, or tell the user why it cannot be opened and stop the page there."""
    try:
        opened(store_url())
    except Exception as exc:  # the app's boundary: a message, never a traceback
        st.error(f"The store at {_shown_url()} cannot be opened: {type(exc).__name__}: {exc}. "
                 f"Check {ENV_VAR} (a SQLAlchemy URL) or unset it to use the local SQLite file.",
                 icon=":material/database:")
        st.stop()


def _shown_url() -> str:
    try:
        return make_url(store_url()).render_as_string(hide_password=True)
    except Exception:  # not even a URL: do not echo it, it may hold a password
        return f"the URL in {ENV_VAR}"


def engine() -> Engine:
    return opened(store_url())[0]


def bootstrap_problems() -> list[str]:
    """Platform files that could not be registered on first start, to show rather than hide."""
    return list(opened(store_url())[1].problems)


@contextmanager
def transaction() -> Iterator[Session]:
    """One transaction per user action."""
    with session_scope(engine()) as session:
        yield session


def data_version() -> int:
    """Moves with every write to the store (the audit trail's newest event), by anyone."""
    with Session(engine()) as session:
        return head_id(session)
