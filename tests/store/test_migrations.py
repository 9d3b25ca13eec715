"""Migrations: every earlier revision upgrades to head without losing a row, and head matches the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel

from readiness.auth import LOCAL_USER
from readiness.store import make_engine, session_scope, upgrade
from readiness.store import assessments as repo
from readiness.store.engine import alembic_config


def revisions(engine) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(engine))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_every_revision_upgrades_to_head_keeping_rows(store_url, platform, checklist):
    engine = make_engine(store_url)
    for revision in revisions(engine):
        with engine.begin() as conn:  # start from an empty database at this revision
            for table in ("alembic_version", *[t.name for t in reversed(SQLModel.metadata.sorted_tables)]):
                conn.execute(text(f'DROP TABLE IF EXISTS "{table}"' + (" CASCADE" if conn.dialect.name ==
                                                                       "postgresql" else "")))
        upgrade(engine, revision)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO platform (name, config_yaml, created_at, updated_at) "
                              "VALUES ('kept', :cfg, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                         {"cfg": platform.to_yaml()})
        upgrade(engine)
        with session_scope(engine) as session:
            kept = repo.platform_by_name(session, name="kept")
            assert kept is not None and "environments" in kept.config_yaml
            created = repo.create_assessment(session, platform_id=kept.id, environment="production",
                                             title="after upgrade", checklist_digest=checklist.digest,
                                             actor=LOCAL_USER)
            assert created.id is not None
    engine.dispose()


def test_head_schema_matches_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
