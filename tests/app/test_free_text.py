"""HTML, script and Markdown typed into free-text fields come back on every page as the characters typed."""
from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from readiness import assessment as service
from readiness.auth import LOCAL_USER
from readiness.store import assessments as repo
from readiness.store import session_scope
from readiness.store.tables import AssessmentStatus
from readiness.ui.control_card import widget_key

NOTE = "<script>alert(1)</script> **bold** [x](javascript:alert(1))\n![pixel](https://tracker.example/p.png)"
TITLE = "<img src=x onerror=alert(2)> **Q3** [go](javascript:alert(2)) :red[live]"
OWNER = "<b>Eve</b> _the_ `owner`"
RATIONALE = "<iframe src=https://evil.example></iframe> # Ship it\n- [approve](https://evil.example)"
RECORDER = "<u>Chair</u> **Mallory**"
CONTROL = "ARC-01"  # on the checklist's first tab, open by default

# Raw HTML and autolinks on: the most any Markdown renderer could make of the page's text.
RENDER = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable(["linkify", "table", "strikethrough"]).render


def _markdown_of(at) -> list[str]:
    """The Markdown source of every element that Streamlit renders as Markdown, sidebar included."""
    kinds = ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success", "toast")
    return [e.value for kind in kinds for e in getattr(at, kind)]


def _text(rendered: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered)).split())


def assert_shown_as_typed(at, typed: str) -> None:
    """Every line of `typed` is on the page as text, and nothing on the page turned into HTML of its own."""
    rendered = [RENDER(source) for source in _markdown_of(at)]
    for page_html in rendered:
        for made in ("<script", "<img", "<iframe", "<b>", "<u>", "<strong>Q3", "<strong>bold", "<strong>Mallory",
                     "<em>the", "<code>owner", "<h1>Ship", "<li>Ship", 'href="javascript', 'href="https://evil',
                     'src="https://tracker'):
            assert made not in page_html, page_html
    text = [_text(r) for r in rendered]
    for line in typed.splitlines():
        assert any(" ".join(line.split()) in t for t in text), (line, text)


@pytest.fixture
def hostile(app):
    """An assessment titled with markup, one control answered with a note and an owner full of it."""
    app.start_assessment(TITLE)
    app.open("checklist")
    app.answer(CONTROL, "partial", owner=OWNER, note=NOTE)
    stored = app.stored_answer(CONTROL)
    assert (stored.note, stored.owner) == (NOTE, OWNER)  # stored exactly as typed, not cleaned
    return app


def test_a_hostile_title_is_shown_as_typed_in_the_toast_the_overview_and_the_checklist(hostile):
    assert_shown_as_typed(hostile.at, TITLE)  # the checklist's caption, and the toast of the save
    hostile.open("overview")
    assert_shown_as_typed(hostile.at, TITLE)


def test_a_hostile_note_and_owner_are_shown_as_typed_once_the_assessment_is_final(hostile):
    with session_scope(hostile.engine) as session:
        repo.move_assessment(session, assessment_id=hostile.assessment_id, to_status=AssessmentStatus.REVIEW,
                             actor=LOCAL_USER)
        service.finalize(session, assessment_id=hostile.assessment_id, actor=LOCAL_USER)
    at = hostile.open("checklist")
    assert any("read-only" in i.value for i in at.info)
    assert_shown_as_typed(at, NOTE)
    assert_shown_as_typed(at, OWNER)


def test_the_note_stays_literal_in_the_form_that_edits_it(hostile):
    note = hostile.at.text_area(key=widget_key("note", hostile.assessment_id, CONTROL))
    assert note.value == NOTE


def test_a_hostile_rationale_and_recorder_are_shown_as_typed_on_the_go_no_go_page(hostile):
    with session_scope(hostile.engine) as session:
        repo.move_assessment(session, assessment_id=hostile.assessment_id, to_status=AssessmentStatus.REVIEW,
                             actor=LOCAL_USER)
    at = hostile.open("decision")
    at.radio(key="decision_outcome").set_value("NO-GO")
    at.text_area(key="decision_rationale").set_value(RATIONALE)
    at.text_input(key="decision_recorder").set_value(RECORDER)
    at.button(key="decision_record_submit").click().run()
    assert not at.exception, at.exception
    assert_shown_as_typed(at, RECORDER)
    assert_shown_as_typed(at, RATIONALE)
    assert_shown_as_typed(at, TITLE)
