"""the fingerprint of a reconciliation run's lines

``reconciliation_run.lines_sha256``: the SHA-256 of the run's stored lines and of the names it
recorded (``runs.lines_sha256``), set when the run is made. A run never changes, so the report of a run may be kept in memory under
this fingerprint and never be stale. Runs made before have none and are read afresh each time.

Revision ID: 5c1e9a7b3d20
Revises: d8f490902f46
Create Date: 2026-12-06 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e9a7b3d20'
down_revision = 'd8f490902f46'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reconciliation_run') as batch_op:
        batch_op.add_column(sa.Column('lines_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('reconciliation_run') as batch_op:
        batch_op.drop_column('lines_sha256')
