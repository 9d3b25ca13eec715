"""The Markdown report for a wiki, read back table by table."""
from __future__ import annotations

import re

import pytest

from readiness.reports.render_md import md_text, render_markdown


def _tables(text: str) -> dict[str, list[list[str]]]:
    """Each table under its section heading, as rows of cells (pipes inside cells are escaped)."""
    tables: dict[str, list[list[str]]] = {}
    heading = ""
    for line in text.splitlines():
        if line.startswith("## "):
            heading = line[3:]
        elif line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            tables.setdefault(heading, []).append(cells)
    return {name: rows[1:] for name, rows in tables.items()}  # without the header row


@pytest.fixture(scope="module")
def markdown(reported) -> str:
    return render_markdown(reported.report)


def test_markdown_report_states_the_decision_and_the_area_scores(reported, markdown):
    assert "**Decision: CONDITIONAL GO**" in markdown
    assert f"Overall score **{reported.score.overall}**" in markdown
    areas = {row[0]: row[1] for row in _tables(markdown)["Scores by area"]}
    assert areas == {a.title: str(a.score) for a in reported.score.areas}


def test_markdown_report_has_waivers_sign_offs_and_every_control(reported, markdown):
    tables = _tables(markdown)
    waivers = {row[0]: row[-1] for row in tables["Waivers (accepted risks)"]}
    assert waivers[reported.blocker] == "active (decision relies on it)"
    assert [row[:3] for row in tables["Recorded decision and sign-offs"]] == [
        ["engineering", "Eli Eng", "approves"], ["security", "Sam Sec", "objects"]]
    assert [row[0] for row in tables["Every control"]] == [c.control_id for c in reported.score.controls()]


def test_markdown_report_keeps_free_text_inert(reported, markdown):
    row = next(r for r in _tables(markdown)["Every control"] if r[0] == reported.nasty_control)
    assert len(row) == 10  # the pipe in the note did not split the row
    note = row[-1]
    assert "<script>" not in note and "&lt;script&gt;" in note
    assert "\\*\\*bold\\*\\*" in note and "\\[link\\]" in note and "\\|" in note


def test_markdown_text_escapes_marks_that_would_change_the_block():
    assert md_text("# not a heading") == "\\# not a heading"
    assert md_text("1. not a list") == "1\\. not a list"
    assert md_text("two\nlines") == "two lines"
