"""Web push end to end: real messages to a fake push service that checks VAPID and decrypts."""
import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from kundoluk import clock, events
from kundoluk.models import Guardianship, PushDelivery, PushSubscription
from kundoluk.push import actions, worker
from tests.conftest import login


BISHKEK = timezone(timedelta(hours=6))


def at(hour, minute=0, second=0, day=14):
    return datetime(2026, 10, day, hour, minute, second, tzinfo=BISHKEK)


def subscribe(world, box, who="parent", language=None, **prefs):
    account = world.accounts[who]
    if language:
        account.person.language = language
    sub = actions.subscribe(account, box.subscription())
    for key, value in prefs.items():
        setattr(sub, key, value)
    return sub


def mark_event(world, value, mark_id=1, pupil=None, state="set", important=False):
    """What the journal emits when a mark is set or removed (object = the mark row)."""
    event = events.emit("mark", school_id=world.school.id, pupil_id=(pupil or world.pupil).id,
                        payload={"subject_id": world.math.id, "value": value, "lesson_date": "2026-10-14",
                                 "state": state}, important=important)
    event.object_type, event.object_id = "mark", mark_id
    return event


def deliver(moment):
    clock.set_now(moment)
    return worker.run_once()


def test_two_then_five_sends_one_russian_message_saying_five(app, session, world, pushbox):
    sub = subscribe(world, pushbox, language="ru")
    clock.set_now(at(10, 0))
    mark_event(world, "2")
    clock.set_now(at(10, 1))
    mark_event(world, "5")
    session.flush()
    assert deliver(at(10, 1, 30)) == (0, 0)  # still inside the merge window: nothing yet
    deliver(at(10, 5))
    [message] = pushbox.messages()
    with force_locale("ru"):
        assert message["title"] == gettext("New marks")
    assert "5" in message["body"] and "2" not in message["body"]
    assert "Алгебра" in message["body"] and world.pupil.given_name in message["body"]
    assert deliver(at(10, 10)) == (0, 0)  # nothing is sent twice
    assert session.get(PushSubscription, sub.id) is not None


def test_an_undone_mark_sends_nothing(session, world, pushbox):
    subscribe(world, pushbox)
    clock.set_now(at(10, 0))
    mark_event(world, "3")
    mark_event(world, None, state="removed")
    deliver(at(10, 5))
    assert pushbox.messages() == []


def test_a_burst_of_marks_gives_one_message_per_child(session, world, pushbox):
    subscribe(world, pushbox)
    clock.set_now(at(10, 0))
    for n in range(30):
        mark_event(world, str(5 - n % 3), mark_id=100 + n)
    mark_event(world, "4", mark_id=500, pupil=world.sibling)
    deliver(at(10, 5))
    assert len(pushbox.messages()) == 2


def test_headers_payload_size_and_vapid_key(app, session, world, pushbox):
    subscribe(world, pushbox)
    clock.set_now(at(10, 0))
    mark_event(world, "5")
    deliver(at(10, 5))
    [(path, headers, message, key)] = pushbox.received
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) > 0 and headers["urgency"] == "normal"
    assert 0 < len(headers["topic"]) <= 32
    assert key == app.config["VAPID_PUBLIC_KEY"]
    assert len(str(message).encode()) <= 3000
    assert set(message) == {"title", "body", "url", "tag"}


def test_an_unlinked_parent_gets_nothing(session, world, pushbox):
    subscribe(world, pushbox)
    clock.set_now(at(10, 0))
    mark_event(world, "5")
    link = session.execute(sa.select(Guardianship).where(Guardianship.parent_id == world.parent.id,
                                                         Guardianship.pupil_id == world.pupil.id)).scalar_one()
    link.valid_to = clock.today() - timedelta(days=1)
    deliver(at(10, 5))
    assert pushbox.messages() == []


def test_unlinked_while_held_for_the_night_gets_nothing(session, world, pushbox):
    subscribe(world, pushbox)
    clock.set_now(at(22, 0))
    mark_event(world, "5")
    deliver(at(22, 5))
    assert pushbox.messages() == []
    link = session.execute(sa.select(Guardianship).where(Guardianship.parent_id == world.parent.id,
                                                         Guardianship.pupil_id == world.pupil.id)).scalar_one()
    link.valid_to = date_minus(1)
    deliver(at(7, 1, day=15))
    assert pushbox.messages() == []


def date_minus(days):
    return clock.today() - timedelta(days=days)


