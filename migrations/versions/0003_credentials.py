"""credentials desk: staged imports and parent link codes

Revision ID: 0003_credentials
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import kundoluk.models.base

revision = '0003_credentials'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('file_format', sa.String(length=10), nullable=True),
    sa.Column('encoding', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('error', sa.String(length=40), nullable=True),
    sa.Column('error_detail', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('problem_rows', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('created_by_account_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_by_account_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', kundoluk.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('applied_at', kundoluk.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', kundoluk.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_account_id'], ['account.id'], name=op.f('fk_import_batch_confirmed_by_account_id_account')),
    sa.ForeignKeyConstraint(['created_by_account_id'], ['account.id'], name=op.f('fk_import_batch_created_by_account_id_account')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_import_batch_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch')),
    sa.UniqueConstraint('public_id', name=op.f('uq_import_batch_public_id'))
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batch_school_id'), ['school_id'], unique=False)

    op.create_table('import_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('problem_count', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_import_row_batch_id_import_batch')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_import_row_school_id_school')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_row')),
    sa.UniqueConstraint('batch_id', 'row_number', name=op.f('uq_import_row_batch_id_row_number'))
    )
    with op.batch_alter_table('import_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_row_school_id'), ['school_id'], unique=False)

    op.create_table('parent_link_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_account_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', kundoluk.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', kundoluk.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('used_by_person_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', kundoluk.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_account_id'], ['account.id'], name=op.f('fk_parent_link_code_created_by_account_id_account')),
    sa.ForeignKeyConstraint(['pupil_id'], ['person.id'], name=op.f('fk_parent_link_code_pupil_id_person')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_parent_link_code_school_id_school')),
    sa.ForeignKeyConstraint(['used_by_person_id'], ['person.id'], name=op.f('fk_parent_link_code_used_by_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_link_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_parent_link_code_code_hash'))
    )
    with op.batch_alter_table('parent_link_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parent_link_code_pupil_id'), ['pupil_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parent_link_code_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('parent_link_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parent_link_code_school_id'))
        batch_op.drop_index(batch_op.f('ix_parent_link_code_pupil_id'))
    op.drop_table('parent_link_code')
    with op.batch_alter_table('import_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_row_school_id'))
    op.drop_table('import_row')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batch_school_id'))
    op.drop_table('import_batch')
