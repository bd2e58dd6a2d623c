"""Data stamps: a counter per school that moves whenever that school's data changes.

A kept page (kundoluk.web.pagecache) is keyed on the stamps of the schools it may show, so
any write to one of them makes the next request render afresh. The stamps are bumped from
SQLAlchemy's session events, which see every flushed row and every bulk statement, whatever
code path wrote them:

- a school-owned row about one pupil (it has a `pupil_id`: a mark, an absence, a remark, an
  event) bumps that pupil's stamp: only that pupil's diary shows it, so a teacher marking
  one pupil leaves every other family's kept pages alone;
- a lesson, or a row about one lesson (its topic and homework, a change), bumps the class the
  lesson is taught in, when the writing session holds the lesson and its group: only that
  class's diaries show it, so the topics teachers save all day long leave other classes' pages
  kept (a cross-class elective's lesson bumps its school);
- any other school-owned row bumps its school; a row of `school` bumps that school;
- an account row bumps that account's stamp; a person row that person's stamp, and the
  global one unless only their private columns changed (names show on other people's pages);
- any other row, and any bulk INSERT/UPDATE/DELETE, bumps the global stamp (set-up work, rare);
- tables and columns that no kept page shows are skipped (UNSEEN_*), so the push worker
  marking events handled does not empty every cache;
- a write receipt moves its author's writer stamp: it spends the client id of a form, which
  a page's tag must then tell apart (kundoluk.web.security.conditional_get).

A change bumps when it is flushed (a reader on the same connection sees a new stamp at
once) and again after its commit: a reader that rendered from the data as it was before the
commit may have stored that page under the first bump, never under the second.

With KUNDOLUK_REDIS_URL the counters live in Redis and every worker process shares them;
without it (the embedded server, tests) they live in this process. Redis here keeps nothing
on disk, so the stamps carry an epoch drawn afresh whenever Redis has lost it: counters that
start again from zero cannot repeat a key made before.
"""
import itertools
import logging
import os
import threading

import redis
import redis.client
from flask import current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from kundoluk.models import Lesson, SchoolOwned, StudyGroup

log = logging.getLogger(__name__)

GLOBAL = "all"
PREFIX = "kundoluk:stamp:"
PENDING = "kundoluk_stamps"  # session.info key: what this transaction has changed so far

# Rows that no kept page shows. change_history is written only together with the row whose
# change it records (kundoluk.writes), and that row moves the right stamp.
UNSEEN_TABLES = frozenset({
    "audit_log", "write_receipt", "import_batch", "import_row",
    "push_subscription", "push_delivery", "parent_link_code", "change_history",
})
# Columns that no kept page shows: the worker's bookkeeping on the outbox.
UNSEEN_COLUMNS = {"notification_event": frozenset({"claimed_at", "claimed_by", "handled_at"})}
# A person's own columns that only their own pages show (their language) or none does.
PRIVATE_PERSON_COLUMNS = frozenset({"language", "pin_hash", "pin_last4"})


def school(school_id):
    return f"school:{school_id}"


def pupil(pupil_id):
    """Moves with any school-owned row about this pupil."""
    return f"pupil:{pupil_id}"


def school_class(class_id):
    """Moves with this class's lessons and what is written about them (not with marks)."""
    return f"class:{class_id}"


def writer(account_id):
    """Moves with every write receipt of this account (no kept page depends on it)."""
    return f"writer:{account_id}"


def account(account_id):
    """Moves with any change of the account row: session version, status, what it has seen."""
    return f"account:{account_id}"


def person(person_id):
    """Moves with any change of the person row (their name moves the global stamp too)."""
    return f"person:{person_id}"


class LocalStamps:
    """Counters in this process: right for one process (the embedded server, tests)."""

    def __init__(self):
        self._counts = {}
        self._lock = threading.Lock()
        self._epoch = os.urandom(6).hex()

    def bump(self, names):
        with self._lock:
            for name in names:
                self._counts[name] = self._counts.get(name, 0) + 1

    def read(self, names):
        return (self._epoch, *(self._counts.get(name, 0) for name in names))


