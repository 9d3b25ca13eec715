"""One control of the checklist as a card: what it asks, its badges, and a form that saves its answer."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from readiness.checklist import Control
from readiness.errors import ReadinessError, StaleEdit
from readiness.scoring import AnswerValue, ControlScore
from readiness.store import assessments as repo
from readiness.auth import Role
from readiness.ui import auth, badges, flash, state, store
from readiness.ui.context import current_actor
from readiness.ui.text import plain, quote
from readiness.ui.worksheet import AnswerView

ANSWER_OPTIONS = [AnswerValue.MET.value, AnswerValue.PARTIAL.value, AnswerValue.NOT_MET.value,
                  AnswerValue.UNANSWERED.value, AnswerValue.NOT_APPLICABLE.value]
FIELDS = ("answer", "note", "owner", "due")


def widget_key(field: str, assessment_id: int, control_id: str) -> str:
    """`checklist_answer_3_ARC-01`: one set of widgets per assessment and control."""
    return f"checklist_{field}_{assessment_id}_{control_id}"


@dataclass(frozen=True)
class Seen:
    """What a control's form was loaded with: the version it saves against, and its values."""

    version: int
    values: tuple


def _form_values(answer: AnswerView | None) -> tuple:
    if answer is None:
        return (AnswerValue.UNANSWERED.value, "", "", None)
    return (answer.value.value, answer.note, answer.owner or "", answer.due_on)


def _load_if_untouched(assessment_id: int, control_id: str, stored: AnswerView | None) -> None:
    """Fill the form from the store when it is new, or when it changed there and nobody edited it here.

    The version recorded now is the one the next save is checked against, so an edit made on top
    of an answer someone else has since changed is refused instead of overwriting theirs.
    """
    ss = st.session_state
    seen_all = ss.setdefault(state.CHECKLIST_SEEN, {})
    keys = [widget_key(f, assessment_id, control_id) for f in FIELDS]
    seen = seen_all.get((assessment_id, control_id))
    version = stored.version if stored else 0
    shown = tuple(ss.get(k) for k in keys)
    if seen is None or any(k not in ss for k in keys) or (seen.version != version and shown == seen.values):
        values = _form_values(stored)
        for key, value in zip(keys, values):
            ss[key] = value
        seen_all[(assessment_id, control_id)] = Seen(version, values)


def _save(assessment_id: int, control_id: str) -> None:
    ss = st.session_state
    answer, note, owner, due = (ss.get(widget_key(f, assessment_id, control_id)) for f in FIELDS)
    seen_all = ss.setdefault(state.CHECKLIST_SEEN, {})
    seen = seen_all.get((assessment_id, control_id))
    try:
        with store.transaction() as session:
            row = repo.save_answer(session, assessment_id=assessment_id, control_id=control_id, value=answer,
                                   note=note or "", owner=owner, due_on=due, actor=current_actor(),
                                   expected_version=seen.version if seen else 0)
    except StaleEdit as exc:
        # Show theirs: the form reloads from the store on the next run.
        seen_all.pop((assessment_id, control_id), None)
        mine = AnswerValue(answer).label.lower()
        flash.error_later(control_id, f"Not saved. {exc} (Your answer was: {mine}.)")
        flash.toast_later(f"{control_id} was not saved: someone else changed it first.", icon=":material/error:")
        return
    except ReadinessError as exc:
        flash.error_later(control_id, f"Not saved. {exc}")
        return
    seen_all[(assessment_id, control_id)] = Seen(row.version, (answer, note or "", owner or "", due))
    flash.toast_later(f"{control_id} saved: {AnswerValue(answer).label.lower()}.")


def control_card(control: Control, result: ControlScore, stored: AnswerView | None, *,
                 assessment_id: int, read_only: bool) -> None:
    with st.container(border=True, key=f"checklist_card_{control.id}"):
        st.markdown(f"**{control.id} · {control.title}**")
        with st.container(horizontal=True, gap="small"):
            if control.blocker:
                badges.blocker_badge()
            if control.automated:
                badges.automated_badge()
            badges.answer_badge(result.answer)
            badges.evidence_badge(result.evidence)
        st.markdown(control.question)
        with st.expander("Why it matters and what good looks like"):
            st.markdown(f"**Why it matters.** {control.why}")
            st.markdown(f"**Guidance.** {control.guidance}")
            if control.links:
                st.markdown("\n".join(f"- [{link}]({link})" for link in control.links))
        st.caption(f"Score: {result.explanation}" + (_last_saved(stored) if stored else ""))
        error = flash.take_error(control.id)
        if error:
            st.error(plain(error), icon=":material/sync_problem:")
        if read_only:
            _read_only(stored)
        else:
            _load_if_untouched(assessment_id, control.id, stored)
            _answer_form(control, assessment_id)


def _last_saved(stored: AnswerView) -> str:
    return f" Last saved by {plain(stored.updated_by)}, {stored.updated_at:%d %b %Y %H:%M} UTC."


def _read_only(stored: AnswerView | None) -> None:
    if stored is None:
        st.caption("Not answered.")
        return
    details = [f"Owner: {plain(stored.owner)}" if stored.owner else "No owner",
               f"due {stored.due_on:%d %b %Y}" if stored.due_on else "no due date"]
    st.markdown(" · ".join(details))
    if stored.note:
        st.markdown(quote(stored.note))


def _answer_form(control: Control, assessment_id: int) -> None:
    def key(field: str) -> str:
        return widget_key(field, assessment_id, control.id)

    with st.form(key=f"checklist_form_{assessment_id}_{control.id}", border=False):
        answer, owner, due = st.columns([3, 2, 2])
        answer.radio("Answer", ANSWER_OPTIONS, key=key("answer"), horizontal=True,
                     format_func=lambda v: AnswerValue(v).label,
                     help="Automated controls are scored from evidence alone." if control.automated else
                     "Not applicable needs the reason in the note.")
        owner.text_input("Owner", key=key("owner"), max_chars=200, placeholder="Who makes it happen")
        due.date_input("Due", key=key("due"), min_value=dt.date(2000, 1, 1), format="YYYY-MM-DD")
        st.text_area("Note", key=key("note"), height=68, max_chars=repo.MAX_NOTE,
                     placeholder="What is in place, what is missing, links to evidence")
        hint = auth.needs(Role.CONTRIBUTOR)
        st.form_submit_button("Save", key=f"checklist_save_{assessment_id}_{control.id}", icon=":material/save:",
                              on_click=_save, args=(assessment_id, control.id), disabled=hint is not None, help=hint)
