"""The leadership checklist: areas of controls, each a question a team answers and evidence checks."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

AREA_IDS: tuple[str, ...] = (
    "architecture",
    "environment",
    "dependencies",
    "dataflow",
    "monitoring",
    "batch",
    "deployment",
    "scaling",
)
AREA_PREFIXES = {
    "architecture": "ARC",
    "environment": "ENV",
    "dependencies": "DEP",
    "dataflow": "DAT",
    "monitoring": "MON",
    "batch": "BAT",
    "deployment": "DPL",
    "scaling": "SCL",
}
CONTROL_ID = re.compile(r"^[A-Z]{3}-\d{2}$")
CHECK_ID = re.compile(r"^[a-z]+\.[a-z0-9_]+$")

Text = Annotated[str, Field(min_length=1, max_length=4000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Control(_Strict):
    id: str
    title: Text
    question: Text
    why: Text
    guidance: Text
    links: list[HttpUrl] = Field(default_factory=list)
    weight: Decimal = Field(gt=0, le=100)
    blocker: bool = False
    automated: bool = False
    checks: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not CONTROL_ID.match(value):
            raise ValueError("must look like ARC-01: three capitals, a dash, two digits")
        return value

    @field_validator("checks")
    @classmethod
    def _check_shape(cls, value: list[str]) -> list[str]:
        for check in value:
            if not CHECK_ID.match(check):
                raise ValueError(f"check id {check!r} must look like area.what_is_checked")
        return value


class Area(_Strict):
    id: str
    title: Text
    weight: Decimal = Field(gt=0, le=100)
    summary: str = ""
    controls: list[Control] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _known_area(cls, value: str) -> str:
        if value not in AREA_IDS:
            raise ValueError(f"unknown area {value!r}; expected one of {', '.join(AREA_IDS)}")
        return value


class Checklist(_Strict):
    id: str = Field(min_length=1)
    title: Text
    version: str = Field(min_length=1)
    description: str = ""
    areas: list[Area] = Field(min_length=1)
    # Set by the loader: sha256 of the file's bytes, so assessments can name the exact version.
    digest: str = ""
    source: str = ""

    def controls(self) -> list[Control]:
        return [control for area in self.areas for control in area.controls]

    def control(self, control_id: str) -> Control:
        for control in self.controls():
            if control.id == control_id:
                return control
        raise KeyError(control_id)

    def area_of(self, control_id: str) -> Area:
        for area in self.areas:
            if any(c.id == control_id for c in area.controls):
                return area
        raise KeyError(control_id)

    def check_ids(self) -> set[str]:
        return {check for control in self.controls() for check in control.checks}
