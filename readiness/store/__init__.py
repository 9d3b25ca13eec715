"""Storage: SQLModel tables, repository functions, the engine and its migrations."""
from readiness.store.engine import database_url, make_engine, open_store, session_scope, upgrade

__all__ = ["database_url", "make_engine", "open_store", "session_scope", "upgrade"]
