"""one attachment per file, company and period

``attachment``: unique (company_id, period_id, sha256). The service already refused a second upload
of the same file for a period, but parallel uploads could each pass that check; the constraint makes
the second insert fail, and the service answers it like a sequential duplicate. Copies stored before
this revision by such a race are dropped, keeping the first row of each file (sections refer to a
file by its sha256, so every reference still finds it); their files stay on disk, unnamed by any row,
like the orphans the attachments module describes.

Revision ID: 5d2a9c41e7b3
Revises: 3c1f0e7a9b20
Create Date: 2026-12-04 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2a9c41e7b3'
down_revision = '3c1f0e7a9b20'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text(
        "DELETE FROM attachment WHERE id NOT IN "
        "(SELECT keep FROM (SELECT MIN(id) AS keep FROM attachment GROUP BY company_id, period_id, sha256) AS first)"))
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_attachment_company_id_period_id_sha256'),
                                          ['company_id', 'period_id', 'sha256'])


def downgrade():
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_attachment_company_id_period_id_sha256'), type_='unique')
