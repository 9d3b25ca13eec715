"""score summary and timeline indexes

A final assessment keeps, beside its frozen score, the little a timeline shows of it (coverage, go score,
area scores); existing final assessments get theirs from their frozen score. Indexes for listing an
environment's assessments by date and for finding a platform's latest evidence run.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 23:34:16.169537
"""
from typing import Any, Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BATCH = 200  # final assessments read at a time: their frozen scores are tens of kilobytes each


def _summary(frozen_score: dict[str, Any]) -> dict[str, Any]:
    # As readiness.store.tables.score_summary at this revision; kept here so the migration never changes.
    areas = frozen_score.get("areas") or []
    return {"coverage": frozen_score.get("coverage"),
            "go_score": (frozen_score.get("thresholds") or {}).get("go_score"),
            "areas": {a["area"]: a.get("score") for a in areas},
            "area_titles": {a["area"]: a.get("title") for a in areas}}


def upgrade() -> None:
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score_summary', sa.JSON(), nullable=True))
        batch_op.create_index('ix_assessment_platform_environment_created',
                              ['platform_id', 'environment', 'created_at'], unique=False)

    with op.batch_alter_table('evidence_run', schema=None) as batch_op:
        batch_op.create_index('ix_evidence_run_platform_kind_started',
                              ['platform_id', 'kind', 'started_at'], unique=False)

    assessment = sa.table('assessment', sa.column('id', sa.Integer), sa.column('status', sa.String),
                          sa.column('frozen_score', sa.JSON), sa.column('score_summary', sa.JSON))
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(sa.select(assessment.c.id, assessment.c.frozen_score)
                            .where(assessment.c.status == 'final', assessment.c.id > last)
                            .order_by(assessment.c.id).limit(BATCH)).all()
        if not rows:
            break
        for row_id, frozen in rows:
            if isinstance(frozen, dict):
                conn.execute(sa.update(assessment).where(assessment.c.id == row_id)
                             .values(score_summary=_summary(frozen)))
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table('evidence_run', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_run_platform_kind_started')

    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_platform_environment_created')
        batch_op.drop_column('score_summary')