class _Subscriber(redis.client.PubSub):
    """A subscription that notes when redis-py had to connect again: what was published
    meanwhile is lost, so everything known must be read afresh."""

    reconnected = False

    def on_connect(self, connection):
        self.reconnected = True
        super().on_connect(connection)


# Bumps the counters and publishes their new values in one step, creating the epoch if
# Redis has lost it. KEYS: epoch, then the stamps; ARGV: channel, a new epoch.
_BUMP = """
local epoch = redis.call("GET", KEYS[1])
if not epoch then
  redis.call("SET", KEYS[1], ARGV[2])
  epoch = ARGV[2]
end
local out = {epoch}
for i = 2, #KEYS do
  out[#out + 1] = KEYS[i] .. "=" .. redis.call("INCR", KEYS[i])
end
local message = table.concat(out, " ")
redis.call("PUBLISH", ARGV[1], message)
return message
"""


class RedisStamps:
    """Counters in Redis, shared by every process of the deployment.

    Each process keeps the values it has read and follows every bump on a Redis channel,
    drained without blocking at each read, so a read is a dictionary lookup and one poll of
    a socket instead of a round trip. A bump reaches the channel before the request that
    made it answers, so the next request, whichever worker takes it, finds it waiting there.
    Should the subscription break, what it knew is dropped and read again.
    """

    CHANNEL = PREFIX + "bumps"
    EPOCH = PREFIX + "epoch"

    def __init__(self, url):
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5,
                                           health_check_interval=5)
        self._bump_script = self._redis.register_script(_BUMP)
        self._lock = threading.Lock()
        self._pid = None
        self._subscriber = None
        self._confirmed = False
        self._known = {}

    def bump(self, names):
        keys = [self.EPOCH, *(PREFIX + name for name in sorted(names))]
        message = self._bump_script(keys=keys, args=[self.CHANNEL, os.urandom(6).hex()])
        with self._lock:
            if self._confirmed and self._pid == os.getpid():
                self._apply(message.decode())  # this process sees its own writes at once

    def read(self, names):
        wanted = [self.EPOCH, *(PREFIX + name for name in names)]
        with self._lock:
            self._follow()
            if not self._confirmed:  # not following the channel yet: ask Redis itself
                return self._fetch(wanted)
            missing = [key for key in wanted if key not in self._known]
            if missing:
                self._known.update(zip(missing, self._fetch(missing)))
            return tuple(self._known[key] for key in wanted)

    def _fetch(self, keys):
        values = self._redis.mget(keys)
        if keys[0] == self.EPOCH and values[0] is None:
            self._redis.set(self.EPOCH, os.urandom(6).hex(), nx=True)
            values = self._redis.mget(keys)
        return [v.decode() if key == self.EPOCH else int(v or 0) for key, v in zip(keys, values)]

    def _follow(self):
        """Subscribe (once per process: gunicorn forks), then apply every bump published since."""
        timeout = 0.0
        if self._pid != os.getpid():
            self._pid, self._known, self._confirmed = os.getpid(), {}, False
            self._subscriber = _Subscriber(self._redis.connection_pool)
            self._subscriber.subscribe(self.CHANNEL)
            timeout = 0.2  # the confirmation is one round trip away
        while True:
            message = self._subscriber.get_message(timeout=timeout)
            if self._subscriber.reconnected:
                self._subscriber.reconnected, self._known, self._confirmed = False, {}, False
            if message is None:
                return
            if message["type"] == "subscribe":
                self._confirmed, timeout = True, 0.0  # from here on no bump is missed
            elif message["type"] == "message" and self._confirmed:
                self._apply(message["data"].decode())

    def _apply(self, message):
        epoch, *pairs = message.split(" ")
        if self._known.get(self.EPOCH) != epoch:
            self._known = {self.EPOCH: epoch}  # Redis lost its counters: all known values are void
        for pair in pairs:
            key, value = pair.rsplit("=", 1)
            self._known[key] = max(self._known.get(key, 0), int(value))


