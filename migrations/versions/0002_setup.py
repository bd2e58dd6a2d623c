"""year set-up: director switch, public ids for calendar rows and shifts, unique subject codes

Revision ID: 0002_setup
Revises: 0001

Only columns and unique indexes are added, never a table rebuilt: on SQLite a rebuild (batch
mode) drops the old table, which foreign keys from rows already there refuse (classes point at
their shift, everything at the school). SQLite can add a column and a unique index in place.
"""
import secrets

from alembic import op
import sqlalchemy as sa

revision = '0002_setup'
down_revision = '0001'
branch_labels = None
depends_on = None

# Rows the set-up screens name in URLs get an opaque public id, like classes and subjects.
PUBLIC_ID_TABLES = ('term', 'holiday', 'shift', 'assessment_band')


def _fill_public_ids(table):
    conn = op.get_bind()
    rows = sa.table(table, sa.column('id', sa.Integer), sa.column('public_id', sa.String))
    for (row_id,) in conn.execute(sa.select(rows.c.id)).all():
        conn.execute(sa.update(rows).where(rows.c.id == row_id).values(public_id=secrets.token_urlsafe(12)))


def upgrade():
    op.add_column('school', sa.Column('director_may_set_up', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    for table in PUBLIC_ID_TABLES:
        # NOT NULL needs a default for the rows already there; each then gets its own id.
        op.add_column(table, sa.Column('public_id', sa.String(length=24), nullable=False, server_default=''))
        _fill_public_ids(table)
        if op.get_bind().dialect.name != 'sqlite':  # SQLite cannot drop a default in place; the app always sets one
            op.alter_column(table, 'public_id', server_default=None, existing_type=sa.String(length=24),
                            existing_nullable=False)
        op.create_index(op.f(f'ix_{table}_public_id'), table, ['public_id'], unique=True)
    op.create_index('ix_subject_school_id_code', 'subject', ['school_id', 'code'], unique=True)


def downgrade():
    op.drop_index('ix_subject_school_id_code', table_name='subject')
    for table in reversed(PUBLIC_ID_TABLES):
        op.drop_index(op.f(f'ix_{table}_public_id'), table_name=table)
        with op.batch_alter_table(table, schema=None, recreate='never') as batch_op:
            batch_op.drop_column('public_id')
    with op.batch_alter_table('school', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('director_may_set_up')
