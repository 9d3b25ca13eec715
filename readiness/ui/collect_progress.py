"""Collecting evidence from the app: one line per collector as it reads, and a progress bar, inside st.status."""
from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from readiness.auth import Actor
from readiness.errors import ReadinessError
from readiness.evidence.model import EvidenceRun
from readiness.evidence.on_request import collect_now
from readiness.evidence.runner import ProgressEvent
from readiness.ui import store
from readiness.yamlsource import ConfigError


REQUESTED = "evidence_collect_requested"


def request_collection() -> None:
    """The button's callback: a flag the next run acts on (a callback outlives a rerun, a return value not)."""
    st.session_state[REQUESTED] = True


def collection_requested() -> bool:
    return bool(st.session_state.pop(REQUESTED, False))


class CollectionProgress:
    """The runner's progress events drawn as they come: a line per session and per collector, and a bar."""

    def __init__(self, box: DeltaGenerator, *, demo: bool = False) -> None:
        self.box = box
        first = ("Starting the demo's simulated AWS (seeding it takes a while the first time), then opening a "
                 "session per environment…") if demo else "Opening a session per environment…"
        self.bar = box.progress(0.0, text=first)
        self.lines: dict[tuple[str, ...], DeltaGenerator] = {}

    def _line(self, key: tuple[str, ...], text: str) -> None:
        if key not in self.lines:
            self.lines[key] = self.box.empty()
        self.lines[key].markdown(text)

    def __call__(self, event: ProgressEvent) -> None:
        env = event.environment
        if event.stage == "session":
            text = {"started": f":material/hourglass_top: **{env}**: opening a session…",
                    "finished": f":material/key: **{env}**: session open",
                    "unknown": f":material/error: **{env}**: {event.reason}"}[event.state]
            self._line(("session", env), text)
        elif event.stage == "collect":
            where = f"**{env}** · {event.collector} · {event.region}"
            text = {"started": f":material/hourglass_top: {where}: started",
                    "finished": f":material/check_circle: {where}: ok ({event.api_calls} calls)",
                    "unknown": f":orange[:material/help: {where}: unknown: {event.reason}]"}[event.state]
            self._line(("collect", env, event.collector or "", event.region or ""), text)
            if event.total and event.state != "started":
                self.bar.progress(event.done / event.total, text=f"Read {event.done} of {event.total} inventories")
        elif event.stage == "check" and event.total:
            self.bar.progress(event.done / event.total, text=f"Judged {event.done} of {event.total} checks")


def collect_with_progress(platform_id: int, actor: Actor, *, demo: bool = False) -> EvidenceRun | None:
    """Run a collection for the platform, drawing its progress; the run, or None after showing why it failed."""
    with st.status("Collecting evidence from AWS (read-only)…", expanded=True) as status:
        try:
            run = collect_now(store.engine(), platform_id=platform_id, actor=actor,
                              progress=CollectionProgress(status, demo=demo))
        except Exception as exc:  # the app's boundary: a message, never a traceback
            status.update(label="Evidence was not collected", state="error", expanded=True)
            st.error(_why(exc), icon=":material/error:")
            return None
        unread = sum(1 for i in run.inventories if i.status != "ok")
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0.0
        label = (f"Collected {len(run.findings)} findings from {run.checks} checks in {seconds:.1f} s "
                 f"({run.api_calls} API calls" + (f"; {unread} inventories could not be read)" if unread else ")"))
        status.update(label=label, state="complete", expanded=False)
    st.toast("Evidence collected: the scores now use this run.", icon=":material/fact_check:")
    return run


def _why(exc: Exception) -> str:
    if isinstance(exc, ConfigError):
        return "The platform's settings are not valid: " + "; ".join(str(p) for p in exc.problems)
    if isinstance(exc, ReadinessError):
        return str(exc)
    return f"Collection stopped: {type(exc).__name__}: {exc}"
