"""Kündölük: the electronic class journal and diary for the schools of Kyrgyzstan."""
import os

from flask import Flask

from kundoluk.config import Config


def create_app(config=None):
    """Build the app. config may hold overrides (tests, the dev server)."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_path=os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "instance")))
    app.config.from_mapping(vars(Config(app.instance_path)))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(app.root_path, "..", "translations")
    if config:
        app.config.update(config)

    from kundoluk import production
    production.check_config(app)

    from kundoluk import cli, database, stamps, tenancy
    from kundoluk.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
    from kundoluk.web import access, assets, errors, filters, htmx, i18n, nav, pagecache, security

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, directory=os.path.join(app.root_path, "..", "migrations"))
    tenancy.init_app(app)
    stamps.init_app(app)
    pagecache.init_app(app)
    login_manager.init_app(app)
    login_manager.unauthorized_handler(access.hx_aware_unauthorized)
    from kundoluk.accounts import identity
    login_manager.user_loader(identity.load_user)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: "Asia/Bishkek")
    htmx.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    compress.init_app(app)
    assets.init_app(app)
    app.config["CSP"] = security.content_security_policy(app.config["CSS_HASHES"])
    security.init_app(app)

    from kundoluk import accounts, credentials, diary, home, journal, offline, push, school, timetable
    for bp in (accounts.bp, home.bp, school.bp, credentials.bp, timetable.bp, journal.bp, diary.bp, push.bp, offline.bp):
        app.register_blueprint(bp)
    errors.init_app(app)
    filters.init_app(app)
    nav.init_app(app)
    cli.init_app(app)

    production.check_database(app)
    return app
