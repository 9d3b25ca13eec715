"""Free text a report must show as text, never run: markup, links, formulas."""
from __future__ import annotations

import datetime as dt

NASTY_NOTE = "<script>alert('x')</script> **bold** [link](javascript:alert(1)) | pipe"
FORMULA_NOTE = '=HYPERLINK("http://evil.example","click")'
NASTY_OWNER = "Eve | <b>Ops</b>"
NASTY_RATIONALE = "Accepting <img src=x onerror=alert(1)> for two sprints"
NOW = dt.datetime.now(dt.UTC)
