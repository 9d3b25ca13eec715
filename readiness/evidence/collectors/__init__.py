"""Collectors: the only code that calls AWS, one module per service."""
