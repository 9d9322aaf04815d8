"""document revisions and stable item ids

``disclosure.revision`` and ``receipt_batch.revision``: bumped by every saved edit of a draft,
so a stale form or If-Match write is refused (409) instead of overwriting someone's work.
``disclosure_section.item_ids``: a stable identifier per item of a list section, parallel to
``data``; forms address items by it, never by list position. Existing list sections get ids.

Revision ID: 3c1f0e7a9b20
Revises: beb1394f8563
Create Date: 2026-12-04 21:20:00

"""
import json
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1f0e7a9b20'
down_revision = 'beb1394f8563'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('disclosure', 'receipt_batch'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('disclosure_section', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_ids', sa.JSON(), nullable=True))
    connection = op.get_bind()
    sections = sa.table('disclosure_section', sa.column('id', sa.Integer), sa.column('data', sa.JSON),
                        sa.column('item_ids', sa.JSON))
    for row in connection.execute(sa.select(sections.c.id, sections.c.data)).all():
        data = row.data if not isinstance(row.data, str) else json.loads(row.data)
        if isinstance(data, list):
            ids = []
            while len(ids) < len(data):
                candidate = secrets.token_hex(4)
                if candidate not in ids:
                    ids.append(candidate)
            connection.execute(sa.update(sections).where(sections.c.id == row.id).values(item_ids=ids))


def downgrade():
    with op.batch_alter_table('disclosure_section', schema=None) as batch_op:
        batch_op.drop_column('item_ids')
    for table in ('receipt_batch', 'disclosure'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('revision')
