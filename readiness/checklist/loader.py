"""Load a checklist YAML file into the model, with every problem located by file and line."""
from __future__ import annotations

import hashlib
from pathlib import Path

from readiness.checklist.model import AREA_PREFIXES, Checklist
from readiness.yamlsource import ConfigError, LineIndex, Problem, field_name, read_text, validate_yaml


def load_checklist(path: Path | str) -> Checklist:
    path = Path(path)
    return parse_checklist(read_text(path), str(path))


def parse_checklist(text: str, file: str = "<checklist>") -> Checklist:
    checklist, index = validate_yaml(Checklist, text, file)
    problems = _cross_problems(checklist, index, file)
    if problems:
        raise ConfigError(problems)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return checklist.model_copy(update={"digest": digest, "source": file})


def _cross_problems(checklist: Checklist, index: LineIndex, file: str) -> list[Problem]:
    """Rules that span several entries: unique ids, and control ids that match their area."""
    problems: list[Problem] = []

    def add(loc: tuple, message: str) -> None:
        problems.append(Problem(file, index.line_of(loc), field_name(loc), message))

    seen_areas: dict[str, int] = {}
    seen_controls: dict[str, int] = {}
    for a, area in enumerate(checklist.areas):
        if area.id in seen_areas:
            add(("areas", a, "id"), f"duplicate area {area.id!r} (first on line {seen_areas[area.id]})")
        else:
            seen_areas[area.id] = index.line_of(("areas", a, "id"))
        for c, control in enumerate(area.controls):
            loc = ("areas", a, "controls", c, "id")
            if control.id in seen_controls:
                add(loc, f"duplicate control id {control.id!r} (first on line {seen_controls[control.id]})")
            else:
                seen_controls[control.id] = index.line_of(loc)
            prefix = AREA_PREFIXES[area.id]
            if not control.id.startswith(prefix + "-"):
                add(loc, f"controls of area {area.id!r} are numbered {prefix}-NN")
    return sorted(problems, key=lambda p: p.line)


def pending_checks(checklist: Checklist, known: set[str]) -> dict[str, list[str]]:
    """Controls whose evidence checks are named but not implemented yet: check id -> control ids."""
    pending: dict[str, list[str]] = {}
    for control in checklist.controls():
        for check in control.checks:
            if check not in known:
                pending.setdefault(check, []).append(control.id)
    return pending
