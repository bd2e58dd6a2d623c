"""join the branches of the first wave (set-up, credentials, timetable and journal, push, diary)

Revision ID: 0008_merge
Revises: 0002_setup, 0003_credentials, 0005_journal, 0006_push, 0007_diary
"""
revision = '0008_merge'
down_revision = ('0002_setup', '0003_credentials', '0005_journal', '0006_push', '0007_diary')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
