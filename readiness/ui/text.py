"""People's free text put through Markdown so it shows as typed: no links, emphasis, images or HTML of its own."""
from __future__ import annotations

import string

# CommonMark lets a backslash escape any ASCII punctuation, and an escaped character is always
# literal text: that covers emphasis, links, images, HTML, headings, lists, tables, code, and
# Streamlit's own :colour[...] and :material/...: directives and $maths$.
_PUNCTUATION = frozenset(string.punctuation)
_NBSP = "\u00a0"


def _escaped(text: str) -> str:
    return "".join("\\" + ch if ch in _PUNCTUATION else ch for ch in text)


def plain(text: object) -> str:
    """Free text for a line of Markdown (a title, a caption, a message), on one line, shown as typed."""
    return _escaped(" ".join(str(text if text is not None else "").split()))


def quote(text: object) -> str:
    """Free text of several lines (a note, a rationale) as a Markdown quote, keeping its lines and indents."""
    lines = []
    for line in str(text if text is not None else "").splitlines() or [""]:
        body = line.rstrip()
        indent = len(body) - len(body.lstrip())
        # Leading spaces would make an indented code block; no-break spaces keep the indent as text.
        body = _NBSP * indent + _escaped(body.lstrip())
        lines.append(f"> {body}  " if body else ">")
    return "\n".join(lines)
