"""Drift between two environments, side by side per kind of resource, from the findings of the parity checks."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable

from readiness.evidence.model import Finding, Status

# The parity checks of the environment area, and the kind of resource each one compares.
DRIFT_KINDS = {
    "environment.ssm_parity": "Parameters",
    "environment.secrets_parity": "Secrets",
    "environment.load_balancer_parity": "Load balancers",
    "environment.task_definition_parity": "Task definitions",
    "environment.encryption_parity": "Encryption",
}
# How the checks name what they compare, longest first: "production task definition of service api …".
NOUNS = ("task definition of service", "load balancer", "log group", "parameter", "secret", "service", "database",
         "bucket", "table")
PRESENT, MISSING = "present", "missing"
OPPOSITE = {"on": "off", "off": "on"}


@dataclass(frozen=True)
class DriftLine:
    """One way a resource differs: what differs, its value in the baseline and in the target."""

    kind: str
    name: str  # the resource's name with the environment's prefix or path removed
    aspect: str
    baseline_value: str
    target_value: str
    status: Status
    resource: str


@dataclass(frozen=True)
class KindDrift:
    kind: str
    lines: list[DriftLine] = field(default_factory=list)
    matching: int = 0  # resources compared and found alike
    unknown: list[str] = field(default_factory=list)  # why a comparison could not be made

    @property
    def differing(self) -> int:
        """Resources that differ (a resource may differ in several ways)."""
        return len({line.resource for line in self.lines})


@dataclass(frozen=True)
class DriftReport:
    baseline: str
    target: str
    kinds: list[KindDrift]

    @property
    def places(self) -> int:
        return sum(len(k.lines) for k in self.kinds)

    @property
    def resources(self) -> int:
        return sum(k.differing for k in self.kinds)

    @property
    def compared(self) -> bool:
        """Whether the run compared this pair at all."""
        return any(k.lines or k.matching or k.unknown for k in self.kinds)

    def headline(self) -> str:
        """"Production differs from staging in 7 places, across 4 resources.", for a leader to read at a glance."""
        if not self.compared:
            return _sentence(f"{self.target} has not been compared with {self.baseline} yet.")
        unknown = sum(len(k.unknown) for k in self.kinds)
        tail = f" ({unknown} comparison{'s' if unknown != 1 else ''} could not be made)" if unknown else ""
        if not self.places:
            return _sentence(f"{self.target} matches {self.baseline} in everything compared{tail}.")
        places = f"{self.places} place{'s' if self.places != 1 else ''}"
        resources = f"{self.resources} resource{'s' if self.resources != 1 else ''}"
        return _sentence(f"{self.target} differs from {self.baseline} in {places}, across {resources}{tail}.")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def drift_between(findings: Iterable[Finding], baseline: str, target: str) -> DriftReport:
    """The drift of `target` from `baseline`, per kind of resource, from one run's findings."""
    by_kind: dict[str, list[Finding]] = {kind: [] for kind in DRIFT_KINDS.values()}
    for f in findings:
        if f.check in DRIFT_KINDS and f.baseline == baseline and f.environment == target:
            by_kind[DRIFT_KINDS[f.check]].append(f)
    return DriftReport(baseline=baseline, target=target,
                       kinds=[_kind(kind, found, baseline, target) for kind, found in by_kind.items()])


def _kind(kind: str, findings: list[Finding], baseline: str, target: str) -> KindDrift:
    lines: list[DriftLine] = []
    matching, unknown = 0, []
    for f in findings:
        if f.status == Status.PASS:
            matching += 1
        elif f.status in (Status.UNKNOWN, Status.ERROR):
            unknown.append(f.message)
        elif f.status in (Status.FAIL, Status.WARN):
            lines += _lines(kind, f, baseline, target)
    lines.sort(key=lambda line: (line.name, line.aspect))
    return KindDrift(kind=kind, lines=lines, matching=matching, unknown=unknown)


def _lines(kind: str, f: Finding, baseline: str, target: str) -> list[DriftLine]:
    name = subject_name(f.message, (baseline, target))
    missing_in = f.details.get("missing_in")
    if missing_in in (baseline, target):
        values = (MISSING, PRESENT) if missing_in == baseline else (PRESENT, MISSING)
        return [DriftLine(kind, name, "exists", *values, f.status, f.resource)]
    texts = f.details.get("differences") or [_after_colon(f.message)]
    return [DriftLine(kind, name, *difference(text, baseline, target), f.status, f.resource) for text in texts]


def subject_name(message: str, environments: tuple[str, str]) -> str:
    """The resource's common name in a parity message: "production parameter db/url differs …" -> "db/url"."""
    subject = message
    for env in environments:
        if subject.startswith(env + " "):
            subject = subject[len(env) + 1:]
            break
    subject = re.split(r" (?:differs from|matches|has no counterpart in) ", subject, maxsplit=1)[0]
    for noun in NOUNS:
        if subject.startswith(noun + " "):
            return subject[len(noun) + 1:]
    return subject


def difference(text: str, baseline: str, target: str) -> tuple[str, str, str]:
    """One difference as the checks word it, made into (what differs, baseline value, target value)."""
    b, t = re.escape(baseline), re.escape(target)
    for first, second, swap in ((t, b, False), (b, t, True)):
        # "listener 443 TLS policy is X in production but Y in staging"
        match = re.fullmatch(rf"(.+?) is (.*) in {first} but (.*) in {second}", text)
        if match:
            what, one, other = match.groups()
            return (what, one, other) if swap else (what, other, one)
    match = re.fullmatch(rf"(.+?) only in ({b}|{t}): (.+)", text)  # "container api secrets only in staging: KEY"
    if match:
        what, where, items = match.groups()
        return (what, items, "none") if where == baseline else (what, "none", items)
    match = re.fullmatch(rf"(.+?) is in ({b}|{t}) only", text)  # "target group api is in production only"
    if match:
        what, where = match.groups()
        return (what, PRESENT, MISSING) if where == baseline else (what, MISSING, PRESENT)
    match = re.fullmatch(rf"(.+?) is (.+) in ({b}|{t}) only", text)  # "rotation is on in staging only"
    if match:
        what, value, where = match.groups()
        other = OPPOSITE.get(value, f"not {value}")
        return (what, value, other) if where == baseline else (what, other, value)
    # "changed in staging 199 days after production (more than 30): production may hold an outdated value"
    match = re.match(rf"changed in ({b}|{t}) (\d+) days after ({b}|{t})", text)
    if match:
        later, days, _ = match.groups()
        values = (f"{days} days later", "earlier: may be outdated")
        return ("last changed", *(values if later == baseline else values[::-1]))
    match = re.match(rf"changed in the last (\d+) days in ({b}|{t}) only", text)
    if match:
        days, where = match.groups()
        return (f"changed in the last {days} days", *(("yes", "no") if where == baseline else ("no", "yes")))
    return text, "", ""


def _after_colon(message: str) -> str:
    return message.split(": ", 1)[1] if ": " in message else message
