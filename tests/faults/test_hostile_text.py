"""Markup, script and formulas typed into every free-text field: stored as typed, shown as text, never run."""
from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from readiness import assessment as service
from readiness.auth import Actor, Role
from readiness.errors import InvalidInput
from readiness.reports import charts
from readiness.reports import render_html as html_module
from readiness.reports.export import FORMATS
from readiness.reports.render_csv import COLUMNS, FORMULA_STARTS
from readiness.reports.report import ReportModel, build_report
from readiness.store import assessments as repo
from readiness.store import decisions as decisions_repo
from readiness.store import open_store, session_scope
from readiness.store.audit import event_count
from scenarios import RISK_OFFICER, assessment, demo_platform, evidence_run, finalise

CONTROL = "ARC-02"


def payload(field: str, formula: str = "=") -> str:
    """Script, an event handler, Markdown, a link, a template and a spreadsheet formula, marked with its field."""
    return (f'{formula}HYPERLINK("http://evil.example/{field}") <script>alert("{field}")</script>'
            f'<img src=x onerror=alert(1)> **{field}** [{field}](javascript:alert(1)) {{{{7*7}}}} | `{field}`')


@dataclass(frozen=True)
class Texts:
    """Every free text a person types that a report shows."""

    platform: str
    title: str
    note: str
    owner: str
    reason: str
    waiver_owner: str
    chair: str
    rationale: str
    signer: str
    comment: str

    @classmethod
    def hostile(cls) -> "Texts":
        return cls(platform='<b onmouseover=alert(1)>NW</b><script>x</script>', title=payload("title", "+"),
                   note=payload("note"), owner=payload("owner", "@"), reason=payload("reason", "-"),
                   waiver_owner=payload("waiver-owner"), chair=payload("chair", "+"), rationale=payload("rationale"),
                   signer=payload("signer", "@"), comment=payload("comment", "\t="))

    @classmethod
    def benign(cls) -> "Texts":
        return cls(**{name: f"plain {name}" for name in cls.__dataclass_fields__})


def reported(engine, texts: Texts) -> ReportModel:
    """A final assessment, then a draft after it with every free text filled in, reported on."""
    platform = demo_platform().model_copy(update={"name": texts.platform})
    checklist = service.checklist_for(platform)
    chair, team = Actor(name=texts.chair, role=Role.APPROVER), Actor(name=texts.owner, role=Role.CONTRIBUTOR)
    now = dt.datetime.now(dt.UTC)
    with session_scope(engine) as session:
        previous = assessment(session, platform=platform, checklist=checklist, title=texts.title,
                              created_at=now - dt.timedelta(days=30))
        evidence_run(session, platform_id=previous.platform_id, platform=platform, checklist=checklist)
        finalise(session, assessment_id=previous.id)
        row = assessment(session, platform=platform, checklist=checklist, title=texts.title, copy_from=previous.id,
                         overrides={CONTROL: "partial"})
        current = repo.answers_for(session, assessment_id=row.id)[CONTROL]
        repo.save_answer(session, assessment_id=row.id, control_id=CONTROL, value="partial", note=texts.note,
                         owner=texts.owner, actor=team, expected_version=current.version)
        waiver = decisions_repo.request_waiver(session, platform_id=row.platform_id, environment="production",
                                               control_id=CONTROL, reason=texts.reason, owner=texts.waiver_owner,
                                               expires_on=now.date() + dt.timedelta(days=20), actor=team)
        decisions_repo.approve_waiver(session, waiver_id=waiver.id, actor=RISK_OFFICER)
        repo.move_assessment(session, assessment_id=row.id, to_status="review", actor=chair)
        score = service.current_score(session, assessment_id=row.id)
        decision = decisions_repo.record_decision(session, assessment_id=row.id, outcome=score.decision.outcome,
                                                  computed_outcome=score.decision.outcome, rationale=texts.rationale,
                                                  actor=chair)
        decisions_repo.sign_off(session, decision_id=decision.id, role="security", name=texts.signer, actor=chair,
                                approve=False, comment=texts.comment)
        stored = repo.answers_for(session, assessment_id=row.id)[CONTROL]
        assert (stored.note, stored.owner) == (texts.note, texts.owner)  # stored as typed, not cleaned
        return build_report(session, assessment_id=row.id)


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, ReportModel]:
    engine = open_store(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'store.db'}")
    made = {"hostile": reported(engine, Texts.hostile()), "benign": reported(engine, Texts.benign())}
    engine.dispose()
    return made


