"""Long imports run beside the request, so no request waits for thousands of rows.

A job runs in a thread of the process that took the upload, in its own app context and
database session, outside any request (so tenancy does not apply and the job names its
school in every query). The page polls the batch row, which any process can read. Under
TESTING a job runs at once in the same thread, still in a fresh context and session: a
test's data lives in one uncommitted transaction that another thread could not see.

A process that dies mid-job leaves its batch "parsing" or "applying" with an old heartbeat;
the page then calls it interrupted. Applying is one transaction, so an interrupted apply
wrote nothing and may be confirmed again.
"""
import contextvars
import threading
from datetime import timedelta

from flask import current_app

from kundoluk import clock
from kundoluk.extensions import db

STALE_AFTER = timedelta(minutes=10)
_progress = {}   # batch id -> (done, total) while applying, in this process only
_lock = threading.Lock()


def start(target, batch_id, *args):
    """Run target(batch_id, *args) in a worker thread (at once under TESTING).

    Call it after the request's commit, with plain values: the job must not depend on
    anything the request's session still holds.
    """
    app = current_app._get_current_object()
    if app.config.get("IMPORT_INLINE", app.testing):
        contextvars.Context().run(_run, app, target, batch_id, args)
        return
    threading.Thread(target=_run, args=(app, target, batch_id, args), daemon=True,
                     name=f"import-{batch_id}").start()


def _run(app, target, batch_id, args):
    with app.app_context():
        try:
            target(batch_id, *args)
        except Exception:
            app.logger.exception("import job %s failed", batch_id)
            db.session.rollback()
            _give_up(batch_id)
        finally:
            with _lock:
                _progress.pop(batch_id, None)
            db.session.remove()


def _give_up(batch_id):
    from kundoluk.credentials import imports
    try:
        imports.fail(batch_id, "internal")
    except Exception:
        app = current_app._get_current_object()
        app.logger.exception("import job %s: could not record the failure", batch_id)
        db.session.rollback()


def report(batch_id, done, total):
    """Note how far an apply has come (read by the status fragment in this process)."""
    if done % 50 == 0 or done == total:
        with _lock:
            _progress[batch_id] = (done, total)


def progress(batch_id):
    """(done, total) of an apply running in this process, or None."""
    with _lock:
        return _progress.get(batch_id)


def is_stale(batch):
    """A batch still parsing or applying whose worker has not been heard of for a while."""
    if batch.status not in ("parsing", "applying"):
        return False
    last = batch.updated_at or batch.created_at
    return last is not None and clock.now_utc() - last > STALE_AFTER
