"""The diary's few writes: what was seen, which child was looked at, acknowledging a remark."""
from kundoluk import audit, clock


def mark_seen(account, upto):
    """Everything up to this event id has been seen (never moves backwards)."""
    if upto > account.seen_event_id:
        account.seen_event_id = upto


def choose_child(account, child):
    """Remember the child a parent looked at last: the diary opens on them next time."""
    account.last_child_id = child.id


def acknowledge_remark(account, remark):
    """A parent confirms they read a remark (once; later clicks change nothing)."""
    if remark.acknowledged_at is None:
        remark.acknowledged_at = clock.now_utc()
        remark.acknowledged_by_account_id = account.id
        audit.record("remark_acknowledged", actor=account, subject=account.person, school_id=remark.school_id,
                     remark=remark.id)
