"""What evidence is: a finding per resource per check, with a status a leader can act on."""
from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    UNKNOWN = "unknown"  # could not tell: access denied, throttled past retries, service unavailable
    ERROR = "error"  # the check itself broke
    NOT_APPLICABLE = "not_applicable"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


SEVERITY_ORDER = {s: i for i, s in enumerate(Severity)}


class Finding(BaseModel):
    """One verdict of one check on one resource (the findings JSON contract)."""

    model_config = ConfigDict(frozen=True)

    check: str
    area: str
    controls: list[str] = Field(default_factory=list)
    environment: str
    baseline: str | None = None
    account: str | None = None
    region: str | None = None
    resource: str
    status: Status
    severity: Severity = Severity.MEDIUM
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class InventoryRecord(BaseModel):
    """What one collector read for one environment and region: its data, or why it could not."""

    environment: str
    region: str
    collector: str
    account: str | None = None
    status: Literal["ok", "unknown"] = "ok"
    reason: str | None = None
    api_calls: int = 0
    payload: Any = None  # JSON form of the collector's typed inventory


class EvidenceRun(BaseModel):
    """One execution of the checks for a platform: the inventories read and the findings made."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    platform: str
    kind: Literal["aws", "data"] = "aws"
    environments: list[str] = Field(default_factory=list)
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    api_calls: int = 0
    checks: int = 0
    inventories: list[InventoryRecord] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    is_demo: bool = False

    def contract(self) -> dict[str, Any]:
        """The findings JSON that other tools rely on (see DESIGN.md)."""
        return {
            "run": {
                "id": self.id,
                "platform": self.platform,
                "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "api_calls": self.api_calls,
                "checks": self.checks,
            },
            "findings": [f.model_dump(mode="json") for f in self.findings],
        }
