"""The demo prepared on the app's first visit: its simulated AWS, history and first evidence, shown as they come.

Once per server process and store. A store that already has its demo history and evidence opens at
once, with the simulated AWS starting behind it; otherwise the first visit shows each step, and a
line per collector, while the others wait for it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from readiness.demo.first_run import FirstRun, StepEvent, autostart_enabled, demo_states, prepare_demo
from readiness.errors import InvalidInput, ReadinessError
from readiness.evidence.runner import ProgressEvent
from readiness.ui import state, store
from readiness.ui.collect_progress import CollectionProgress
from readiness.ui.text import plain
from readiness.yamlsource import ConfigError

ICONS = {"started": ":material/hourglass_top:", "finished": ":material/check_circle:",
         "skipped": ":material/check:", "failed": ":material/error:"}


@dataclass
class _FirstVisit:
    """Whether this server process has prepared the demo of one store; the lock lets one session do it."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    done: bool = False
    problems: list[str] = field(default_factory=list)


@st.cache_resource(show_spinner=False)
def _first_visit(url: str) -> _FirstVisit:
    return _FirstVisit()


def prepare_on_first_visit() -> None:
    """Prepare the demo platforms of the store, the first time this process opens it (see the module's doc)."""
    try:
        if not autostart_enabled():
            return
    except InvalidInput as exc:
        st.warning(f"{exc} The demo was not prepared.", icon=":material/warning:")
        return
    visit = _first_visit(store.store_url())
    if not visit.done:
        if visit.lock.acquire(blocking=False):
            try:
                if not visit.done:
                    try:
                        visit.problems = _prepare()
                        st.session_state[state.DEMO_PROBLEMS_SHOWN] = True  # in the status box, in red
                    except Exception as exc:  # the app's boundary: a message, never a traceback
                        visit.problems = [_why(exc)]
                    visit.done = True
            finally:
                visit.lock.release()
        else:
            with st.spinner("The demo is being prepared for the first visitor; this page opens when it is ready…"):
                with visit.lock:
                    pass
    if visit.problems and not st.session_state.get(state.DEMO_PROBLEMS_SHOWN):
        st.session_state[state.DEMO_PROBLEMS_SHOWN] = True
        for problem in visit.problems:
            st.warning(f"The demo is not fully prepared: {plain(problem)}", icon=":material/warning:")


def _prepare() -> list[str]:
    """The first run, in view when there is work to show; behind the page when there is only the simulation."""
    engine = store.engine()
    states = demo_states(engine)
    if not states:
        return []
    if all(s.complete for s in states):
        # Nothing to wait for: the pages open now, and the simulated AWS is warm when a page needs it.
        threading.Thread(target=prepare_demo, args=(engine,), name="demo-start", daemon=True).start()
        return []
    with st.status("Preparing the demo: simulated AWS, twelve weeks of history and a first evidence run "
                   "(demo data)…", expanded=True) as status:
        steps = _StepLines(status)
        results = prepare_demo(engine, on_step=steps, collect_progress=steps.collection)
        problems = [p for r in results for p in r.problems]
        status.update(label=_summary(results), state="error" if problems else "complete", expanded=bool(problems))
    return problems


class _StepLines:
    """A line per step of the first run, then the evidence run's own lines and bar, in the status box."""

    def __init__(self, box: DeltaGenerator) -> None:
        self.box = box
        self.lines: dict[tuple[str, str], DeltaGenerator] = {}
        self._collection: CollectionProgress | None = None

    def __call__(self, event: StepEvent) -> None:
        key = (event.platform, event.step)
        if key not in self.lines:
            self.lines[key] = self.box.empty()
        text = f"{ICONS[event.state]} **{plain(event.platform)}**: {plain(event.detail)}"
        self.lines[key].markdown(f":red[{text}]" if event.state == "failed" else text)

    def collection(self, event: ProgressEvent) -> None:
        if self._collection is None:  # its bar appears under the step lines, when collecting starts
            self._collection = CollectionProgress(self.box)
        self._collection(event)


def _why(exc: Exception) -> str:
    if isinstance(exc, ConfigError):
        return "a stored platform's settings are not valid: " + "; ".join(str(p) for p in exc.problems)
    if isinstance(exc, ReadinessError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _summary(results: list[FirstRun]) -> str:
    seconds = sum(max(r.seconds.get("simulation", 0.0), r.seconds.get("history", 0.0)) + r.seconds.get("evidence", 0.0)
                  for r in results)
    if any(r.problems for r in results):
        return f"The demo is partly prepared ({seconds:.0f} s): see what went wrong below"
    written = sum(r.history_created for r in results)
    collected = sum(1 for r in results if r.evidence_run_id)
    return (f"Demo ready in {seconds:.0f} s: {written} assessments of history (demo data) and "
            f"{collected} evidence run{'s' if collected != 1 else ''} from its simulated AWS")