class Parsed(HTMLParser):
    """A page as a browser would build it: its elements, their attributes, and its text outside scripts."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.attributes: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []
        self.images: list[str] = []
        self._in_script = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        self.attributes += [(tag, name, value) for name, value in attrs]
        self.images += [value for name, value in attrs if tag == "img" and name == "src" and value]
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if not self._in_script:
            self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join("".join(self.text).split())


def assert_runs_nothing(page: Parsed, benign: Parsed, *, autolinked: bool = False) -> None:
    """The free text made no element and no attribute: the page is built exactly as with plain words.

    `autolinked`: the renderer turns web addresses in text into links, as some wikis do; those are the only
    elements the text may add, and only to http(s) or mail addresses.
    """
    added = {"a"} if autolinked else set()
    links = [v or "" for t, n, v in page.attributes if t == "a" and n == "href"]
    assert all(re.match(r"^(https?://|mailto:)", link) for link in links), links
    assert +Counter({t: n for t, n in page.tags.items() if t not in added}) == +Counter(
        {t: n for t, n in benign.tags.items() if t not in added})
    assert not [a for a in page.attributes if a[1].lower().startswith("on")]
    assert not [a for a in page.attributes if (a[2] or "").strip().lower().startswith(("javascript:", "data:text"))]
    assert sorted((t, n) for t, n, _ in page.attributes if t not in added) == sorted(
        (t, n) for t, n, _ in benign.attributes if t not in added)


def shown(texts: Texts) -> list[str]:
    return [" ".join(getattr(texts, name).split()) for name in Texts.__dataclass_fields__]


# ---- HTML ----------------------------------------------------------------------------------------

@pytest.fixture
def interactive_charts(monkeypatch):
    """Charts as plotly's own script, as when no browser can draw images: free text then sits in a script."""
    def unavailable(*args, **kwargs):
        raise charts.ChartExportUnavailable("no browser here")

    monkeypatch.setattr(charts, "figure_image", unavailable)


def test_html_report_shows_every_free_text_as_typed_and_runs_none_of_it(reports, interactive_charts):
    hostile = Parsed(html_module.render_html(reports["hostile"]))
    benign = Parsed(html_module.render_html(reports["benign"]))
    assert hostile.tags["script"] >= 1  # the charts' own
    assert_runs_nothing(hostile, benign)
    for text in shown(Texts.hostile()):
        assert text in hostile.visible, text


@pytest.mark.skipif(not shutil.which("chromium"), reason="charts are drawn as images by Chromium")
def test_html_report_chart_images_carry_free_text_as_text_only(reports):
    hostile = Parsed(html_module.render_html(reports["hostile"]))
    assert not [a for a in hostile.attributes if a[1].lower().startswith("on")]
    assert hostile.tags["script"] == 0 and len(hostile.images) == 3
    for image in hostile.images:
        svg = base64.b64decode(image.removeprefix("data:image/svg+xml;base64,")).decode()
        drawn = Parsed(svg)
        assert not {"script", "foreignobject", "iframe", "a"} & set(drawn.tags)
        assert not [a for a in drawn.attributes if a[1].lower().startswith("on")]


# ---- Markdown ------------------------------------------------------------------------------------

# Raw HTML on, as many wikis allow; one renderer plain, one that also makes web addresses into links.
RENDER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).render
AUTOLINKING = MarkdownIt("commonmark", {"html": True, "linkify": True}).enable(["linkify", "table"]).render


@pytest.mark.parametrize("render", [RENDER, AUTOLINKING], ids=["commonmark", "autolinking"])
def test_markdown_report_escapes_every_free_text_so_a_wiki_shows_it_as_typed(reports, render):
    hostile = Parsed(render(FORMATS["md"].render(reports["hostile"]).decode()))
    benign = Parsed(render(FORMATS["md"].render(reports["benign"]).decode()))
    assert_runs_nothing(hostile, benign, autolinked=render is AUTOLINKING)
    for text in shown(Texts.hostile()):
        assert text in hostile.visible, text


