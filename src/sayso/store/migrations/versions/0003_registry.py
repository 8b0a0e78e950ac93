"""Registry: speakers imported from a user's registry (``sayso speakers import``) are
marked ``registered`` and may carry a Wikidata id. Rows stored before this revision are
not registered and have no Wikidata id, which is what they were.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("speakers") as batch:
        batch.add_column(sa.Column("wikidata", sa.String))
        batch.add_column(sa.Column("registered", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("speakers") as batch:
        batch.drop_column("registered")
        batch.drop_column("wikidata")
