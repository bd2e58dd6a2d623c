"""Fixtures: the app on a migrated database, a rolled-back transaction per test, a fixed clock.

KUNDOLUK_TEST_DATABASE_URL names the database (a temporary SQLite file when unset).
KUNDOLUK_TEST_NOW sets "now" for the whole run (ISO 8601 with offset); CI also runs the
suite on a Sunday in July at 01:30 Bishkek time this way.
"""
import contextlib
import contextvars
import os
from datetime import datetime

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

from kundoluk import clock, create_app
from kundoluk.extensions import db, limiter

DEFAULT_NOW = "2026-10-14T10:20:00+06:00"  # a Wednesday in the first quarter


class BoundSession(FlaskSession):
    """Flask-SQLAlchemy picks its engine over session.bind; tests bind to one connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind


def fixed_now():
    return datetime.fromisoformat(os.environ.get("KUNDOLUK_TEST_NOW", DEFAULT_NOW))


_VAPID = []


def test_config(url):
    if not _VAPID:
        from kundoluk.push import vapid
        _VAPID.extend(vapid.generate())
    return {"TESTING": True, "KUNDOLUK_ENV": "test", "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url, "PASSWORD_SCRYPT_N": 16, "PIN_HASH_KEY": "test-pin-key",
            "SERVER_NAME": "localhost", "VAPID_PRIVATE_KEY": _VAPID[0], "VAPID_PUBLIC_KEY": _VAPID[1],
            "PUSH_ALLOW_HTTP": True}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("KUNDOLUK_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


@pytest.fixture(scope="session")
def app(database_url):
    clock.set_now(fixed_now())
    from kundoluk import cli
    cli.compile_catalogs()
    app = create_app(test_config(database_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade(revision="heads")
    yield app
    clock.set_now(None)


@pytest.fixture(autouse=True)
def fixed_clock():
    """No test reads the real clock; a test may move it with clock.set_now()."""
    clock.set_now(fixed_now())
    yield clock
    clock.set_now(fixed_now())


@contextlib.contextmanager
def rolled_back(app):
    """An app context whose session works inside one transaction, rolled back at the end."""
    ctx = app.app_context()
    ctx.push()
    connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = db._make_scoped_session({"bind": connection, "class_": BoundSession,
                                          "join_transaction_mode": "create_savepoint"})
    try:
        yield db.session
    finally:
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()
        ctx.pop()


@pytest.fixture()
def session(app):
    """Every test runs inside one transaction that is rolled back at the end."""
    with rolled_back(app) as session:
        limiter.reset()
        yield session


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (own g, own db session), as in production.

    Flask would otherwise reuse the test's pushed app context for every request.
    """

    def open(self, *args, **kwargs):
        def fresh():
            _cv_app.set(None)
            return FlaskClient.open(self, *args, **kwargs)
        return contextvars.copy_context().run(fresh)


@pytest.fixture()
def client(app, session):
    return app.test_client()


class SqlCounter:
    """Counts SQL statements sent while active (for the per-page budgets)."""

    def __init__(self, engine_or_conn):
        self.target = engine_or_conn
        self.statements = []

    def _count(self, conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            self.statements.append(statement)

    def __enter__(self):
        event.listen(self.target, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.target, "before_cursor_execute", self._count)


@pytest.fixture()
def count_sql(session):
    return lambda: SqlCounter(session.bind)


def csrf_token(client):
    return client.get("/csrf").get_json()["token"]


def login(client, login_name, password="secret"):
    """Sign in through the real form; returns the response to the POST."""
    return client.post("/login", data={"login": login_name, "password": password,
                                       "csrf_token": csrf_token(client)})


def post(client, url, data=None, **kw):
    """POST with a valid CSRF token, as the page's own form would."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    return client.post(url, data=data, **kw)


@pytest.fixture()
def pushbox():
    """A fake push service on 127.0.0.1 (see tests/pushbox.py)."""
    from tests.pushbox import PushBox
    box = PushBox()
    yield box
    box.close()


@pytest.fixture()
def world(session):
    from tests import factories
    return factories.make_world()


# --- Browser tests: a real server process on a seeded, committed database -------------

BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": BROWSER_ARGS}


def _live_database_url(database_url):
    """A database of its own for the live server: a new SQLite file, or <test db>_live."""
    import sqlalchemy as sa
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///") + ".live"
        if os.path.exists(path):
            os.remove(path)
        return "sqlite:///" + path
    url = sa.make_url(database_url)
    live = url.set(database=f"{url.database}_live")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{live.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{live.database}"')
    admin.dispose()
    return live.render_as_string(hide_password=False)


def _free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app, database_url):
    """Seed the demo into a fresh database, commit it, and serve it from another process."""
    import subprocess
    import sys
    import time
    import urllib.request

    from kundoluk.demo import seed
    url = _live_database_url(database_url)
    seed_app = create_app(test_config(url))
    with seed_app.app_context():
        upgrade(revision="heads")
        seed.run()
        db.session.remove()
        db.engine.dispose()
    port = _free_port()
    env = {**os.environ, "KUNDOLUK_TEST_NOW": fixed_now().isoformat()}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, "-m", "tests.live_server", url, str(port)], cwd=root, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/login", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("the live server did not start")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


RECORD_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def watch(page):
    """Give a page the test's clock and record its CSP violations and console errors."""
    page.clock.install(time=fixed_now())
    page.add_init_script(RECORD_CSP)
    page.problems = []
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    return page


@pytest.fixture()
def watched(page):
    return watch(page)


def assert_clean(page):
    """No CSP violation was recorded on this page (nor a refusal in the console)."""
    assert page.evaluate("window.__csp") == []
    assert [p for p in getattr(page, "problems", []) if "Content Security Policy" in p or "Refused" in p] == []


def sign_in(page, base_url, login, password="demo"):
    page.goto(base_url + "/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


# --- Messages in the reader's language ------------------------------------------------

_CATALOGS = {}


def _catalog(lang):
    if lang not in _CATALOGS:
        from babel.messages.pofile import read_po
        root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "translations")
        with open(os.path.join(root, lang, "LC_MESSAGES", "messages.po"), "rb") as fh:
            _CATALOGS[lang] = read_po(fh, locale=lang)
    return _CATALOGS[lang]


def shows(html, english, lang="ky"):
    """True if the page shows the translation of a message whose English text contains
    `english` (tests name messages by their msgid; pages show them in ky or ru)."""
    import html as htmllib
    import re
    text = htmllib.unescape(html)
    if english in text:
        return True
    for message in _catalog(lang):
        msgid = message.id if isinstance(message.id, str) else (message.id or ("",))[0]
        if not msgid or english not in msgid:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for translated in strings:
            pieces = [p.strip() for p in re.split(r"%\(\w+\)[sd]|\{\w+\}", translated or "") if p.strip()]
            if pieces and max(pieces, key=len) in text:
                return True
    return False