# ---- CSV -----------------------------------------------------------------------------------------

def csv_rows(report: ReportModel) -> list[dict[str, str]]:
    data = FORMATS["csv"].render(report).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(data, newline="")))


def test_csv_export_keeps_the_text_and_neutralises_every_formula(reports):
    rows = csv_rows(reports["hostile"])
    texts = Texts.hostile()
    row = next(r for r in rows if r["control_id"] == CONTROL)
    assert (row["note"], row["owner"]) == ("'" + texts.note, "'" + texts.owner)
    assert row["title"] and all(not cell.startswith(FORMULA_STARTS) for r in rows for cell in r.values())


def with_text(report: ReportModel, text: str) -> ReportModel:
    """The report with `text` in every free-text field it shows."""
    meta = report.meta.model_copy(update={"title": text, "platform": text, "created_by": text})
    controls = [c.model_copy(update={"note": text, "owner": text, "waiver": text}) for c in report.controls]
    waivers = [w.model_copy(update={"reason": text, "owner": text, "requested_by": text, "approver": text})
               for w in report.waivers]
    decisions = [d.model_copy(update={"rationale": text, "recorded_by": text, "sign_offs": [
        s.model_copy(update={"name": text, "comment": text}) for s in d.sign_offs]}) for d in report.decisions]
    return report.model_copy(update={"meta": meta, "controls": controls, "waivers": waivers, "decisions": decisions})


