"""placeholder"""
from dataclasses import dataclass, field
@dataclass
class Least:
    total: int
    by_collector: dict = field(default_factory=dict)
def minimum_calls(size, envs):
    return Least(total=1000)
