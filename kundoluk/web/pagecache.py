"""Rendered pages kept per session until the data under them changes (the diary's pages).

The diary is what most people open, several times a day, and between two visits its data
rarely changes; rendering a week costs milliseconds of Python, answering from here a small
fraction of one. A page is kept gzip-compressed in this worker's memory (least recently used
out first, PAGE_CACHE_ENTRIES at most) under a key the signed session cookie alone gives:
the address with its query, the htmx fragment asked for, the signed-in account and session
version, this session's CSRF token (which the page holds), its role context, and today.

With the page go the data stamps (kundoluk.stamps) it was rendered under: the global one,
the viewer's account and person, every school the role context may read, every class the
pupils whose diary the viewer reads were ever enrolled in, and each of those pupils. A kept page
is served only while all of them are unchanged. Access stays decided by the view: a page is
kept only after the view's policy and ownership checks passed for this very session, and any
change that could alter that verdict (a new session version, a deactivated account, an
unlinked child, an ended enrolment) moves one of its stamps. So `kept` can answer before the
identity is loaded, with one Redis round trip and no SQL.

An entry also expires after PAGE_CACHE_SECONDS, in case a stamp bump was ever lost. Its ETag
lets the browser, and so the service worker's background refresh, revalidate with a 304.
"""
import gzip
import threading
import time
import zlib
from collections import OrderedDict
from functools import wraps

from flask import Response, current_app, request, session
from flask_login import current_user
from werkzeug.http import generate_etag

from kundoluk import clock, stamps
from kundoluk.web.htmx import fragment_target

GZIP_LEVEL = 6  # Flask-Compress's default, so a kept page is the size a fresh one would be


class Entry:
    __slots__ = ("gzipped", "etag", "headers", "names", "values", "born")

    def __init__(self, gzipped, etag, headers, names, values, born):
        self.gzipped, self.etag, self.headers = gzipped, etag, headers
        self.names, self.values, self.born = names, values, born


class PageCache:
    """A bounded LRU of entries with a maximum age; safe for threaded servers."""

    def __init__(self, entries, seconds):
        self.limit = entries
        self.seconds = seconds
        self._entries = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if time.monotonic() - entry.born > self.seconds:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.limit:
                self._entries.popitem(last=False)
        return entry

    def __len__(self):
        return len(self._entries)


def kept(view):
    """Answer from a kept page when one is still good (before the view, its policy and the
    identity load); otherwise run the view, which keeps what it renders through serve()."""
    @wraps(view)
    def serving(*args, **kwargs):
        return _serve_kept() or view(*args, **kwargs)
    return serving


def serve(render):
    """The response of render(), kept for this session; call after the access checks."""
    cache = current_app.extensions["kundoluk_pages"]
    key = _key() if cache.limit else None
    if key is None:
        return render()
    names = _dependencies()
    values = stamps.read(names)  # before rendering: a change made meanwhile must not hide under them
    if values is None:
        return render()
    resp = render()
    if resp.status_code != 200 or resp.is_streamed or resp.direct_passthrough:
        return resp
    return _respond(cache.put(key, _entry(resp, names, values)))


def _serve_kept():
    cache = current_app.extensions["kundoluk_pages"]
    key = _key() if cache.limit else None
    entry = cache.get(key) if key is not None else None
    if entry is None or stamps.read(entry.names) != entry.values:
        return None
    return _respond(entry)


def _key():
    """What the signed session cookie says about this request; None when a page may not be kept."""
    user_id, token = session.get("_user_id"), session.get("csrf_token")
    if not user_id or not token:
        return None  # a session's first page puts its CSRF token in the session: render that one
    return (request.full_path, fragment_target(), user_id, token, session.get("ctx"), clock.today())


def _dependencies():
    """The stamps a page rendered for the current user depends on."""
    user = current_user
    ctx = user.context
    pupils = {user.person.id} if ctx.kind == "pupil" else ctx.child_ids
    return [stamps.GLOBAL, stamps.account(user.account.id), stamps.person(user.person.id),
            *(stamps.school(sid) for sid in sorted(ctx.school_ids)),
            *(stamps.school_class(cid) for cid in sorted(ctx.pupil_class_ids)),
            *(stamps.pupil(pid) for pid in sorted(pupils))]


def _entry(resp, names, values):
    body = resp.get_data()
    # A cookie the view set belongs to the request that rendered the page, not to its repeats.
    headers = [(k, v) for k, v in resp.headers.items()
               if k.lower() not in ("content-length", "content-encoding", "set-cookie")]
    etag = generate_etag(body)  # as conditional_get tags any page: a first visit's tag still holds
    return Entry(gzip.compress(body, GZIP_LEVEL, mtime=0), etag, headers, names, values, time.monotonic())


def _respond(entry):
    gzipped = "gzip" in request.accept_encodings
    etag = entry.etag + (":gzip" if gzipped else "")  # one tag per representation, as Flask-Compress makes
    if request.if_none_match.contains_weak(etag):
        resp = Response(status=304, headers=[(k, v) for k, v in entry.headers if k == "Vary"])
    else:
        resp = Response(entry.gzipped if gzipped else zlib.decompress(entry.gzipped, 31), headers=entry.headers)
        if gzipped:
            resp.headers["Content-Encoding"] = "gzip"
    resp.set_etag(etag)
    resp.vary.add("Accept-Encoding")
    return resp


def init_app(app):
    app.extensions["kundoluk_pages"] = PageCache(app.config["PAGE_CACHE_ENTRIES"], app.config["PAGE_CACHE_SECONDS"])
