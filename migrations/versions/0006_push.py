"""web push: subscriptions and deliveries

Revision ID: 0006_push
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import kundoluk.models.base

revision = '0006_push'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('push_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=1000), nullable=False),
    sa.Column('p256dh', sa.String(length=120), nullable=False),
    sa.Column('auth', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=True),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('categories', sa.JSON(), nullable=False),
    sa.Column('quiet_from', sa.Time(), nullable=True),
    sa.Column('quiet_to', sa.Time(), nullable=True),
    sa.Column('digest', sa.Boolean(), nullable=False),
    sa.Column('last_seen_at', kundoluk.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('created_at', kundoluk.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_push_subscription_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscription')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_push_subscription_endpoint')),
    sa.UniqueConstraint('public_id', name=op.f('uq_push_subscription_public_id'))
    )
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscription_account_id'), ['account_id'], unique=False)

    op.create_table('push_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('group_key', sa.String(length=80), nullable=False),
    sa.Column('pupil_id', sa.Integer(), nullable=True),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('important', sa.Boolean(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('due_at', kundoluk.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('sent_at', kundoluk.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('created_at', kundoluk.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pupil_id'], ['person.id'], name=op.f('fk_push_delivery_pupil_id_person')),
    sa.ForeignKeyConstraint(['subscription_id'], ['push_subscription.id'], name=op.f('fk_push_delivery_subscription_id_push_subscription'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_delivery')),
    sa.UniqueConstraint('subscription_id', 'group_key', name=op.f('uq_push_delivery_subscription_id_group_key'))
    )
    with op.batch_alter_table('push_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_push_delivery_due', ['status', 'due_at'], unique=False)


def downgrade():
    op.drop_table('push_delivery')
    op.drop_table('push_subscription')
