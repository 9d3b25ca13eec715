"""First start of a store: register the platforms found in data/platforms so there is something to assess."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from readiness.auth import SYSTEM, Actor
from readiness.platform import REPO_ROOT, load_platform
from readiness.store import assessments as repo
from readiness.yamlsource import ConfigError

PLATFORMS_DIR = REPO_ROOT / "data" / "platforms"


@dataclass
class Bootstrap:
    """What the first start did: the platforms it registered and the files it could not read."""

    registered: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def ensure_platforms(session: Session, directory: Path | str = PLATFORMS_DIR, *, actor: Actor = SYSTEM) -> Bootstrap:
    """Register every platform file of `directory` when the store has no platform yet.

    A store that already has platforms is left alone: they may have been edited since. A file that
    does not validate is reported and skipped, so one bad file does not keep the others out.
    """
    result = Bootstrap()
    if repo.list_platforms(session):
        return result
    directory = Path(directory)
    if not directory.is_dir():
        result.problems.append(f"{directory}: no such folder of platform files.")
        return result
    for path in sorted(directory.glob("*.yaml")):
        try:
            platform = load_platform(path)
        except ConfigError as exc:
            result.problems.extend(str(p) for p in exc.problems)
            continue
        repo.save_platform(session, platform=platform, actor=actor)
        result.registered.append(platform.name)
    return result
