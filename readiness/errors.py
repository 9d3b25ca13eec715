"""Errors the domain raises for a person to read: each says what happened and what to do."""
from __future__ import annotations


class ReadinessError(Exception):
    """Base of the errors shown to users as they are, without a traceback."""


class NotFound(ReadinessError):
    pass


class AssessmentLocked(ReadinessError):
    """A final assessment is immutable."""


class InvalidTransition(ReadinessError):
    pass


class StaleEdit(ReadinessError):
    """Someone else saved the same record since it was read: refuse rather than overwrite."""

    def __init__(self, message: str, *, changed_by: str | None = None):
        super().__init__(message)
        self.changed_by = changed_by


class PermissionDenied(ReadinessError):
    pass


class SelfApproval(ReadinessError):
    pass


class InvalidInput(ReadinessError):
    pass
