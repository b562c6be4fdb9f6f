"""CAT: the adaptive-test state of a session, and stored IRT calibrations.

Revision ID: 0004_cat
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004_cat"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("cat_state", JSON, nullable=True))
    op.create_table(
        "irt_calibrations",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("blueprint_id", sa.String(200), nullable=True),
        sa.Column("n_sessions", sa.Integer, nullable=False),
        sa.Column("n_responses", sa.Integer, nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_irt_calibrations"),
    )
    op.create_index(
        "ix_irt_calibrations_blueprint_id", "irt_calibrations", ["blueprint_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_irt_calibrations_blueprint_id", table_name="irt_calibrations")
    op.drop_table("irt_calibrations")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("cat_state")
