"""Print the SQL statements each home page runs, for a small school and one ten times larger.

    .venv/bin/python bench/sql_counts.py [--database URL]

DESIGN §4 allows 2 statements for identity plus 5 for the page, the same at 1× and 10×.
"""
import argparse
import os
import sys
import tempfile
from datetime import datetime

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event  # noqa: E402

from kundoluk import clock, create_app  # noqa: E402
from kundoluk.extensions import db  # noqa: E402
from tests import factories  # noqa: E402
from tests.conftest import IsolatedClient, login, test_config  # noqa: E402

PAGES = [("teacher", "/staff"), ("class_teacher", "/staff"),
         ("deputy", "/staff"), ("class_teacher", "/classes/{class}"), ("teacher", "/account")]


def count(app, logins, class_id, persona, path):
    client = app.test_client()
    login(client, logins[persona])
    seen = []
    def listener(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK")):  # transaction control is not a query
            seen.append(statement)
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        client.get(path.format(**{"class": class_id}))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    url = args.database or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite")
    clock.set_now(datetime.fromisoformat("2026-10-14T10:20:00+06:00"))
    app = create_app(test_config(url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade(revision="heads")
        worlds = []
        for size, prefix in ((1, ""), (10, "big")):
            w = factories.make_world(size=size, prefix=prefix)
            worlds.append(({k: a.login for k, a in w.accounts.items()}, w.school_class.public_id))
        db.session.commit()
        db.session.close()  # release SQLite's write lock before the requests
        print(f"{'persona':<15}{'page':<22}{'1x':>5}{'10x':>5}")
        for persona, path in PAGES:
            small, big = (count(app, logins, class_id, persona, path) for logins, class_id in worlds)
            print(f"{persona:<15}{path:<22}{small:>5}{big:>5}")


if __name__ == "__main__":
    main()
