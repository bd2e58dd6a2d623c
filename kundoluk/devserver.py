"""What `python app.py` does before serving: catalogs, migrations, the demo."""
import time

import click
from flask_migrate import upgrade

from kundoluk import cli, database
from kundoluk.extensions import db


def prepare(app, url):
    """Compile translations, migrate to head, seed the demo into an empty database, refresh
    SQLite's planner statistics."""
    started = time.monotonic()
    cli.compile_catalogs()
    with app.app_context():
        upgrade(revision="heads")
        from kundoluk.demo import seed
        if not seed.has_data():
            click.echo("Seeding the demo schools…")
            seed.run()
        # Outside a request SQLite begins every transaction IMMEDIATE: end the one has_data()
        # opened, or ANALYZE on another connection waits for its lock and fails.
        db.session.remove()
        database.refresh_statistics()
        click.echo(f"Ready in {time.monotonic() - started:.1f} s.")
        click.echo(seed.logins_text(url))
    if app.config["PUSH_WORKER_THREAD"]:
        from kundoluk.push import worker
        worker.start_thread(app)