FREE_TEXT = st.one_of(
    st.text(min_size=1, max_size=60),
    st.tuples(st.sampled_from(["=", "+", "-", "@", "\t", "\r", " =", "\n=", "<", "'", '"', "|", "#", "1. "]),
              st.text(max_size=40)).map("".join),
    st.sampled_from(['=cmd|" /C calc"!A0', "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
                     "+HYPERLINK(\"http://evil.example\")", "\t=1+1", "\r=1+1", "<svg onload=alert(1)>",
                     "</td></tr></table><script>alert(1)</script>", "javascript:alert(1)", "\u202e=1+1"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=FREE_TEXT)
def test_any_free_text_comes_back_from_the_csv_exactly_and_never_as_a_formula(reports, text):
    rows = csv_rows(with_text(reports["benign"], text))
    expected = "'" + text if text.startswith(FORMULA_STARTS) else text
    row = next(r for r in rows if r["control_id"] == CONTROL)
    assert [row[c] for c in ("note", "owner", "waiver")] == [expected] * 3
    assert list(rows[0]) == COLUMNS
    assert all(not cell.startswith(FORMULA_STARTS) for r in rows for cell in r.values())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=FREE_TEXT.filter(lambda t: t.strip()))
def test_any_free_text_builds_the_same_html_and_markdown_as_plain_words(reports, text, monkeypatch):
    monkeypatch.setattr(html_module, "report_figures", lambda report: {})  # the charts are the test above
    plain = with_text(reports["benign"], "plain words")
    typed = with_text(reports["benign"], text)
    page = Parsed(html_module.render_html(typed))
    assert_runs_nothing(page, Parsed(html_module.render_html(plain)))
    assert " ".join(text.split()) in page.visible
    assert_runs_nothing(Parsed(AUTOLINKING(FORMATS["md"].render(typed).decode())),
                        Parsed(AUTOLINKING(FORMATS["md"].render(plain).decode())), autolinked=True)


# ---- oversized text ------------------------------------------------------------------------------

@pytest.fixture
def draft(store_engine):
    """A draft in review with one control answered, to try oversized text on."""
    platform = demo_platform()
    checklist = service.checklist_for(platform)
    with session_scope(store_engine) as session:
        row = assessment(session, platform=platform, checklist=checklist, value="met")
        repo.move_assessment(session, assessment_id=row.id, to_status="review",
                             actor=Actor(name="Alice Chair", role=Role.APPROVER))
        score = service.current_score(session, assessment_id=row.id)
        decision = decisions_repo.record_decision(session, assessment_id=row.id, outcome=score.decision.outcome,
                                                  computed_outcome=score.decision.outcome, rationale="ok",
                                                  actor=Actor(name="Alice Chair", role=Role.APPROVER))
    return row, decision


def stored_state(engine, assessment_id: int) -> tuple:
    """Every answer, waiver, decision and sign-off of the assessment, and the length of the audit trail."""
    with session_scope(engine) as session:
        answers = {k: (a.value, a.note, a.owner, a.version) for k, a in
                   repo.answers_for(session, assessment_id=assessment_id).items()}
        row = repo.get_assessment(session, assessment_id=assessment_id)
        waivers = decisions_repo.waivers_for(session, platform_id=row.platform_id, environment="production")
        decisions = [(d.rationale, [(s.name, s.comment) for s in signs])
                     for d, signs in decisions_repo.decisions_for(session, assessment_id=assessment_id)]
        return answers, [w.reason for w in waivers], decisions, event_count(session)


APPROVER = Actor(name="Bob Risk", role=Role.APPROVER)
TODAY = dt.datetime.now(dt.UTC).date()
HUGE = "<b>x</b>" * 200_000  # 1.6 MB


def answer(session, row, **fields) -> None:
    current = repo.answers_for(session, assessment_id=row.id)[CONTROL]
    repo.save_answer(session, assessment_id=row.id, control_id=CONTROL, value="met", actor=APPROVER,
                     expected_version=current.version, **fields)


def waiver(session, row, reason: str) -> None:
    decisions_repo.request_waiver(session, platform_id=row.platform_id, environment="production", control_id=CONTROL,
                                  reason=reason, owner="Dana", expires_on=TODAY + dt.timedelta(days=5), actor=APPROVER)


def decision(session, row, rationale: str) -> None:
    decisions_repo.record_decision(session, assessment_id=row.id, outcome="GO", computed_outcome="GO",
                                   rationale=rationale, actor=APPROVER)


def sign_off(session, decided, comment: str) -> None:
    decisions_repo.sign_off(session, decision_id=decided.id, role="security", name="Sam Sec", actor=APPROVER,
                            comment=comment)


# field -> (what tries to store too much, the message refusing it)
OVERSIZED = {
    "note": (lambda session, row, decided: answer(session, row, note=HUGE),
             "A note is limited to 10,000 characters; this one has 1,600,000."),
    "answer_owner": (lambda session, row, decided: answer(session, row, owner=HUGE),
                     "An owner is a name of at most 200 characters; this one has 1,600,000."),
    "waiver_reason": (lambda session, row, decided: waiver(session, row, HUGE),
                      "A waiver reason is limited to 4,000 characters; this one has 1,600,000."),
    "rationale": (lambda session, row, decided: decision(session, row, HUGE),
                  "A decision rationale is limited to 4,000 characters; this one has 1,600,000."),
    "sign_off_comment": (lambda session, row, decided: sign_off(session, decided, HUGE),
                         "A sign-off comment is limited to 1,000 characters; this one has 1,600,000."),
}


@pytest.mark.parametrize("field", OVERSIZED)
def test_oversized_text_is_refused_with_its_limit_and_nothing_is_stored(field, draft, store_engine):
    row, decided = draft
    before = stored_state(store_engine, row.id)
    attempt, message = OVERSIZED[field]
    with pytest.raises(InvalidInput) as refused:
        with session_scope(store_engine) as session:
            attempt(session, row, decided)
    assert str(refused.value) == message
    assert stored_state(store_engine, row.id) == before


def test_text_at_each_limit_is_stored_whole(draft, store_engine):
    row, decided = draft
    with session_scope(store_engine) as session:
        answer(session, row, note="n" * repo.MAX_NOTE, owner="o" * 200)
        waiver(session, row, "r" * 4_000)
        decision(session, row, "d" * 4_000)
        sign_off(session, decided, "c" * 1_000)
    answers, reasons, decisions, _ = stored_state(store_engine, row.id)
    assert answers[CONTROL][1:3] == ("n" * repo.MAX_NOTE, "o" * 200)
    assert reasons == ["r" * 4_000]
    assert sorted(rationale for rationale, _ in decisions) == ["d" * 4_000, "ok"]
    assert [signs for _, signs in decisions if signs] == [[("Sam Sec", "c" * 1_000)]]