def read(names):
    """The current values of these stamps (an epoch first), or None when they cannot be read
    (then nothing may be served from a cache)."""
    try:
        return _backend().read(names)
    except redis.RedisError:
        log.warning("data stamps unreadable; pages are rendered afresh", exc_info=True)
        return None


def _bump(names):
    if not names or not has_app_context() or "kundoluk_stamps" not in current_app.extensions:
        return
    try:
        _backend().bump(names)
    except redis.RedisError:
        # Kept pages expire after PAGE_CACHE_SECONDS all the same (kundoluk.web.pagecache).
        log.error("data stamps not bumped for %s", sorted(names), exc_info=True)


def _backend():
    return current_app.extensions["kundoluk_stamps"]


def _stamps_of(session, obj, changed=None):
    """The stamps a new, deleted or changed (columns `changed`) row moves."""
    table = obj.__table__.name
    if table == "account":
        return {account(obj.id)}
    if table == "person":
        if changed is not None and changed <= PRIVATE_PERSON_COLUMNS:
            return {person(obj.id)}
        return {person(obj.id), GLOBAL}
    if table == "write_receipt":
        return {writer(obj.account_id)} if obj.account_id is not None else set()
    if table in UNSEEN_TABLES or (changed is not None and changed <= UNSEEN_COLUMNS.get(table, frozenset())):
        return set()
    if isinstance(obj, SchoolOwned):
        about = getattr(obj, "pupil_id", None)
        if about is not None and (changed is None or "pupil_id" not in changed):
            return {pupil(about)}
        class_id = _lesson_class(session, obj, changed)
        if class_id is not None:
            return {school_class(class_id)}
        return {school(obj.school_id)}
    if table == "school":
        return {school(obj.id)}
    return {GLOBAL}


def _lesson_class(session, obj, changed):
    """The class of the lesson this row is or is about, when this session holds that lesson and
    its group (a teacher's save always does) and the row did not move to another lesson or
    group; else None. Read from loaded attributes only: the flush must not query."""
    if isinstance(obj, Lesson):
        lesson, link = obj, "group_id"
    elif _loaded(obj, "lesson_id") is not None:
        lesson, link = session.identity_map.get(identity_key(Lesson, _loaded(obj, "lesson_id"))), "lesson_id"
    else:
        return None
    if lesson is None or (changed is not None and link in changed):
        return None
    group_id = _loaded(lesson, "group_id")
    group = session.identity_map.get(identity_key(StudyGroup, group_id)) if group_id is not None else None
    return _loaded(group, "school_class_id") if group is not None else None


def _loaded(obj, column):
    """The column's value if it is loaded (expired attributes would load: not during a flush)."""
    return inspect(obj).dict.get(column)


def _changed_columns(obj):
    state = inspect(obj)
    return {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}


def _note(session, names):
    if names:
        session.info.setdefault(PENDING, set()).update(names)
        _bump(names)


def _after_flush(session, _flush_context):
    names = set()
    for obj in itertools.chain(session.new, session.deleted):
        names |= _stamps_of(session, obj)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            names |= _stamps_of(session, obj, _changed_columns(obj))
    _note(session, names)


def _on_execute(state):
    """Bulk statements name no row's school: they move the global stamp, unless no page shows the table."""
    if state.is_select:
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in UNSEEN_TABLES:
        return
    _note(state.session, {GLOBAL})


def _after_commit(session):
    _bump(session.info.pop(PENDING, None))


def _after_soft_rollback(session, previous_transaction):
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)


def init_app(app):
    url = app.config.get("REDIS_URL")
    app.extensions["kundoluk_stamps"] = RedisStamps(url) if url else LocalStamps()
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _on_execute),
                           ("after_commit", _after_commit), ("after_soft_rollback", _after_soft_rollback)):
        if not event.contains(Session, name, listener):  # once, however many apps a process makes
            event.listen(Session, name, listener)
