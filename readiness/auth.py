"""Who is acting and what they may do. Enforced by the domain on every write, not by the pages."""
from __future__ import annotations

from enum import IntEnum

from pydantic import BaseModel, ConfigDict

from readiness.errors import PermissionDenied


class Role(IntEnum):
    """Each role may do everything the roles below it may."""

    VIEWER = 1  # executives: read everything
    CONTRIBUTOR = 2  # answer controls, request waivers, run evidence collection
    APPROVER = 3  # approve waivers, move assessments, record decisions and sign-offs
    ADMIN = 4  # platforms and checklists

    @property
    def label(self) -> str:
        return self.name.lower()


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    role: Role = Role.VIEWER
    email: str | None = None

    def can(self, role: Role) -> bool:
        return self.role >= role


def require(actor: Actor, role: Role, action: str) -> None:
    if not actor.can(role):
        raise PermissionDenied(
            f"{actor.name} is a {actor.role.label} and may not {action}: it needs the {role.label} role."
        )


LOCAL_USER = Actor(name="local user", role=Role.ADMIN)
SYSTEM = Actor(name="readiness", role=Role.ADMIN)
