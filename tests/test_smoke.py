from tests.conftest import login


def test_login_page_renders(client):
    resp = client.get("/login")
    assert resp.status_code == 200
    assert b"<html" in resp.data


def test_pupil_signs_in_and_lands_home(client, world):
    resp = login(client, "pupil")
    assert resp.status_code == 302
    resp = client.get("/", follow_redirects=True)
    assert resp.status_code == 200, resp.data[:2000]


def test_the_embedded_server_gives_sqlite_planner_statistics(tmp_path):
    """Without them SQLite may choose a poor index once a year of marks is in (bench/scale.py)."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from kundoluk import create_app, database
    from kundoluk.extensions import db
    from tests.conftest import test_config
    app = create_app(test_config(f"sqlite:///{tmp_path / 'stats.db'}"))
    with app.app_context():
        upgrade(revision="heads")
        assert not db.session.execute(sa.text("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")).all()
        db.session.remove()
        database.refresh_statistics()
        assert db.session.execute(sa.text("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")).all()
        db.session.remove()
        db.engine.dispose()
