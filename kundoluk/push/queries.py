"""Reads for the notifications page."""
import sqlalchemy as sa
from flask import abort

from kundoluk.extensions import db
from kundoluk.models import PushSubscription


def list_devices(account_id):
    """This account's subscribed devices, newest first."""
    return db.session.execute(sa.select(PushSubscription).where(PushSubscription.account_id == account_id)
                              .order_by(PushSubscription.created_at.desc())).scalars().all()


def get_device_or_404(account_id, public_id):
    """One of this account's devices; anyone else's is 404."""
    sub = db.session.execute(sa.select(PushSubscription).where(
        PushSubscription.public_id == public_id, PushSubscription.account_id == account_id)).scalar_one_or_none()
    if sub is None:
        abort(404)
    return sub
