"""The import worker for real: a thread of its own with its own session, on a committed
database (the in-process tests run jobs inline, inside their rolled-back transaction)."""
import io
import re
import time

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from kundoluk import create_app
from kundoluk.extensions import db
from kundoluk.models import Enrolment, Person
from tests import factories
from tests import conftest
from tests.conftest import login, post
from tests.test_import_flow import pupil_rows, xlsx


@pytest.fixture()
def worker_app(app, database_url, tmp_path):
    """A second app on a fresh database of its own, jobs in threads, everything committed."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the thread test uses a scratch SQLite file")
    url = "sqlite:///" + str(tmp_path / "worker.sqlite")
    other = create_app({**conftest.test_config(url), "IMPORT_INLINE": False})
    with other.app_context():
        upgrade(revision="heads")
        world = factories.make_world(prefix="w")
        db.session.commit()
        ids = world.school.id, world.school_class.id
        db.session.remove()
    yield other, ids
    with other.app_context():
        db.engine.dispose()


def _wait_for(client, url, status, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = client.get(url, headers={"HX-Request": "true", "HX-Target": "import-status"}).get_data(as_text=True)
        found = re.search(r'data-status="(\w+)"', page).group(1)
        if found == status:
            return client.get(url).get_data(as_text=True)
        assert found in ("parsing", "applying", status), page
        time.sleep(0.1)
    raise AssertionError(f"the import did not reach {status}")


def test_upload_and_apply_run_in_a_worker_thread(worker_app):
    app, (school_id, class_id) = worker_app
    client = app.test_client()
    assert login(client, "wdeputy").status_code == 302
    started = time.monotonic()
    upload = {"kind": "pupils", "file": (io.BytesIO(xlsx(pupil_rows(2000))), "big.xlsx")}
    resp = post(client, "/credentials/imports", upload, content_type="multipart/form-data")
    answered = time.monotonic() - started
    assert resp.status_code == 303
    url = resp.headers["Location"]
    page = _wait_for(client, url, "ready")
    assert 'id="count-created">2000<' in page
    assert post(client, url + "/confirm").status_code == 303
    page = _wait_for(client, url, "applied")
    assert 'id="import-applied"' in page
    with app.app_context():
        enrolled = db.session.execute(sa.select(sa.func.count(Enrolment.id))).scalar()
        people = db.session.execute(sa.select(sa.func.count(Person.id))).scalar()
        db.session.remove()
    assert enrolled >= 2000 and people >= 2000
    assert answered < 5, f"the upload request waited {answered:.1f} s"
