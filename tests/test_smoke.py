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
