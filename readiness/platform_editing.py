"""Editing a platform from the Settings page: a table of environments or its YAML in, a validated Platform out."""
from __future__ import annotations

import math
import re
from typing import Any, Iterable, Mapping, Sequence

from pydantic import ValidationError
from sqlmodel import Session

from readiness.auth import Actor, Role, require
from readiness.errors import InvalidInput, StaleEdit
from readiness.platform import Platform, parse_platform
from readiness.store import assessments as repo
from readiness.store.audit import events_for
from readiness.store.tables import PlatformRow

YAML_LABEL = "platform YAML"
# The columns of the environments table, in order, and what each is called in messages.
COLUMNS = {
    "name": "name", "tier": "tier", "profile": "profile", "role_arn": "role ARN", "external_id": "external id",
    "regions": "regions", "tags": "tags", "name_prefix": "name prefix", "ssm_path": "parameter path",
    "secrets_prefix": "secrets prefix",
}
FIELD_COLUMN = {("aws", "profile"): "profile", ("aws", "role_arn"): "role_arn",
                ("aws", "external_id"): "external_id", ("aws", "regions"): "regions", ("select", "tags"): "tags",
                ("select", "name_prefix"): "name_prefix", ("select", "ssm_path"): "ssm_path",
                ("select", "secrets_prefix"): "secrets_prefix", ("select",): "tags"}
TEMPLATE_YAML = """\
# A new platform: its environments, how Readiness reaches each one, and how it tells their resources apart.
name: My platform
checklist: data/checklists/fintech-portfolio.yaml
environments:
  - name: staging
    tier: staging
    aws:
      role_arn: arn:aws:iam::111111111111:role/readiness-readonly   # assumed in the staging account
      external_id: change-me
      regions: [us-east-1]
    select:
      tags: {Environment: staging}      # resources carrying all these tags, and/or
      name_prefix: myapp-staging-        # resources whose names start with this
      ssm_path: /myapp/staging/
      secrets_prefix: myapp/staging/
  - name: production
    tier: production
    aws:
      role_arn: arn:aws:iam::222222222222:role/readiness-readonly
      external_id: change-me
      regions: [us-east-1]
    select:
      tags: {Environment: production}
      name_prefix: myapp-prod-
      ssm_path: /myapp/production/
      secrets_prefix: myapp/production/
compare: [[staging, production]]        # drift pairs: baseline, then target
"""


class PlatformFormError(InvalidInput):
    """The form does not make a valid platform; `problems` says where, one line each."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("The platform was not saved: " + "; ".join(self.problems))


def template() -> Platform:
    return parse_platform(TEMPLATE_YAML, "template")


def platform_from_yaml(text: str) -> Platform:
    """Validate YAML as a platform. Raises ConfigError whose problems name the line: `platform YAML:12: field: …`."""
    return parse_platform(text, YAML_LABEL)


def environment_rows(platform: Platform) -> list[dict[str, Any]]:
    """The platform's environments as rows of the environments table."""
    return [{
        "name": env.name, "tier": env.tier, "profile": env.aws.profile, "role_arn": env.aws.role_arn,
        "external_id": env.aws.external_id, "regions": list(env.aws.regions),
        "tags": ", ".join(f"{k}={v}" for k, v in env.select.tags.items()), "name_prefix": env.select.name_prefix,
        "ssm_path": env.select.ssm_path, "secrets_prefix": env.select.secrets_prefix,
    } for env in platform.environments]


def compare_label(pair: Sequence[str]) -> str:
    return f"{pair[0]} → {pair[1]}"


def platform_from_rows(base: Platform, *, name: str, rows: Iterable[Mapping[str, Any]],
                       compare: Iterable[Sequence[str]]) -> Platform:
    """`base` with its name, environments and compare pairs replaced by the form's; everything else kept.

    An environment keeping its name keeps what the table does not show (its data exports, an emulator endpoint).
    Raises PlatformFormError naming the row and column of every problem.
    """
    kept = {env.name: env for env in base.environments}
    problems: list[str] = []
    environments = []
    for number, row in enumerate(rows, start=1):
        cells = {key: _cell(row.get(key)) for key in COLUMNS}
        if all(value is None for value in cells.values()):
            continue  # a blank row the editor added and nobody filled in
        tags, tag_problem = _tags(cells["tags"])
        if tag_problem:
            problems.append(f"Environment {number}, tags: {tag_problem}")
        earlier = kept.get(cells["name"] or "")
        aws = {**(earlier.aws.model_dump() if earlier else {}), "profile": cells["profile"],
               "role_arn": cells["role_arn"], "external_id": cells["external_id"]}
        regions = _regions(cells["regions"])
        if regions is not None:
            aws["regions"] = regions
        elif earlier is None:
            aws.pop("regions", None)  # the default region applies
        environments.append({
            "name": cells["name"] or "", "tier": cells["tier"] or "other", "aws": aws,
            "select": {"tags": tags, "name_prefix": cells["name_prefix"], "ssm_path": cells["ssm_path"],
                       "secrets_prefix": cells["secrets_prefix"]},
            **({"data": earlier.data.model_dump()} if earlier else {}),
        })
    data = base.model_dump(exclude={"source"})
    data.update(name=" ".join(str(name or "").split()), environments=environments,
                compare=[list(pair) for pair in compare])
    try:
        platform = Platform.model_validate(data)
    except ValidationError as exc:
        problems += [_problem(error, environments) for error in exc.errors()]
    if problems:
        raise PlatformFormError(problems)
    platform.source = base.source
    return platform


