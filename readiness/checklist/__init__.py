"""The leadership checklist: its model and its loader."""
from readiness.checklist.loader import load_checklist, parse_checklist, pending_checks
from readiness.checklist.model import AREA_IDS, Area, Checklist, Control

__all__ = ["AREA_IDS", "Area", "Checklist", "Control", "load_checklist", "parse_checklist", "pending_checks"]
