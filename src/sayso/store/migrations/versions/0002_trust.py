"""Trust: each statement's attribution type and whether the trusted view shows it
(``sayso.trust``, computed at ingest); each article's reason for having no statements by
design (``skipped``: a language sayso does not read).

Rows stored before this revision get type 'speech' and trusted true, which is what the
earlier archive showed them as; ``sayso reanalyse`` gives them their types, calibrated
confidences and verdicts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.add_column(sa.Column("type", sa.String, nullable=False, server_default="speech"))
        batch.add_column(sa.Column("trusted", sa.Boolean, nullable=False, server_default=sa.true()))
        batch.create_index("ix_statements_type", ["type"])
        batch.create_index("ix_statements_trusted", ["trusted"])
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("skipped", sa.String))


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("skipped")
    with op.batch_alter_table("statements") as batch:
        batch.drop_index("ix_statements_trusted")
        batch.drop_index("ix_statements_type")
        batch.drop_column("trusted")
        batch.drop_column("type")
