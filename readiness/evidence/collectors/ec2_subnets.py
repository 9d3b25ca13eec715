"""EC2 subnets: the zone of every subnet, to tell where the tasks of a service can run."""
from __future__ import annotations

from pydantic import BaseModel

from readiness.evidence.collecting import CollectContext, Inventory, collector, paged


class Subnet(BaseModel):
    id: str
    zone: str
    vpc: str | None = None
    region: str


class SubnetInventory(Inventory):
    collector = "ec2_subnets"
    subnets: list[Subnet] = []

    def zone_of(self, subnet_id: str) -> str | None:
        return next((s.zone for s in self.subnets if s.id == subnet_id), None)


@collector("ec2_subnets", actions=["ec2:DescribeSubnets"], inventory=SubnetInventory)
def collect_subnets(ctx: CollectContext) -> SubnetInventory:
    # Every subnet of the region, not only the environment's: subnets are often shared across
    # environments, and the checks look up only those their services are placed in. Running tasks
    # would tell their zones too (ecs:ListTasks, DescribeTasks), but the simulated AWS of the demo runs
    # none for a service, so the zones of a service's awsvpc subnets are what is read.
    client = ctx.client("ec2")
    return SubnetInventory(subnets=[
        Subnet(id=s["SubnetId"], zone=s["AvailabilityZone"], vpc=s.get("VpcId"), region=ctx.region)
        for s in paged(client, "describe_subnets", "Subnets")
    ])