def test_quiet_hours_hold_until_morning_except_important(session, world, pushbox):
    subscribe(world, pushbox)
    clock.set_now(at(22, 0))
    mark_event(world, "4")
    events.emit("attendance", school_id=world.school.id, pupil_id=world.pupil.id, important=True,
                payload={"subject_id": world.math.id, "code": "absent", "lesson_date": "2026-10-14"})
    deliver(at(22, 5))
    with force_locale("ky"):
        assert [m["title"] for m in pushbox.messages()] == [gettext("Attendance")]
    deliver(at(6, 59, day=15))
    assert len(pushbox.messages()) == 1
    deliver(at(7, 0, day=15))
    assert len(pushbox.messages()) == 2


def test_evening_digest_sends_one_summary(session, world, pushbox):
    subscribe(world, pushbox, digest=True)
    clock.set_now(at(10, 0))
    mark_event(world, "5")
    events.emit("homework", school_id=world.school.id, pupil_id=world.pupil.id,
                payload={"subject_id": world.math.id, "lesson_date": "2026-10-15"})
    deliver(at(10, 5))
    deliver(at(18, 59))
    assert pushbox.messages() == []
    deliver(at(19, 0))
    [message] = pushbox.messages()
    assert "2" in message["title"]


def test_categories_are_respected(session, world, pushbox):
    subscribe(world, pushbox, categories=["homework"])
    clock.set_now(at(10, 0))
    mark_event(world, "5")
    deliver(at(10, 5))
    assert pushbox.messages() == []


def test_gone_subscription_is_deleted(session, world, pushbox):
    sub = subscribe(world, pushbox)
    pushbox.statuses = [410]
    clock.set_now(at(10, 0))
    mark_event(world, "5")
    deliver(at(10, 5))
    session.expire_all()
    assert session.get(PushSubscription, sub.id) is None


@pytest.mark.parametrize("status", [429, 500, 503])
def test_busy_or_failing_service_is_retried_with_backoff(session, world, pushbox, status):
    subscribe(world, pushbox)
    pushbox.statuses = [status]
    clock.set_now(at(10, 0))
    mark_event(world, "5")
    deliver(at(10, 5))
    assert pushbox.messages() == []
    delivery = session.execute(sa.select(PushDelivery)).scalar_one()
    assert delivery.status == "pending" and delivery.attempts == 1 and delivery.last_status == status
    deliver(at(10, 5, 30))  # backing off
    assert pushbox.messages() == []
    deliver(at(10, 7))
    assert len(pushbox.messages()) == 1


def test_unreachable_service_never_breaks_anything(session, world, pushbox):
    sub = subscribe(world, pushbox)
    sub.endpoint = "http://127.0.0.1:9/push/nowhere"  # nothing listens there
    clock.set_now(at(10, 0))
    mark_event(world, "5")
    deliver(at(10, 5))
    delivery = session.execute(sa.select(PushDelivery)).scalar_one()
    assert delivery.status == "pending" and delivery.attempts == 1


def test_graceful_stop_mid_burst_then_restart_sends_each_once(app, session, world, pushbox):
    from tests import factories
    clock.set_now(at(10, 0))
    parents = []
    for n in range(30):
        kid = factories.make_pupil(world.school_class, f"Бала{n}", "Асанов")
        parent = factories.make_parent(kid, given=f"Ата{n}")
        account = factories.make_account(parent, login=f"ata{n}")
        actions.subscribe(account, pushbox.subscription())
        parents.append(kid)
        events.emit("mark", school_id=world.school.id, pupil_id=kid.id,
                    payload={"subject_id": world.math.id, "value": "5", "state": "set"})
    stop = threading.Event()
    pushbox.on_message = lambda box: len(box.received) >= 10 and stop.set()
    clock.set_now(at(10, 5))
    worker.plan()
    worker.send_due(stop=stop)
    assert 10 <= len(pushbox.received) < 30
    pushbox.on_message = None
    worker.run_once()
    paths = [p for p, *_ in pushbox.received]
    assert len(paths) == 30 and len(set(paths)) == 30


def test_subscribe_endpoint_validates(client, world, pushbox, session):
    login(client, "parent")
    token = client.get("/csrf").get_json()["token"]
    bad = [{}, {"endpoint": "ftp://x", "keys": {"p256dh": "a", "auth": "b"}},
           {"endpoint": pushbox.origin + "/p", "keys": {"p256dh": "AAAA", "auth": "AAAA"}},
           {"endpoint": "https://push.example/" + "x" * 2000, "keys": {}}]
    for data in bad:
        resp = client.post("/notifications/subscribe", json=data, headers={"X-CSRFToken": token})
        assert resp.status_code == 422 and resp.get_json()["error"]
    good = pushbox.subscription()
    for _ in range(2):
        resp = client.post("/notifications/subscribe", json=good, headers={"X-CSRFToken": token})
        assert resp.status_code == 204
    assert session.execute(sa.select(sa.func.count(PushSubscription.id))).scalar() == 1
    assert client.post("/notifications/subscribe", json=good).status_code == 400  # no CSRF token


