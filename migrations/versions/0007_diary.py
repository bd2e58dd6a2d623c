"""diary: the child a parent looked at last, the newest event seen

Revision ID: 0007_diary
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = '0007_diary'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_child_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('seen_event_id', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_foreign_key(batch_op.f('fk_account_last_child_id_person'), 'person', ['last_child_id'], ['id'])


def downgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_account_last_child_id_person'), type_='foreignkey')
        batch_op.drop_column('seen_event_id')
        batch_op.drop_column('last_child_id')
