"""Signing in, first sign-in, passwords, sessions, limits, audit."""
import sqlalchemy as sa

from kundoluk.models import AuditLog
from tests import factories
from tests.conftest import csrf_token, login, post


def _audit(session, action):
    return session.execute(sa.select(AuditLog).where(AuditLog.action == action)).scalars().all()


def test_sign_in_rotates_the_session_and_lands_home(client, world):
    client.get("/login")
    with client.session_transaction() as s:
        s["planted"] = "by someone else"
    resp = login(client, "teacher")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    with client.session_transaction() as s:
        assert "planted" not in s
    assert client.get("/").headers["Location"].endswith("/staff")


def test_login_is_case_insensitive_and_trimmed(client, world):
    assert login(client, "  TEACHER ").status_code == 302


def test_wrong_password_is_refused_and_audited(client, world, session):
    resp = login(client, "teacher", "wrong")
    assert resp.status_code == 401
    assert "Wrong login or password" in resp.get_data(as_text=True) or "туура эмес" in resp.get_data(as_text=True)
    assert _audit(session, "sign_in_failed")
    assert client.get("/staff").status_code == 302  # still anonymous


def test_unknown_login_and_not_issued_account_are_refused(client, world):
    assert login(client, "nobody").status_code == 401
    factories.make_account(world.sibling, login="noissue", password=None)
    assert login(client, "noissue", "").status_code == 422
    assert login(client, "noissue", "anything").status_code == 401


def test_cyrillic_login_is_explained(client, world):
    resp = login(client, "мугалим")
    assert resp.status_code == 422
    assert "Latin" in resp.get_data(as_text=True) or "латын" in resp.get_data(as_text=True).lower()


def test_empty_and_overlong_fields_are_refused(client, world):
    assert login(client, "", "").status_code == 422
    assert login(client, "a" * 65, "x").status_code == 422
    assert login(client, "teacher", "x" * 201).status_code == 422


def test_post_without_csrf_token_is_refused(client, world):
    resp = client.post("/login", data={"login": "teacher", "password": "secret"})
    assert resp.status_code == 400
    assert client.get("/staff").status_code == 302


def test_post_from_another_origin_is_refused(client, world):
    resp = client.post("/login", data={"login": "teacher", "password": "secret", "csrf_token": csrf_token(client)},
                       headers={"Origin": "https://evil.example"})
    assert resp.status_code == 403


def test_same_origin_post_is_accepted(client, world):
    resp = client.post("/login", data={"login": "teacher", "password": "secret", "csrf_token": csrf_token(client)},
                       headers={"Origin": "http://localhost"})
    assert resp.status_code == 302


def test_csrf_endpoint_is_not_cached(client):
    resp = client.get("/csrf")
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.get_json()["token"]


def test_limits_per_login_then_recovers(client, world, fixed_clock):
    for _ in range(5):
        assert login(client, "teacher", "wrong").status_code == 401
    resp = login(client, "teacher", "wrong")
    assert resp.status_code == 429
    assert "Too many attempts" in resp.get_data(as_text=True) or "аракет" in resp.get_data(as_text=True)
    # another login from the same address is not locked out
    assert login(client, "deputy").status_code == 302


def test_successful_sign_ins_do_not_count_against_the_limit(client, world):
    for _ in range(8):
        assert login(client, "teacher").status_code == 302
        post(client, "/logout")


def test_first_sign_in_forces_new_password_language_and_notice(client, world, session):
    person = factories.make_person("Нургүл", None, "Алмаз кызы")
    factories.make_account(person, login="nurgul", password="Paper-1234", must_change_password=True,
                           privacy_accepted_at=None, language_chosen=False)
    assert login(client, "nurgul", "Paper-1234").status_code == 302
    assert client.get("/account").headers["Location"].endswith("/first-sign-in")
    page = client.get("/first-sign-in").get_data(as_text=True)
    assert 'name="new_password"' in page
    bad = post(client, "/first-sign-in", {"language": "ru", "new_password": "short", "confirm": "short"})
    assert bad.status_code == 422
    ok = post(client, "/first-sign-in", {"language": "ru", "new_password": "Own-pass-99",
                                         "confirm": "Own-pass-99", "accept": "y"})
    assert ok.status_code == 302
    assert client.get("/account").status_code == 200
    session.refresh(person)
    assert person.language == "ru"
    assert person.account.privacy_accepted_at is not None and not person.account.must_change_password
    assert _audit(session, "first_sign_in")
    post(client, "/logout")
    assert login(client, "nurgul", "Paper-1234").status_code == 401
    assert login(client, "nurgul", "Own-pass-99").status_code == 302


def test_password_change_ends_other_sessions(app, client, world, session):
    other = app.test_client()
    assert login(other, "teacher").status_code == 302
    assert other.get("/account").status_code == 200
    login(client, "teacher")
    resp = post(client, "/account/password", {"current_password": "secret", "new_password": "Better-pass-1",
                                              "confirm": "Better-pass-1"})
    assert resp.status_code == 200
    assert client.get("/account").status_code == 200      # this session goes on
    assert other.get("/account").status_code == 302       # the other one is over
    assert _audit(session, "password_changed")


def test_password_change_with_wrong_current_password(client, world):
    login(client, "teacher")
    resp = post(client, "/account/password", {"current_password": "nope", "new_password": "Better-pass-1",
                                              "confirm": "Better-pass-1"})
    assert resp.status_code == 422
    post(client, "/logout")
    assert login(client, "teacher").status_code == 302


def test_password_must_not_be_the_login(client, world):
    login(client, "teacher")
    resp = post(client, "/account/password", {"current_password": "secret", "new_password": "teacher",
                                              "confirm": "teacher"})
    assert resp.status_code == 422


def test_sign_out_everywhere_ends_remember_cookies_too(app, client, world):
    other = app.test_client()
    other.post("/login", data={"login": "teacher", "password": "secret", "remember": "y",
                               "csrf_token": other.get("/csrf").get_json()["token"]})
    assert other.get_cookie("remember_token") is not None
    login(client, "teacher")
    assert post(client, "/account/sign-out-everywhere").status_code == 302
    assert client.get("/account").status_code == 302
    # drop the session cookie: only the remember cookie is left, and it is stale now
    other.delete_cookie("session", domain="localhost")
    assert other.get("/account").status_code == 302


def test_remember_cookie_signs_in_while_valid(app, world):
    other = app.test_client()
    other.post("/login", data={"login": "teacher", "password": "secret", "remember": "y",
                               "csrf_token": other.get("/csrf").get_json()["token"]})
    other.delete_cookie("session", domain="localhost")
    assert other.get("/account").status_code == 200


def test_deactivated_account_loses_its_session(client, world, session):
    login(client, "teacher")
    account = world.accounts["teacher"]
    account.active = False
    account.session_version += 1
    session.flush()
    assert client.get("/account").status_code == 302
    assert login(client, "teacher").status_code == 401


def test_logout_needs_post_and_ends_the_session(client, world):
    login(client, "teacher")
    assert client.get("/logout").status_code == 405
    assert post(client, "/logout").status_code == 302
    assert client.get("/account").status_code == 302


def test_next_parameter_is_kept_and_never_leaves_the_site(client, world):
    resp = client.get("/staff")
    assert resp.headers["Location"].startswith("/login?next=")
    data = {"login": "teacher", "password": "secret", "next": "https://evil.example/"}
    resp = post(client, "/login", data)
    assert resp.headers["Location"] == "/"
    post(client, "/logout")
    resp = post(client, "/login", {"login": "teacher", "password": "secret", "next": "/account"})
    assert resp.headers["Location"] == "/account"
