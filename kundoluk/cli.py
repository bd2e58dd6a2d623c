"""Command-line tools: the demo, translations."""
import os

import click
from babel.messages.frontend import CommandLineInterface
from flask.cli import AppGroup

translate = AppGroup("translate", help="Extract, update and compile the ky and ru catalogs.")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def _pybabel(*args):
    """Run a pybabel command in-process (no PATH or activated venv needed)."""
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", "-q", *args])
    finally:
        os.chdir(cwd)


def compile_catalogs():
    _pybabel("compile", "-d", "translations")


@translate.command("extract")
def translate_extract():
    """Write messages.pot from the code and templates."""
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_ngettext:1,2",
             "--no-location", "--sort-output", "-o", "messages.pot", ".")


@translate.command("update")
def translate_update():
    """Extract, then merge new strings into translations/ky and translations/ru."""
    translate_extract.callback()
    _pybabel("update", "-i", "messages.pot", "-d", "translations", "--no-fuzzy-matching",
             "--ignore-obsolete")
    os.remove(os.path.join(ROOT, "messages.pot"))


@translate.command("compile")
def translate_compile():
    """Compile the .po catalogs into .mo files (done at start-up by python app.py)."""
    compile_catalogs()


@click.command("seed-demo")
def seed_demo():
    """Fill an empty database with the demo schools (never on a database with data)."""
    from kundoluk.demo import seed
    if seed.has_data():
        raise click.ClickException("the database already has schools; the demo seeds empty ones only")
    seed.run()
    click.echo("demo seeded")


push_cli = AppGroup("push", help="Web push: keys and the delivery worker.")


@push_cli.command("gen-vapid")
def push_gen_vapid():
    """Print a new VAPID key pair for KUNDOLUK_VAPID_PRIVATE_KEY / _PUBLIC_KEY."""
    from kundoluk.push import vapid
    private, public = vapid.generate()
    click.echo(f"KUNDOLUK_VAPID_PRIVATE_KEY={private}\nKUNDOLUK_VAPID_PUBLIC_KEY={public}")
    click.echo("# Changing the keys makes every device subscribe again.", err=True)


@click.command("push-worker")
@click.option("--interval", default=2.0, help="Seconds between passes.")
def push_worker(interval):
    """Deliver the event outbox as web push until SIGTERM/SIGINT (finishes the message in hand)."""
    import signal
    import threading

    from flask import current_app

    from kundoluk.push import worker
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    click.echo("push worker running")
    worker.run_forever(current_app._get_current_object(), stop, interval)
    click.echo("push worker stopped")


def init_app(app):
    app.cli.add_command(translate)
    app.cli.add_command(seed_demo)
    app.cli.add_command(push_cli)
    app.cli.add_command(push_worker)
