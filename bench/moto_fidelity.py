"""Where the benchmark's simulated AWS is made to page as AWS does, so calls are counted as AWS would answer them.

Loaded by the simulated AWS's own process only (see simulated_aws.py); never by Readiness or its tests.
"""
from __future__ import annotations

from typing import Any

DESCRIBE_PARAMETERS_LARGEST = 50  # AWS: MaxResults 1 to 50, default 10


def page_parameters_as_aws() -> None:
    """moto answers DescribeParameters ten at a time whatever MaxResults asks; AWS gives up to 50 a page."""
    from moto.core.responses import ActionResult
    from moto.ssm.responses import SimpleSystemManagerResponse

    def describe_parameters(self: Any) -> Any:
        size = min(int(self._get_param("MaxResults") or 10), DESCRIBE_PARAMETERS_LARGEST)
        start = int(str(self._get_param("NextToken") or "0").strip() or "0")
        found = self.ssm_backend.describe_parameters(self._get_param("Filters"), self._get_param("ParameterFilters"))
        response: dict[str, Any] = {
            "Parameters": [p.describe_response_object(False) for p in found[start:start + size]]}
        if start + size < len(found):
            response["NextToken"] = str(start + size)
        return ActionResult(response)

    SimpleSystemManagerResponse.describe_parameters = describe_parameters
