"""Drift between two environments, side by side per kind of resource, from the findings of the parity checks."""
from __future__ import annotations

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
# How a side without the thing reads: "missing" for a resource, "none" for items such as listeners.
PRESENT, MISSING, NONE = "present", "missing", "none"


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
    resource_kind: str = ""  # "database", "bucket": what the resource is, where a table mixes kinds


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
                       kinds=[_kind(kind, found) for kind, found in by_kind.items()])


def _kind(kind: str, findings: list[Finding]) -> KindDrift:
    lines: list[DriftLine] = []
    matching, unknown = 0, []
    for f in findings:
        if f.status == Status.PASS:
            matching += 1
        elif f.status in (Status.UNKNOWN, Status.ERROR):
            unknown.append(f.message)
        elif f.status in (Status.FAIL, Status.WARN):
            lines += _lines(kind, f)
    lines.sort(key=lambda line: (line.name, line.aspect))
    return KindDrift(kind=kind, lines=lines, matching=matching, unknown=unknown)


def _lines(kind: str, f: Finding) -> list[DriftLine]:
    differences = f.details.get("differences") or []
    if not differences or not all(isinstance(d, dict) for d in differences):
        # Stored by a run from before differences were kept apart: the whole sentence is all there is to show.
        return [DriftLine(kind, f.resource, f.message, "", "", f.status, f.resource)]
    return [DriftLine(kind, str(d.get("name") or f.resource), str(d.get("what") or f.message),
                      _shown(d.get("baseline"), d.get("target")), _shown(d.get("target"), d.get("baseline")),
                      f.status, f.resource, resource_kind=str(d.get("kind") or ""))
            for d in differences]


def _shown(value: object, other: object) -> str:
    """A value for the table: the absent side reads "missing" against a present resource, else "none"."""
    if value is None:
        return MISSING if other == PRESENT else NONE
    return str(value)
