"""Engine set-up that the two databases need to behave alike.

SQLite: WAL, foreign keys on, a busy timeout, and write transactions that begin
IMMEDIATE, so two writers queue up instead of one failing with "database is locked"
halfway through. Reads (GET requests) begin deferred and never block on a writer. Its planner
statistics are refreshed at each start of the embedded server (PostgreSQL's autovacuum keeps
its own).
"""
from flask import has_request_context, request
from sqlalchemy import event

from kundoluk.extensions import db

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def _sqlite_connect(dbapi_connection, _record):
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn):
    reading = has_request_context() and request.method in READ_METHODS
    conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def init_app(app):
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)


def refresh_statistics():
    """ANALYZE an SQLite database. Without statistics its planner may pick a poor index once
    the tables grow: on a class's year of marks the deputy's journal discipline page took
    47 ms instead of 10 (bench/scale.py's data). analysis_limit keeps it to a moment on a
    large file."""
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA analysis_limit=400")
        conn.exec_driver_sql("ANALYZE")
