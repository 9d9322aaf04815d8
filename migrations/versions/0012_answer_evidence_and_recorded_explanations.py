"""files sent with answers; explanations the secretariat records on behalf of a company or agency

``filing_query_evidence``: files (PDF, JPEG, PNG, checked like attachments) a company sends with its
answer to a question on its filing. ``discrepancy_evidence``: files sent with the answer to a
discrepancy query, or attached to an explanation the secretariat recorded. Both belong to their
question (deleted with it) and hold each file once per question.

``discrepancy_query``: ``recorded_by_secretariat`` marks an answer the secretariat wrote down for a
company or agency that gave it outside the portal, with who gave it (``informant``) and how
(``channel``: letter, email, phone, meeting, other).

Revision ID: 2b7e5c94d1f0
Revises: 8e4b7d21c6a9
Create Date: 2026-12-05 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2b7e5c94d1f0'
down_revision = '8e4b7d21c6a9'
branch_labels = None
depends_on = None


def _evidence_table(name: str, query_table: str) -> None:
    op.create_table(
        name,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('query_id', sa.Integer(), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('media_type', sa.String(length=32), nullable=False),
        sa.Column('size_bytes', sa.BigInteger(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['query_id'], [f'{query_table}.id'],
                                name=op.f(f'fk_{name}_query_id_{query_table}'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'],
                                name=op.f(f'fk_{name}_uploaded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
        sa.UniqueConstraint('query_id', 'sha256', name=op.f(f'uq_{name}_query_id_sha256')),
        sa.UniqueConstraint('stored_name', name=op.f(f'uq_{name}_stored_name')),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_query_id'), ['query_id'], unique=False)


def upgrade():
    with op.batch_alter_table('discrepancy_query', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_by_secretariat', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('informant', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('channel', sa.String(length=16), nullable=True))
    _evidence_table('filing_query_evidence', 'filing_query')
    _evidence_table('discrepancy_evidence', 'discrepancy_query')


def downgrade():
    op.drop_table('discrepancy_evidence')
    op.drop_table('filing_query_evidence')
    with op.batch_alter_table('discrepancy_query', schema=None) as batch_op:
        batch_op.drop_column('channel')
        batch_op.drop_column('informant')
        batch_op.drop_column('recorded_by_secretariat')
