"""Checks: pure rules over inventories, one module per area."""
