"""Which resources belong to an environment, and their names with the environment's part removed."""
from __future__ import annotations

from readiness.platform import Select


def belongs(select: Select, name: str, tags: dict[str, str] | None = None) -> bool:
    """Tags or name prefix, as Select says; a path-like name (/ecs/nw-prod-api) may carry the prefix in any part."""
    if select.matches(name, tags):
        return True
    prefix = select.name_prefix
    return bool(prefix) and any(part.startswith(prefix) for part in name.split("/") if part)


def common_name(select: Select, name: str) -> str:
    """The name to match across environments: /ecs/nw-prod-api and /ecs/nw-staging-api both become /ecs/api."""
    stripped = select.common_name(name)
    if stripped != name or not select.name_prefix:
        return stripped
    parts = name.split("/")
    for index, part in enumerate(parts):
        if part.startswith(select.name_prefix):
            parts[index] = part[len(select.name_prefix):]
            return "/".join(parts)
    return name
