"""What production refuses to start without (DESIGN §3): secrets from the environment,
Redis for rate-limit counters, and no demo account in the database."""
import sqlalchemy as sa


class NotReady(RuntimeError):
    pass


def _is_production(app):
    return app.config["KUNDOLUK_ENV"] == "production" and not app.config.get("TESTING")


def check_config(app):
    """Refuse to build a production app with missing secrets."""
    if not _is_production(app):
        return
    missing = [name for name, key in (("KUNDOLUK_SECRET_KEY", "SECRET_KEY"),
                                      ("KUNDOLUK_REDIS_URL", "REDIS_URL"),
                                      ("KUNDOLUK_PIN_KEY", "PIN_HASH_KEY"),
                                      ("KUNDOLUK_VAPID_PRIVATE_KEY", "VAPID_PRIVATE_KEY"),
                                      ("KUNDOLUK_VAPID_PUBLIC_KEY", "VAPID_PUBLIC_KEY"))
               if not app.config.get(key)]
    if missing:
        raise NotReady("production needs these environment variables: " + ", ".join(missing)
                       + " (or set KUNDOLUK_ENV=development for a local try-out)")


def refuse_demo(connection):
    """Raise NotReady if this database holds a demo account (password 'demo')."""
    if not sa.inspect(connection).has_table("account"):
        return  # a fresh database: `flask db upgrade` comes next
    if connection.execute(sa.text("SELECT 1 FROM account WHERE is_demo LIMIT 1")).first():
        raise NotReady("this database holds demo accounts; production refuses to start on it")


def check_database(app):
    """Refuse to serve production on a database with demo accounts."""
    if not _is_production(app):
        return
    from kundoluk.extensions import db
    with app.app_context(), db.engine.connect() as connection:
        refuse_demo(connection)
