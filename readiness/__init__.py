"""Readiness: is a fintech platform on AWS ready for production, with evidence."""