def test_device_settings_page_and_foreign_device(client, world, pushbox, session):
    sub = subscribe(world, pushbox, who="teacher")
    session.flush()
    login(client, "parent")
    page = client.get("/notifications")
    assert page.status_code == 200 and 'id="push-enable"' in page.get_data(as_text=True)
    assert client.post(f"/notifications/{sub.public_id}", data={
        "csrf_token": client.get("/csrf").get_json()["token"]}).status_code == 404


@pytest.mark.parametrize("last", ["x", "_"])
def test_device_settings_save_and_remove(client, world, pushbox, session, last):
    sub = subscribe(world, pushbox)
    session.flush()
    sub.public_id = sub.public_id[:-1] + last
    session.flush()
    login(client, "parent")
    token = client.get("/csrf").get_json()["token"]
    p = sub.public_id
    # The field names as the page has them: WTForms adds no "-" after a prefix (the public id)
    # that already ends in "-" or "_", as one in 32 does.
    f = re.search(r'name="([^"]*)categories"', client.get("/notifications").get_data(as_text=True)).group(1)
    assert f.rstrip("-_") == p.rstrip("-_")
    resp = client.post(f"/notifications/{p}", data={
        "csrf_token": token, f"{f}enabled": "y", f"{f}categories": ["mark", "homework"],
        f"{f}quiet_from": "22:00", f"{f}quiet_to": "06:30"})
    assert resp.status_code == 302
    session.refresh(sub)
    assert sub.categories == ["mark", "homework"] and sub.quiet_from.hour == 22 and not sub.digest
    bad = client.post(f"/notifications/{p}", data={"csrf_token": token, f"{f}quiet_from": "25:99"})
    assert bad.status_code == 422
    sub_id = sub.id
    assert client.post(f"/notifications/{p}/remove", data={"csrf_token": token}).status_code == 302
    session.expire_all()
    assert session.get(PushSubscription, sub_id) is None


def test_teacher_in_kyrgyz_enters_2_then_5_parent_in_russian_gets_one_message_saying_5(app, session, pushbox):
    """Through the journal's own endpoint: exactly one notification, in Russian, saying 5."""
    from tests import factories
    w = factories.jr_world()
    w.accounts["teacher"].person.language = "ky"
    sub = subscribe(w, pushbox, language="ru")
    session.flush()
    teacher = app.test_client()
    login(teacher, "teacher")
    token = teacher.get("/csrf").get_json()["token"]
    url = f"/journal/lessons/{w.lesson.public_id}/marks/{w.pupil.public_id}"
    first = teacher.post(url, data={"client_id": "7f1d7c1e-0000-4000-8000-000000000001", "base_version": "0",
                                    "slot": "1", "value": "2", "csrf_token": token},
                         headers={"HX-Request": "true", "HX-Target": "cell"})
    assert first.status_code == 200, first.get_data(as_text=True)
    from kundoluk.models import Mark
    mark = session.execute(sa.select(Mark).where(Mark.pupil_id == w.pupil.id)).scalar_one()
    second = teacher.post(url, data={"client_id": "7f1d7c1e-0000-4000-8000-000000000002",
                                     "base_version": str(mark.version), "slot": "1", "value": "5",
                                     "csrf_token": token}, headers={"HX-Request": "true", "HX-Target": "cell"})
    assert second.status_code == 200, second.get_data(as_text=True)
    clock.set_now(clock.now_utc() + timedelta(minutes=5))
    worker.run_once()
    [message] = pushbox.messages()
    with force_locale("ru"):
        assert message["title"] == gettext("New marks")
    assert "5" in message["body"] and "2" not in message["body"].replace(w.pupil.given_name, "")
    assert session.get(PushSubscription, sub.id) is not None


def test_a_parents_only_remark_never_reaches_the_pupils_device(session, world, pushbox):
    subscribe(world, pushbox, who="pupil")
    parent_sub = pushbox.subscription()
    actions.subscribe(world.accounts["parent"], parent_sub)
    clock.set_now(at(10, 0))
    event = events.emit("remark", school_id=world.school.id, pupil_id=world.pupil.id,
                        payload={"visibility": "parents_only"})
    event.object_type, event.object_id = "remark", 1
    deliver(at(10, 5))
    assert len(pushbox.messages()) == 1
    assert pushbox.messages(parent_sub)
