"""sealed versions keep the register's names

``disclosure.register_snapshot``: the names of the revenue streams, government entities,
licences, regions, sites and minerals a version refers to, recorded when it is sealed
(``disclosure.snapshot.register_snapshot``), so its pages and receipt show the names of the
day it was filed. Outside the filing document and its hash. Versions sealed before this
revision keep NULL: they show the register as it stands, as before.

Revision ID: beb1394f8563
Revises: 704016774855
Create Date: 2026-12-04 19:10:30.398580

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'beb1394f8563'
down_revision = '704016774855'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('register_snapshot', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('disclosure', schema=None) as batch_op:
        batch_op.drop_column('register_snapshot')
