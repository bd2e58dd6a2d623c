"""The access policy: every endpoint declares a rule; the role × page matrix; other schools 404."""
import re

import pytest

from kundoluk.web.access import endpoint_rule
from tests.conftest import login, post

PERSONAS = ("anonymous", "pupil", "parent", "teacher", "teacher2", "class_teacher", "deputy",
            "director", "admin", "other_deputy")


def test_every_endpoint_declares_an_access_rule(app):
    missing = [rule.endpoint for rule in app.url_map.iter_rules()
               if endpoint_rule(app, rule.endpoint) is None]
    assert missing == []


def _as(client, world, persona):
    if persona != "anonymous":
        assert login(client, world.accounts[persona].login).status_code == 302
    return client


# persona -> expected status; anything not listed must be 404.
MATRIX = {
    "/": {"anonymous": 302, "*": 302},
    "/diary": {"anonymous": 302, "parent": 302, "pupil": 302},
    "/staff": {"anonymous": 302, "teacher": 200, "teacher2": 200, "class_teacher": 200,
               "deputy": 200, "director": 200, "admin": 200, "other_deputy": 200},
    "/classes/{class}": {"anonymous": 302, "class_teacher": 200, "deputy": 200, "director": 200,
                         "admin": 200, "teacher": 403},
    "/account": {"anonymous": 302, "*": 200},
    "/timetable/": {"anonymous": 302, "teacher": 200, "teacher2": 200, "class_teacher": 200, "deputy": 200, "director": 200, "admin": 200, "other_deputy": 200},
    "/timetable/classes/{class}": {"anonymous": 302, "teacher": 200, "teacher2": 200, "class_teacher": 200, "deputy": 200, "director": 200, "admin": 200},
    "/timetable/absences": {"anonymous": 302, "deputy": 200, "admin": 200, "other_deputy": 200},
    "/timetable/pay": {"anonymous": 302, "deputy": 200, "director": 200, "admin": 200, "other_deputy": 200},
    "/timetable/my": {"anonymous": 302, "pupil": 200},
    "/timetable/children": {"anonymous": 302, "parent": 302},
    "/credentials/": {"anonymous": 302, "class_teacher": 200, "deputy": 200, "admin": 200,
                      "other_deputy": 200},
    "/credentials/classes/{class}": {"anonymous": 302, "class_teacher": 200, "deputy": 200,
                                     "admin": 200, "teacher": 403},
    "/credentials/classes/{class}/slips.pdf": {"anonymous": 302, "class_teacher": 200, "deputy": 200,
                                               "admin": 200, "teacher": 403},
    "/credentials/imports": {"anonymous": 302, "deputy": 200, "admin": 200, "other_deputy": 200},
    "/credentials/imports/template.xlsx": {"anonymous": 302, "deputy": 200, "admin": 200,
                                           "other_deputy": 200},
    "/credentials/audit": {"anonymous": 302, "deputy": 200, "admin": 200, "other_deputy": 200},
    "/credentials/staff": {"anonymous": 302, "deputy": 200, "admin": 200, "other_deputy": 200},
    "/credentials/add-child": {"anonymous": 302, "*": 200},
    "/setup": {"anonymous": 302, "deputy": 200, "admin": 200, "other_deputy": 200},
    "/setup/classes/{class}": {"anonymous": 302, "deputy": 200, "admin": 200},
    "/journal/": {"anonymous": 302, "teacher": 200, "teacher2": 200, "class_teacher": 200, "deputy": 200,
                  "admin": 200, "other_deputy": 200},
    "/journal/day": {"anonymous": 302, "teacher": 200, "teacher2": 200, "class_teacher": 200, "deputy": 200,
                     "admin": 200, "other_deputy": 200},
    "/journal/classes/{class}": {"anonymous": 302, "class_teacher": 200, "deputy": 200, "director": 200,
                                 "admin": 200},
    "/journal/discipline": {"anonymous": 302, "deputy": 200, "director": 200, "other_deputy": 200},
    "/journal/settings": {"anonymous": 302, "deputy": 200, "director": 200, "other_deputy": 200},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", list(MATRIX))
def test_permission_matrix(client, world, persona, path):
    expected = MATRIX[path].get(persona, MATRIX[path].get("*", 404))
    url = path.format(**{"class": world.school_class.public_id})
    resp = _as(client, world, persona).get(url)
    assert resp.status_code == expected, (persona, url)
    if expected == 302 and persona == "anonymous":
        assert "/login" in resp.headers["Location"]


def test_anonymous_htmx_request_gets_hx_redirect(client, world):
    resp = client.get("/staff", headers={"HX-Request": "true", "HX-Target": "main"})
    assert resp.headers["HX-Redirect"].startswith("/login")


# URL argument name -> ids of the second school's objects to try in it. A new route with
# another argument name must add its examples here (the test fails until it does).
FOREIGN_IDS = {
    "public_id": lambda w: [w.other_class.public_id, w.other_pupil.public_id],
    # --- set-up (issue 3) ---
    "term_id": lambda w: __import__("tests.factories").factories.setup_foreign_ids(w, "term"),
    "holiday_id": lambda w: __import__("tests.factories").factories.setup_foreign_ids(w, "holiday"),
    "band_id": lambda w: __import__("tests.factories").factories.setup_foreign_ids(w, "band"),
    "subject_id": lambda w: __import__("tests.factories").factories.setup_foreign_ids(w, "subject"),
    "assignment_id": lambda w: __import__("tests.factories").factories.setup_foreign_ids(w, "assignment"),
    "shift_id": lambda w: [w.other_school.shift.public_id],
    "on_date": lambda w: ["2026-10-20"],
    "class_id": lambda w: [w.other_class.public_id],
    "group_id": lambda w: [w.other_class.group.public_id],
    "person_id": lambda w: [w.other_deputy.public_id, w.pupil.public_id],
    "pupil_id": lambda w: [w.other_pupil.public_id],
    "role": lambda w: ["teacher"],
    # --- credentials (issue 3) ---
    "parent_id": lambda w: [w.teacherparent.public_id],
    "batch_id": lambda w: [__import__("tests.factories").factories.make_import_batch(w.other_school).public_id],
    # --- timetable (issue 4) ---
    "teacher_id": lambda w: __import__("tests.factories").factories.tt_foreign_ids(w, "teacher"),
    "room_id": lambda w: __import__("tests.factories").factories.tt_foreign_ids(w, "room"),
    "absence_id": lambda w: __import__("tests.factories").factories.tt_foreign_ids(w, "absence"),
    "token": lambda w: __import__("tests.factories").factories.tt_foreign_ids(w, "token"),
    "child_id": lambda w: [w.other_pupil.public_id],
    # --- journal (issue 5) ---
    "lesson_id": lambda w: __import__("tests.factories").factories.jr_foreign_ids(w, "lesson"),
    "remark_id": lambda w: __import__("tests.factories").factories.jr_foreign_ids(w, "remark"),
    "note_id": lambda w: __import__("tests.factories").factories.jr_foreign_ids(w, "note"),
}
NOT_OBJECT_ROUTES = {"static", "assets.serve"}


def test_other_schools_objects_answer_404_for_a_deputy(client, world):
    """Every GET URL taking an object id answers 404 for ids of the second school."""
    _as(client, world, "deputy")
    checked = 0
    for rule in client.application.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.arguments or rule.endpoint in NOT_OBJECT_ROUTES:
            continue
        for arg in sorted(rule.arguments):
            assert arg in FOREIGN_IDS, f"add foreign examples for <{arg}> ({rule.rule})"
            for value in FOREIGN_IDS[arg](world):
                url = rule.rule
                for other in rule.arguments:
                    url = url.replace(f"<{other}>", str(value) if other == arg else "x")
                url = re.sub(r"<[^>]*:?(\w+)>", "x", url)
                resp = client.get(url)
                assert resp.status_code == 404, url
                checked += 1
    assert checked >= 2
    own = client.get(f"/classes/{world.school_class.public_id}")
    assert own.status_code == 200


def test_other_school_deputy_cannot_open_this_schools_class(client, world):
    _as(client, world, "other_deputy")
    assert client.get(f"/classes/{world.school_class.public_id}").status_code == 404


def test_unknown_context_key_is_404_and_changes_nothing(client, world):
    _as(client, world, "teacher")
    resp = post(client, "/context", {"key": "staff:999999"})
    assert resp.status_code == 404
    assert client.get("/", follow_redirects=False).headers["Location"].endswith("/staff")


def test_teacherparent_switches_roles_and_sees_only_own_child(client, world, session):
    _as(client, world, "teacherparent")
    assert client.get("/").headers["Location"].endswith("/staff")
    page = client.get("/staff").get_data(as_text=True)
    assert 'name="key" value="parent"' in page
    resp = post(client, "/context", {"key": "parent"})
    assert resp.headers["Location"].endswith("/")
    assert client.get("/").headers["Location"].endswith("/diary")
    page = client.get("/diary", follow_redirects=True).get_data(as_text=True)
    assert world.other_pupil.full_name in page
    assert world.pupil.full_name not in page and world.sibling.full_name not in page
    # as a parent, the staff pages of the school are out of scope
    assert client.get("/staff").status_code == 404
    # the choice is remembered for the next sign-in
    session.refresh(world.accounts["teacherparent"])
    assert world.accounts["teacherparent"].last_context == "parent"


def test_parent_sees_both_children_with_their_classes(client, world):
    _as(client, world, "parent")
    page = client.get("/diary", follow_redirects=True).get_data(as_text=True)
    assert world.pupil.given_name in page and world.sibling.given_name in page
    assert "7-А" in page and "3-Б" in page


def test_class_roster_shows_account_status(client, world):
    _as(client, world, "class_teacher")
    page = client.get(f"/classes/{world.school_class.public_id}").get_data(as_text=True)
    assert world.pupil.full_name in page
    assert world.parent.full_name in page
