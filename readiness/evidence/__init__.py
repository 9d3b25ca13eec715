"""Evidence gathered from AWS: collectors read, checks judge, the runner ties them together."""
from readiness.evidence.model import EvidenceRun, Finding, InventoryRecord, Severity, Status

__all__ = ["EvidenceRun", "Finding", "InventoryRecord", "Severity", "Status"]
