"""The report as Markdown for a wiki page: headings, short lists and tables, every free text escaped."""
from __future__ import annotations

import html
import re

from readiness.reports.report import ReportModel, fmt_score, fmt_when

# Characters that would start Markdown syntax inside a line: emphasis, links, code, table cells.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# A leading heading, list, quote or rule mark would change the block the text sits in.
_BLOCK_START = re.compile(r"^(#{1,6}(?=\s|$)|[-+](?=\s|$)|>|=+$|-+$)")
_LEADING_NUMBER = re.compile(r"^(\d+)([.)])(?=\s|$)")  # "1. " starts a list; "87.9" does not


def md_text(value: object) -> str:
    """Free text made inert: HTML escaped (wikis render it), Markdown marks backslashed, one line."""
    text = html.escape(str(value if value is not None else ""), quote=False)
    text = " ".join(_MD_SPECIAL.sub(r"\\\1", text).split())
    if _BLOCK_START.match(text):
        return "\\" + text
    return _LEADING_NUMBER.sub(r"\1\\\2", text)


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(md_text(cell) if cell not in (None, "") else "—" for cell in row) + " |"
            for row in rows]
    return out + [""]


def render_markdown(report: ReportModel) -> str:
    m, s = report.meta, report.score
    lines = [
        f"# Production readiness: {md_text(m.platform)}, {md_text(m.environment)}",
        "",
        f"**Decision: {s.decision.outcome.value}** (computed from answers and evidence)",
        "",
    ]
    if report.recorded:
        r = report.recorded
        lines += [f"**Recorded at the meeting: {r.outcome}** by {md_text(r.recorded_by)} on {fmt_when(r.recorded_at)}. "
                  f"Rationale: {md_text(r.rationale)}", ""]
    lines += [
        f"- Assessment #{m.id} {md_text(m.title)}, **{m.status}**"
        + (f", finalised by {md_text(m.finalized_by)} on {fmt_when(m.finalized_at)}" if m.is_final else ""),
        f"- Overall score **{fmt_score(s.overall)}** (go score {s.thresholds.go_score}, area floor "
        f"{s.thresholds.area_floor}); evidence coverage {fmt_score(s.coverage)}%",
        f"- Checklist {md_text(m.checklist_title)} v{md_text(m.checklist_version)} (digest {m.checklist_digest[:12]})",
        f"- Evidence run {m.evidence_run_id or 'none'}"
        + (f" of {fmt_when(m.evidence_run_at)}" if m.evidence_run_at else ""),
        f"- Generated {fmt_when(report.generated_at)}",
        "",
        "## Why",
        "",
        *[f"- {md_text(reason)}" for reason in s.decision.reasons],
        "",
        "## Scores by area",
        "",
    ]
    lines += _table(
        ["Area", "Score", "Evidence coverage", "Met", "Partial", "Not met", "Unanswered", "N/A"],
        [[a.title, fmt_score(a.score), f"{fmt_score(a.coverage)}%", *[str(a.counts.get(k, 0)) for k in
          ("met", "partial", "not_met", "unanswered", "n/a")]] for a in s.areas],
    )
    lines += ["## Blockers not fully met", ""]
    if report.blockers:
        lines += _table(["Control", "Title", "Answer", "Evidence", "Waiver"],
                        [[b.control_id, b.title, b.answer, b.evidence, b.waiver or "none"] for b in report.blockers])
    else:
        lines += ["Every blocker is fully met.", ""]
    lines += ["## Waivers (accepted risks)", ""]
    if report.waivers:
        lines += _table(["Control", "Reason", "Owner", "Requested by", "Approver", "Expires", "State"],
                        [[w.control_id, w.reason, w.owner, w.requested_by, w.approver or "not yet",
                          w.expires_on.isoformat(), w.state + (" (decision relies on it)" if w.relied_on else "")]
                         for w in report.waivers])
    else:
        lines += ["No waivers.", ""]
    lines += ["## Recorded decision and sign-offs", ""]
    if report.recorded:
        r = report.recorded
        lines += [f"{r.outcome} (computed {r.computed_outcome}), recorded by {md_text(r.recorded_by)} on "
                  f"{fmt_when(r.recorded_at)}.", "", f"> {md_text(r.rationale)}", ""]
        lines += _table(["Role", "Name", "Sign-off", "Comment", "When"],
                        [[so.role, so.name, "approves" if so.approve else "objects", so.comment, fmt_when(so.signed_at)]
                         for so in r.sign_offs]) if r.sign_offs else ["No sign-offs yet.", ""]
    else:
        lines += ["The meeting has not recorded a decision yet.", ""]
    lines += _changes(report)
    lines += ["## Every control", ""]
    lines += _table(["Control", "Area", "Title", "Blocker", "Answer", "Owner", "Evidence", "Value", "Waiver", "Note"],
                    [[c.control_id, c.area_title, c.title, "yes" if c.blocker else "", c.answer, c.owner or "",
                      c.evidence, fmt_score(c.value), c.waiver, c.note] for c in report.controls])
    return "\n".join(lines)


def _changes(report: ReportModel) -> list[str]:
    lines = ["## Since the previous final assessment", ""]
    change = report.changes
    if change is None:
        return lines + ["This is the first final assessment of this environment: nothing to compare with.", ""]
    delta = change.overall_delta
    lines += [f"Compared with #{change.before.id} {md_text(change.before.title)}: overall "
              f"{fmt_score(change.overall_before)} → {fmt_score(change.overall_after)}"
              + (f" ({delta:+})" if delta is not None else "")
              + f"; decision {change.outcome_before} → {change.outcome_after}.", ""]
    lines += _table(["Area", "Before", "After", "Change"],
                    [[a.title, fmt_score(a.before), fmt_score(a.after), f"{a.delta:+}" if a.delta is not None else ""]
                     for a in change.areas])
    if change.controls:
        lines += _table(["Control", "Title", "Before", "After", "Moved"],
                        [[c.control_id, c.title, c.before.label if c.before else "", c.after.label if c.after else "",
                          c.direction] for c in change.controls])
    else:
        lines += ["No control changed state.", ""]
    return lines
