"""The platform config: what is assessed, where its environments live, and how to tell them apart."""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from readiness.errors import InvalidInput
from readiness.scoring import Thresholds
from readiness.yamlsource import ConfigError, Problem, read_text, validate_yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
SERVICE = re.compile(r"^[a-z][a-z0-9-]{1,62}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Market(_Strict):
    calendar: str = "XNYS"
    timezone: str = "America/New_York"
    open: str = "09:30"
    close: str = "16:00"
    peak_minutes: int = Field(default=60, ge=0, le=600)

    @field_validator("open", "close")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not HHMM.match(value):
            raise ValueError("must be a 24-hour time like 09:30")
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    def open_time(self) -> dt.time:
        return dt.time.fromisoformat(self.open)

    def close_time(self) -> dt.time:
        return dt.time.fromisoformat(self.close)


class AwsAccess(_Strict):
    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    regions: list[str] = Field(default_factory=lambda: ["us-east-1"], min_length=1)
    endpoint_url: str | None = None
    # Client-side limit per service (boto3's names: ssm, ecs, logs…; `default` for the others), retries
    # included, so a scan leaves the account's API limits to production. Empty: no limit but AWS's own.
    max_calls_per_second: dict[str, Decimal] = Field(default_factory=dict)

    @field_validator("max_calls_per_second")
    @classmethod
    def _rates(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for service, rate in value.items():
            if not SERVICE.match(service):
                raise ValueError(f"{service!r} is not a service name like ssm or elbv2 (or default)")
            if not 0 < rate <= 10_000:
                raise ValueError(f"{service}: {rate} calls a second; give a number above 0 and at most 10000")
        return value

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        for region in value:
            if not REGION.match(region):
                raise ValueError(f"{region!r} is not an AWS region name like us-east-1")
        return value

    @field_validator("role_arn")
    @classmethod
    def _role(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$", value):
            raise ValueError("must be an IAM role ARN like arn:aws:iam::123456789012:role/readiness-readonly")
        return value

    @field_validator("endpoint_url")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://", value):
            raise ValueError("must be an http(s) URL")
        return value


class Select(_Strict):
    tags: dict[str, str] = Field(default_factory=dict)
    name_prefix: str | None = None
    ssm_path: str | None = None
    secrets_prefix: str | None = None

    @model_validator(mode="after")
    def _something(self) -> "Select":
        if not self.tags and not self.name_prefix:
            raise ValueError("give tags or a name_prefix so resources can be told apart")
        return self

    def matches(self, name: str, tags: dict[str, str] | None = None) -> bool:
        """A resource belongs to the environment when its tags or its name say so."""
        tags = tags or {}
        if self.tags and all(tags.get(k) == v for k, v in self.tags.items()):
            return True
        return bool(self.name_prefix) and name.startswith(self.name_prefix)

    def common_name(self, name: str) -> str:
        """The name with the environment's prefix or path removed, to match it across environments."""
        for prefix in (self.ssm_path, self.secrets_prefix, self.name_prefix):
            if prefix and name.startswith(prefix):
                return name[len(prefix):]
            if prefix and name.startswith("/" + prefix):
                return name[len(prefix) + 1:]
        return name


class DataExports(_Strict):
    """Where the platform team drops its portfolio exports for the data-accuracy validation."""

    s3: str | None = None  # s3://bucket/prefix/

    @field_validator("s3")
    @classmethod
    def _s3(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^s3://[a-z0-9.\-]{3,63}(/.*)?$", value):
            raise ValueError("must look like s3://bucket/prefix/")
        return value


class Environment(_Strict):
    name: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    tier: Literal["staging", "production", "other"] = "other"
    aws: AwsAccess = Field(default_factory=AwsAccess)
    select: Select
    data: DataExports = Field(default_factory=DataExports)


class Dependency(_Strict):
    name: str = Field(min_length=1)
    kind: str = "other"
    timeout_seconds: Decimal = Field(default=Decimal(5), gt=0)
    retries: int = Field(default=0, ge=0, le=10)
    # environment variable names that carry this provider's timeout, e.g. MARKET_DATA_TIMEOUT_MS
    timeout_setting: str | None = None
    used_by: list[str] = Field(default_factory=list)  # service names, environment prefix removed


class Component(_Strict):
    name: str = Field(min_length=1)
    services: list[str] = Field(default_factory=list)  # service names, environment prefix removed
    read_heavy: bool = False
    batch: bool = False


class FargatePrices(_Strict):
    """On-demand AWS Fargate prices (Linux, x86) that cost estimates use, with the region and date they are from."""

    region: str = "us-east-1"
    # As published on aws.amazon.com/fargate/pricing for US East (N. Virginia), unchanged since 7 January 2019.
    as_of: dt.date = dt.date(2025, 1, 1)
    currency: str = "USD"
    vcpu_hour: Decimal = Field(default=Decimal("0.04048"), gt=0)
    gb_hour: Decimal = Field(default=Decimal("0.004445"), gt=0)
    hours_per_month: Decimal = Field(default=Decimal(730), gt=0)


class EvidenceSettings(_Strict):
    """Thresholds of the checks; the defaults suit most platforms."""

    log_retention_days: int = Field(default=90, ge=1)
    recent_change_days: int = Field(default=7, ge=1)
    secret_change_gap_days: int = Field(default=30, ge=1)
    backup_retention_days: int = Field(default=7, ge=1)
    rpo_hours: int = Field(default=24, ge=1)
    alarm_stuck_hours: int = Field(default=24, ge=1)
    structured_log_share: Decimal = Field(default=Decimal("0.9"), ge=0, le=1)
    pre_market_lead_minutes: int = Field(default=30, ge=0)
    max_scale_ratio: Decimal = Field(default=Decimal(10), gt=1)
    required_tags: list[str] = Field(default_factory=lambda: ["Owner", "Tier", "DataClassification"])
    tolerance_minor_units: int = Field(default=1, ge=0)
    valuation_jump: Decimal = Field(default=Decimal("0.2"), gt=0)
    min_zones: int = Field(default=2, ge=1)  # zones a load balancer or a service's tasks must span
    max_zone_share: Decimal = Field(default=Decimal("0.5"), gt=0, le=1)  # of a service's tasks in its busiest zone
    duration_tag: str = "ExpectedDurationMinutes"  # the tag that says how long a scheduled job runs
    min_service_tasks: int = Field(default=2, ge=1)  # the least a production service may scale in to
    scaling_target_low_percent: int = Field(default=20, ge=1, le=100)  # target tracking on utilisation: below, waste
    scaling_target_high_percent: int = Field(default=85, ge=1, le=100)  # above, no headroom while tasks start
    max_receive_count: int = Field(default=10, ge=1)  # deliveries before a message moves to the dead-letter queue
    fargate_prices: FargatePrices = Field(default_factory=FargatePrices)


class Platform(_Strict):
    name: str = Field(min_length=1, max_length=120)
    checklist: str = "data/checklists/fintech-portfolio.yaml"
    market: Market = Field(default_factory=Market)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    environments: list[Environment] = Field(min_length=1)
    compare: list[tuple[str, str]] = Field(default_factory=list)
    dependencies: list[Dependency] = Field(default_factory=list)
    components: list[Component] = Field(default_factory=list)
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)
    demo: bool = False
    # Set by the loader: the file it came from, to resolve relative paths.
    source: str | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _consistent(self) -> "Platform":
        names = [e.name for e in self.environments]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"environment names must be unique: {', '.join(sorted(duplicates))}")
        for baseline, target in self.compare:
            for name in (baseline, target):
                if name not in names:
                    raise ValueError(f"compare names {name!r}, which is not an environment")
            if baseline == target:
                raise ValueError(f"compare pairs {baseline!r} with itself")
        return self

    def environment(self, name: str) -> Environment:
        for env in self.environments:
            if env.name == name:
                return env
        raise KeyError(name)

    def environment_name(self, name: str | None) -> str:
        """The environment a command or page asked for, or the production one; a clear error otherwise."""
        name = name or self.production().name
        if name not in {e.name for e in self.environments}:
            raise InvalidInput(f"{self.name} has no environment {name!r}; "
                               f"it has {', '.join(e.name for e in self.environments)}.")
        return name

    def production(self) -> Environment:
        for env in self.environments:
            if env.tier == "production":
                return env
        return self.environments[-1]

    def checklist_path(self) -> Path:
        path = Path(self.checklist)
        if path.is_absolute():
            return path
        if (REPO_ROOT / path).exists() or not self.source:
            return REPO_ROOT / path
        return Path(self.source).parent / path

    def to_yaml(self) -> str:
        data = self.model_dump(mode="json", exclude={"source"}, exclude_defaults=False)
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def load_platform(path: Path | str) -> Platform:
    path = Path(path)
    return parse_platform(read_text(path), str(path))


def parse_platform(text: str, file: str = "<platform>") -> Platform:
    platform, _ = validate_yaml(Platform, text, file)
    platform.source = file
    if not platform.checklist_path().exists():
        raise ConfigError([Problem(file, 1, "checklist", f"checklist file {platform.checklist} not found")])
    return platform