def save_platform_edit(session: Session, *, platform: Platform, actor: Actor, editing: str | None,
                       seen: str | None = None) -> PlatformRow:
    """Store an edited platform (`editing`: the name it had) or a new one (None). Administrators only.

    `seen` is the platform's YAML as the editor loaded it: when the stored platform has changed since,
    the edit is refused rather than silently overwriting someone else's. A platform is known by its
    name: renaming it here would leave its assessments behind, so that is refused too.
    """
    # Refuse before saying anything about which platforms exist.
    require(actor, Role.ADMIN, "change platform settings")
    existing = repo.platform_by_name(session, name=platform.name)
    if editing is None and existing is not None:
        raise InvalidInput(f"A platform named {platform.name!r} already exists: pick it in the list to edit it, "
                           "or give the new one another name.")
    if editing is not None and platform.name != editing:
        raise InvalidInput(f"The name cannot change from {editing!r} to {platform.name!r}: assessments and evidence "
                           "are kept under the name. Create a new platform with the new name instead.")
    if existing is not None and seen is not None:
        if repo.platform_config(session, platform_id=existing.id).to_yaml() != seen:
            last = events_for(session, platform_id=existing.id, limit=1)
            who = last[0].actor if last else None
            raise StaleEdit(f"{platform.name} was changed{f' by {who}' if who else ''} since you opened it: the "
                            "editors now show the stored settings; make your change again.", changed_by=who)
    return repo.save_platform(session, platform=platform, actor=actor)


def file_name(platform: Platform) -> str:
    """`northwind-wealth-demo.yaml`."""
    return (re.sub(r"[^a-z0-9]+", "-", platform.name.lower()).strip("-") or "platform") + ".yaml"


# ---- cells of the table -----------------------------------------------------------------------

def _cell(value: Any) -> Any:
    """A cell as the editor gives it (None, NaN, '', padded text, a list) made plain; empty is None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if hasattr(value, "tolist"):  # an array the editor made of a list cell
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        items = [str(v).strip() for v in value if v is not None and str(v).strip()]
        return items or None
    return value


def _regions(value: Any) -> list[str] | None:
    if value is None:
        return None  # the default region applies
    items = value if isinstance(value, list) else re.split(r"[,\s]+", str(value))
    return [item for item in (i.strip() for i in items) if item] or None


def _tags(value: Any) -> tuple[dict[str, str], str | None]:
    """"Environment=production, Team=wealth" as a dict; a problem when a pair has no '='."""
    if value is None:
        return {}, None
    tags = {}
    for pair in (p.strip() for p in str(value).split(",")):
        if not pair:
            continue
        key, sep, val = pair.partition("=")
        if not sep or not key.strip():
            return {}, f"{pair!r} is not Key=Value (separate pairs with commas)"
        tags[key.strip()] = val.strip()
    return tags, None


def _problem(error: Mapping[str, Any], environments: list[dict[str, Any]]) -> str:
    loc = tuple(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown setting"
    if loc[:1] == ("environments",) and len(loc) >= 2 and isinstance(loc[1], int):
        env = environments[loc[1]]
        who = f"Environment {loc[1] + 1}" + (f" ({env['name']})" if env.get("name") else "")
        column = loc[2] if len(loc) > 2 and loc[2] in COLUMNS else FIELD_COLUMN.get(tuple(loc[2:4]),
                                                                                   FIELD_COLUMN.get(tuple(loc[2:3])))
        return f"{who}, {COLUMNS[column]}: {message}" if column else f"{who}: {message}"
    if loc[:1] == ("compare",):
        return f"Compare pairs: {message}"
    if not loc:
        return message
    return f"{'.'.join(str(part) for part in loc)}: {message}"
