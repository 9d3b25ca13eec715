"""Small, consistent portfolio exports for the data-accuracy tests, parsed as files would be."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from readiness.dataflow import synthetic
from readiness.dataflow.readers import EnvironmentExports, read_exports
from readiness.dataflow.rules import RuleSettings
from readiness.platform import REPO_ROOT

AS_OF = dt.date(2025, 1, 17)
PREVIOUS = dt.date(2025, 1, 16)
SAMPLES = REPO_ROOT / "data" / "samples"
DEMO_PLATFORM = REPO_ROOT / "data" / "platforms" / "demo.yaml"


def consistent_exports() -> dict:
    """Text tables of 4 portfolios over 20 trading days, consistent with every rule."""
    return synthetic.generate(portfolios=4, holdings=5, days=20, as_of=AS_OF, seed=3)


def rule_settings(tolerance: int = 1, jump: str = "0.2") -> RuleSettings:
    return RuleSettings(as_of=AS_OF, tolerance_minor_units=tolerance, valuation_jump=Decimal(jump), calendar="XNYS")


def read(tables: dict, environment: str = "production") -> EnvironmentExports:
    """Parse text tables exactly as files from a platform team would be parsed."""
    return read_exports(environment, "test", synthetic.as_files(tables))


def write(tables: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in synthetic.as_files(tables):
        (folder / name).write_bytes(data)
    return folder
