"""Set-up screens over HTTP: who may open and send them, CSRF, conflicts, fragments, search, SQL budget."""
import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from kundoluk.models import (
    AuditLog, ChangeHistory, GroupMember, Membership, School, SchoolClass, StudyGroup, Subject, TeachingAssignment,
    Term,
)
from tests import factories
from tests.conftest import login, post

PERSONAS = ("anonymous", "pupil", "parent", "teacher", "teacher2", "class_teacher", "deputy",
            "director", "admin", "other_deputy")
SETUP_PEOPLE = {"deputy", "admin"}


def _as(client, world, persona):
    if persona != "anonymous":
        assert login(client, world.accounts[persona].login).status_code == 302
    return client


def _url(path, w):
    return path.format(shift=w.school.shift.public_id, subject=w.math.public_id, klass=w.school_class.public_id,
                       group=w.school_class.group.public_id, assignment=w.assignment.public_id,
                       person=w.teacher.public_id)


def day(w, n):
    return w.school.year.starts_on + timedelta(days=n)


def hidden(html, name):
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def allow_director(w, session, allowed=True):
    w.school.director_may_set_up = allowed
    session.flush()


# --- who may open the pages ---------------------------------------------------------------

LISTS = ["/setup", "/setup/school", "/setup/calendar", "/setup/terms/new", "/setup/holidays/new", "/setup/bands/new",
         "/setup/shifts", "/setup/subjects", "/setup/subjects/new", "/setup/classes", "/setup/classes/new",
         "/setup/groups", "/setup/groups/new", "/setup/assignments", "/setup/assignments/new", "/setup/staff",
         "/setup/staff/new"]
OBJECTS = ["/setup/shifts/{shift}", "/setup/shifts/{shift}/days/2026-10-20", "/setup/subjects/{subject}",
           "/setup/classes/{klass}", "/setup/groups/{group}", "/setup/assignments/{assignment}",
           "/setup/staff/{person}"]


def expected_get(persona, path):
    if persona == "anonymous":
        return 302
    if persona in SETUP_PEOPLE:
        return 200
    if persona == "other_deputy":  # their own school's set-up, never this school's rows
        return 200 if path in LISTS else 404
    return 404


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", LISTS + OBJECTS)
def test_get_permission_matrix(client, world, persona, path):
    resp = _as(client, world, persona).get(_url(path, world))
    assert resp.status_code == expected_get(persona, path), (persona, path)
    if persona == "anonymous":
        assert "/login" in resp.headers["Location"]


@pytest.mark.parametrize("path", LISTS + OBJECTS)
def test_director_sees_set_up_only_where_the_school_allows_it(client, world, session, path):
    _as(client, world, "director")
    assert client.get(_url(path, world)).status_code == 404
    allow_director(world, session)
    assert client.get(_url(path, world)).status_code == 200


def test_nav_entry_follows_the_rule(client, world, session):
    _as(client, world, "deputy")
    assert 'href="/setup"' in client.get("/staff").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": client.get("/csrf").get_json()["token"]})
    _as(client, world, "director")
    assert 'href="/setup"' not in client.get("/staff").get_data(as_text=True)
    allow_director(world, session)
    assert 'href="/setup"' in client.get("/staff").get_data(as_text=True)


# --- who may send them --------------------------------------------------------------------

def _posts(w):
    """One valid POST per family: (url, data, the row count that grows when it is applied)."""
    s = w.school
    return {
        "subject": ("/setup/subjects", {"name_ky": "Химия", "name_ru": "Химия", "code": "CHEM",
                                        "client_id": str(uuid.uuid4())}, Subject),
        "class": ("/setup/classes", {"grade": 11, "letter": "В", "language": "ky", "shift": s.shift.public_id,
                                     "class_teacher": w.teacher2.public_id, "teacher_from": day(w, 5).isoformat(),
                                     "client_id": str(uuid.uuid4())}, SchoolClass),
        "group": ("/setup/groups", {"kind": "subgroup", "school_class": w.school_class.public_id, "name": "Англис 1"},
                  StudyGroup),
        "assignment": ("/setup/assignments", {"teacher": w.teacher2.public_id, "subject": w.math.public_id,
                                              "group": w.school_class.group.public_id, "hours_per_week": 2,
                                              "valid_from": day(w, 5).isoformat()}, TeachingAssignment),
        "staff": ("/setup/staff", {"given_name": "Азамат", "patronymic": "Нурлан уулу", "language": "ky",
                                   "role": "teacher", "valid_from": day(w, 5).isoformat()}, Membership),
        "role": (f"/setup/staff/{w.teacher.public_id}/roles", {"role": "deputy", "valid_from": day(w, 5).isoformat()},
                 Membership),
        "term": ("/setup/terms", {"kind": "quarter", "number": 1, "grade_from": 1, "grade_to": 9,
                                  "starts_on": day(w, 0).isoformat(), "ends_on": day(w, 50).isoformat(),
                                  "client_id": str(uuid.uuid4())}, ChangeHistory),
        "bells": (f"/setup/shifts/{s.shift.public_id}/bells",
                  {"rows-0-period": 1, "rows-0-starts_at": "08:00", "rows-0-ends_at": "08:45"}, AuditLog),
        "member": (f"/setup/groups/{w.school_class.group.public_id}/members", {}, AuditLog),
    }


def _count(session, model, school_id=None):
    stmt = sa.select(sa.func.count()).select_from(model)
    if school_id is not None:
        stmt = stmt.where(model.school_id == school_id)
    return session.execute(stmt).scalar()


# The other school's deputy sends the same forms: what is theirs to create lands in their own
# school; a choice naming this school's rows is not a valid choice (422); this school's rows 404.
OTHER_DEPUTY = {"subject": 302, "class": 422, "group": 422, "assignment": 422, "staff": 302, "role": 404,
                "term": 302, "bells": 404}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("family", list(OTHER_DEPUTY))
def test_post_permission_matrix(client, world, session, persona, family):
    url, data, model = _posts(world)[family]
    _as(client, world, persona)
    before = _count(session, model, world.school.id)
    resp = post(client, url, data)
    if persona in SETUP_PEOPLE:
        assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
        assert _count(session, model, world.school.id) > before
        return
    if persona == "anonymous":
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    elif persona == "other_deputy":
        assert resp.status_code == OTHER_DEPUTY[family], family
    else:
        assert resp.status_code == 404, (persona, family)
    assert _count(session, model, world.school.id) == before


def test_director_may_send_when_allowed_but_not_switch_it(client, world, session):
    allow_director(world, session)
    _as(client, world, "director")
    url, data, model = _posts(world)["subject"]
    assert post(client, url, data).status_code == 302
    page = client.get("/setup/school").get_data(as_text=True)
    assert 'id="director-form"' not in page
    resp = post(client, "/setup/school/director", {"allowed": "", "client_id": str(uuid.uuid4()),
                                                   "base_version": world.school.version})
    assert resp.status_code == 403
    session.refresh(world.school)
    assert world.school.director_may_set_up is True


def test_deputy_switches_the_directors_set_up(client, world, session):
    _as(client, world, "deputy")
    page = client.get("/setup/school").get_data(as_text=True)
    form = page[page.index('id="director-form"'):]
    resp = post(client, "/setup/school/director", {"allowed": "y", "client_id": hidden(form, "client_id"),
                                                   "base_version": hidden(form, "base_version")})
    assert resp.status_code == 302
    session.refresh(world.school)
    assert world.school.director_may_set_up is True
    history = session.execute(sa.select(ChangeHistory).where(ChangeHistory.table_name == "school")).scalar_one()
    assert history.new == {"director_may_set_up": True}
    assert history.actor_account_id == world.accounts["deputy"].id


def test_a_stale_director_switch_is_a_conflict(client, world, session):
    _as(client, world, "admin")
    sent = {"allowed": "y", "client_id": str(uuid.uuid4()), "base_version": world.school.version}
    session.execute(sa.update(School).where(School.id == world.school.id).values(version=School.version + 1))
    resp = post(client, "/setup/school/director", sent)
    assert resp.status_code == 409
    session.refresh(world.school)
    assert world.school.director_may_set_up is False
    form = resp.get_data(as_text=True)
    form = form[form.index('id="director-form"'):]
    assert hidden(form, "base_version") == str(world.school.version)


def test_other_schools_deputy_cannot_send_to_this_schools_rows(client, world, session):
    _as(client, world, "other_deputy")
    w = world
    for url in (f"/setup/subjects/{w.math.public_id}", f"/setup/classes/{w.school_class.public_id}",
                f"/setup/groups/{w.school_class.group.public_id}/members",
                f"/setup/assignments/{w.assignment.public_id}/end", f"/setup/staff/{w.teacher.public_id}/roles",
                f"/setup/shifts/{w.school.shift.public_id}/bells"):
        assert post(client, url, {"name_ky": "x", "effective": day(w, 9).isoformat()}).status_code == 404, url


def test_post_without_csrf_token_is_refused(client, world, session):
    _as(client, world, "deputy")
    url, data, model = _posts(world)["subject"]
    before = _count(session, model)
    assert client.post(url, data=data).status_code == 400
    assert _count(session, model) == before


def test_a_malformed_client_id_is_a_bad_request(client, world):
    _as(client, world, "deputy")
    url, data, _model = _posts(world)["subject"]
    assert post(client, url, {**data, "client_id": "not-a-uuid"}).status_code == 400


def test_a_foreign_or_malformed_date_in_the_url_is_404(client, world):
    _as(client, world, "deputy")
    assert client.get(f"/setup/shifts/{world.school.shift.public_id}/days/2026-13-45").status_code == 404


# --- conflicts and replays ----------------------------------------------------------------

def _edit_form(client, url):
    html = client.get(url).get_data(as_text=True)
    return hidden(html, "client_id"), hidden(html, "base_version")


def test_two_deputies_editing_one_subject_get_a_conflict_with_both_values(app, client, world, session):
    url = f"/setup/subjects/{world.math.public_id}"
    _as(client, world, "deputy")
    other = _as(app.test_client(), world, "admin")
    mine, theirs = _edit_form(client, url), _edit_form(other, url)
    first = post(other, url, {"name_ky": "Алгебра", "name_ru": "Алгебра (их)", "code": "ALG",
                              "client_id": theirs[0], "base_version": theirs[1]})
    assert first.status_code == 302
    resp = post(client, url, {"name_ky": "Алгебра", "name_ru": "Алгебра (мой)", "code": "ALG",
                              "client_id": mine[0], "base_version": mine[1]})
    assert resp.status_code == 409
    body = resp.get_data(as_text=True)
    assert 'id="conflict"' in body and "Алгебра (мой)" in body and "Алгебра (их)" in body
    session.refresh(world.math)
    assert world.math.name_ru == "Алгебра (их)"
    # the page now carries the saved version: sending again replaces theirs, on purpose
    again = post(client, url, {"name_ky": "Алгебра", "name_ru": "Алгебра (мой)", "code": "ALG",
                               "client_id": mine[0], "base_version": hidden(body, "base_version")})
    assert again.status_code == 302
    session.refresh(world.math)
    assert world.math.name_ru == "Алгебра (мой)"


def test_a_stale_class_form_is_a_conflict_and_the_class_teacher_stays(client, world, session):
    url = f"/setup/classes/{world.school_class.public_id}"
    _as(client, world, "deputy")
    client_id, version = _edit_form(client, url)
    session.execute(sa.update(SchoolClass).where(SchoolClass.id == world.school_class.id)
                    .values(version=SchoolClass.version + 1, language="ru"))
    resp = post(client, url, {"grade": 7, "letter": "А", "language": "ky", "shift": world.school.shift.public_id,
                              "class_teacher": world.teacher2.public_id, "teacher_from": day(world, 30).isoformat(),
                              "client_id": client_id, "base_version": version})
    assert resp.status_code == 409
    body = resp.get_data(as_text=True)
    assert 'class="yours"' in body and 'class="theirs"' in body
    teacher = session.execute(sa.select(Membership.person_id).where(
        Membership.school_class_id == world.school_class.id, Membership.valid_to.is_(None))).scalar_one()
    assert teacher == world.class_teacher.id


def test_a_resent_form_is_applied_once(client, world, session):
    _as(client, world, "deputy")
    url, data, _model = _posts(world)["class"]
    assert post(client, url, data).status_code == 302
    assert post(client, url, data).status_code == 302
    assert session.execute(sa.select(sa.func.count(SchoolClass.id)).where(SchoolClass.grade == 11)).scalar() == 1


def test_term_remove_with_a_stale_version_is_a_conflict(client, world, session):
    term = factories.make_term(world.school)
    _as(client, world, "deputy")
    page = client.get(f"/setup/terms/{term.public_id}").get_data(as_text=True)
    remove = page[page.index('class="remove"'):]
    session.execute(sa.update(Term).where(Term.id == term.id).values(version=Term.version + 1, number=2))
    sent = {"client_id": hidden(remove, "client_id"), "base_version": hidden(remove, "base_version")}
    resp = post(client, f"/setup/terms/{term.public_id}/remove", sent)
    assert resp.status_code == 409
    assert session.execute(sa.select(Term.id).where(Term.id == term.id)).scalar() == term.id
    remove = resp.get_data(as_text=True)
    remove = remove[remove.index('class="remove"'):]
    resp = post(client, f"/setup/terms/{term.public_id}/remove", {"client_id": hidden(remove, "client_id"),
                                                                  "base_version": hidden(remove, "base_version")})
    assert resp.status_code == 302
    assert session.execute(sa.select(Term.id).where(Term.id == term.id)).scalar() is None


# --- validation over HTTP ------------------------------------------------------------------

@pytest.mark.parametrize("url,data,field", [
    ("/setup/terms", {"kind": "quarter", "number": 1, "grade_from": 0, "grade_to": 9, "starts_on": "2026-09-01",
                      "ends_on": "2026-10-30"}, "grade_from"),
    ("/setup/terms", {"kind": "quarter", "number": 1, "grade_from": 1, "grade_to": 9, "starts_on": "2026-09-01",
                      "ends_on": "not a date"}, "ends_on"),
    ("/setup/bands", {"grade_from": 4, "grade_to": 6, "scheme": "points", "max_points": ""}, "max_points"),
    ("/setup/classes", {"grade": 7, "letter": "А", "language": "ky"}, "letter"),
    ("/setup/staff", {"family_name": "Асанов", "given_name": "", "language": "ky", "role": "teacher",
                      "valid_from": "2026-09-01"}, "given_name"),
    ("/setup/shifts", {"number": 9}, "number"),
    ("/setup/groups", {"kind": "subgroup", "school_class": "", "name": "1"}, "school_class"),
])
def test_bad_input_gets_422_with_the_reason_at_the_field(client, world, url, data, field):
    _as(client, world, "deputy")
    data = {**data, "client_id": str(uuid.uuid4())}
    if url == "/setup/classes":
        data.update(shift=world.school.shift.public_id, class_teacher="", teacher_from=day(world, 1).isoformat())
    resp = post(client, url, data)
    assert resp.status_code == 422
    assert f'id="{field}-err"' in resp.get_data(as_text=True)


def test_overlapping_bells_are_refused_at_the_line(client, world, session):
    _as(client, world, "deputy")
    resp = post(client, f"/setup/shifts/{world.school.shift.public_id}/bells", {
        "rows-0-period": 1, "rows-0-starts_at": "08:00", "rows-0-ends_at": "08:45",
        "rows-1-period": 2, "rows-1-starts_at": "08:40", "rows-1-ends_at": "09:25",
        "rows-2-period": 3, "rows-2-starts_at": "09:35"})
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    assert body.count('class="err"') == 1  # the half-filled third line is reported first
    resp = post(client, f"/setup/shifts/{world.school.shift.public_id}/bells", {
        "rows-0-period": 1, "rows-0-starts_at": "08:00", "rows-0-ends_at": "08:45",
        "rows-1-period": 2, "rows-1-starts_at": "08:40", "rows-1-ends_at": "09:25"})
    assert resp.status_code == 422 and 'class="err"' in resp.get_data(as_text=True)
    assert session.execute(sa.select(sa.func.count()).select_from(AuditLog).where(
        AuditLog.action == "setup_bells_saved")).scalar() == 0


def test_a_shortened_day_is_saved_and_listed(client, world):
    _as(client, world, "deputy")
    shift = world.school.shift.public_id
    on = day(world, 40).isoformat()
    resp = client.get(f"/setup/shifts/{shift}/day", query_string={"on": on})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/days/{on}")
    resp = post(client, f"/setup/shifts/{shift}/days/{on}", {"rows-0-period": 1, "rows-0-starts_at": "08:00",
                                                            "rows-0-ends_at": "08:30"})
    assert resp.status_code == 302
    assert f"/days/{on}" in client.get(f"/setup/shifts/{shift}").get_data(as_text=True)
    assert client.get(f"/setup/shifts/{shift}/day", query_string={"on": "soon"}).status_code == 422


# --- the whole flow of a class -------------------------------------------------------------

def test_deputy_creates_a_class_with_a_class_teacher_and_sees_it_listed(client, world, session):
    _as(client, world, "deputy")
    url, data, _model = _posts(world)["class"]
    resp = post(client, url, data)
    assert resp.status_code == 302
    listing = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "11-В" in listing and world.teacher2.full_name in listing and 'class="new"' in listing
    klass = session.execute(sa.select(SchoolClass).where(SchoolClass.grade == 11)).scalar_one()
    assert session.execute(sa.select(StudyGroup.kind).where(StudyGroup.school_class_id == klass.id)).scalar_one() == "class"
    audit = session.execute(sa.select(AuditLog).where(AuditLog.action == "setup_class_teacher")).scalar_one()
    assert audit.actor_account_id == world.accounts["deputy"].id


def test_subgroup_members_are_added_and_removed_with_dates(client, world, session):
    _as(client, world, "deputy")
    resp = post(client, "/setup/groups", {"kind": "subgroup", "school_class": world.school_class.public_id,
                                          "name": "Информатика 1"})
    group_url = resp.headers["Location"]
    page = client.get(group_url).get_data(as_text=True)
    assert f'value="{world.pupil.public_id}"' in page and world.sibling.public_id not in page
    start = day(world, 10).isoformat()
    assert post(client, group_url + "/members", {"pupils": [world.pupil.public_id], "valid_from": start}).status_code == 302
    assert post(client, group_url + "/members",
                {"pupils": [world.other_pupil.public_id], "valid_from": start}).status_code == 422
    end = post(client, f"{group_url}/members/{world.pupil.public_id}/end", {"effective": day(world, 20).isoformat()})
    assert end.status_code == 302
    member = session.execute(sa.select(GroupMember).where(GroupMember.pupil_id == world.pupil.id)).scalar_one()
    assert member.valid_to == day(world, 19)


def test_staff_role_given_and_ended_over_http(client, world, session):
    _as(client, world, "admin")
    url = f"/setup/staff/{world.teacher2.public_id}"
    assert post(client, url + "/roles", {"role": "director", "valid_from": day(world, 3).isoformat()}).status_code == 302
    assert post(client, url + "/roles/director/end", {"effective": day(world, 9).isoformat()}).status_code == 302
    assert post(client, url + "/roles/admin/end", {"effective": day(world, 9).isoformat()}).status_code == 422
    roles = session.execute(sa.select(Membership.role, Membership.valid_to).where(
        Membership.person_id == world.teacher2.id).order_by(Membership.role)).all()
    assert roles == [("director", day(world, 8)), ("teacher", None)]


# --- fragments, search, pagination, languages ---------------------------------------------

@pytest.mark.parametrize("path,target", [("/setup/staff?q=нурлан", "staff-list"), ("/setup/classes?q=7", "class-list"),
                                         ("/setup/subjects?q=алг", "subject-list"), ("/setup/groups?q=7", "group-list"),
                                         ("/setup/assignments?q=исаков", "assignment-list")])
def test_search_answers_a_fragment_to_htmx_and_a_page_otherwise(client, world, path, target):
    _as(client, world, "deputy")
    fragment = client.get(path, headers={"HX-Request": "true", "HX-Target": target})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and f'id="{target}"' in body
    assert "HX-Request" in fragment.headers["Vary"] and "HX-Target" in fragment.headers["Vary"]
    page = client.get(path)
    assert "<html" in page.get_data(as_text=True) and "HX-Request" in page.headers["Vary"]
    boosted = client.get(path, headers={"HX-Request": "true", "HX-Boosted": "true", "HX-Target": "main"})
    assert "<html" in boosted.get_data(as_text=True)


def test_staff_search_is_kyrgyz_aware(client, world):
    factories.make_staff(world.school, "teacher", given="Ёлкин", family="Аңгемеев")
    factories.make_staff(world.school, "teacher", given="Елена", family="Ангелова")
    _as(client, world, "deputy")

    def names(q):
        return client.get("/setup/staff", query_string={"q": q},
                          headers={"HX-Request": "true", "HX-Target": "staff-list"}).get_data(as_text=True)
    for query in ("елкин", "ЁЛКИН", "Ёлкин", "аңгеме", "АҢГЕМЕЕВ"):
        assert "Аңгемеев Ёлкин" in names(query), query
    assert "Аңгемеев" not in names("ангеме")  # ң is its own letter
    assert "Ангелова" in names("ангел")
    assert "Ангелова" not in names("аңгел")


def test_subject_class_and_assignment_search(client, world):
    factories.make_subject(world.school, "Кыргыз тили")
    _as(client, world, "deputy")
    assert "Кыргыз тили" in client.get("/setup/subjects?q=КЫРГЫЗ").get_data(as_text=True)
    assert "Кыргыз тили" not in client.get("/setup/subjects?q=орус").get_data(as_text=True)
    for query in ("7а", "7-А", "7 а"):
        body = client.get("/setup/classes", query_string={"q": query}).get_data(as_text=True)
        assert "7-А" in body and "3-Б" not in body, query
    assert "7-А" in client.get("/setup/classes", query_string={"q": "сыдыкова"}).get_data(as_text=True)
    body = client.get("/setup/assignments", query_string={"q": "алгебра"}).get_data(as_text=True)
    assert world.teacher.full_name in body and "Физика" not in body
    body = client.get("/setup/assignments", query_string={"q": "3б"}).get_data(as_text=True)
    assert "Физика" in body and "Алгебра" not in body


def test_long_lists_have_real_page_links(client, world):
    for n in range(60):
        factories.make_staff(world.school, "teacher", given=f"Мугалим{n:02d}", family="Бакиров")
    _as(client, world, "deputy")
    first = client.get("/setup/staff?q=бакиров").get_data(as_text=True)
    assert first.count("Бакиров Мугалим") == 50
    link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(link).get_data(as_text=True)
    assert second.count("Бакиров Мугалим") == 10 and 'rel="prev"' in second
    assert client.get("/setup/staff?page=x").status_code == 200


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_pages_render_in_both_languages(client, world, lang):
    _as(client, world, "deputy")
    post(client, "/language", {"lang": lang})
    for path in ("/setup", "/setup/classes", "/setup/calendar", f"/setup/classes/{world.school_class.public_id}"):
        body = client.get(path).get_data(as_text=True)
        assert f'<html lang="{lang}">' in body, path


# --- SQL budget ------------------------------------------------------------------------------

BUDGET_PAGES = ["/setup", "/setup/school", "/setup/calendar", "/setup/shifts", "/setup/shifts/{shift}",
                "/setup/subjects", "/setup/classes", "/setup/classes/new", "/setup/classes/{klass}", "/setup/groups",
                "/setup/groups/{group}", "/setup/assignments", "/setup/assignments?q=алгебра",
                "/setup/assignments/new", "/setup/staff", "/setup/staff?q=м", "/setup/staff/{person}"]


def _statements(app, count_sql, world, path):
    client = app.test_client()
    login(client, world.accounts["deputy"].login)
    with count_sql() as counter:
        resp = client.get(_url(path, world))
    assert resp.status_code == 200, path
    return len(counter.statements)


@pytest.mark.parametrize("path", BUDGET_PAGES)
def test_set_up_pages_keep_their_sql_budget(app, session, count_sql, path):
    small = factories.make_world(size=1)
    n_small = _statements(app, count_sql, small, path)
    big = factories.make_world(size=10, prefix="big")
    n_big = _statements(app, count_sql, big, path)
    assert n_small == n_big
    assert n_small <= 2 + 5


# --- a school starting from nothing ---------------------------------------------------------

def test_a_new_school_starts_with_its_year(client, world, session):
    from kundoluk.models import AcademicYear, District, School
    district = session.execute(sa.select(District)).scalars().first()
    school = School(district_id=district.id, name_ky="Жаңы мектеп", name_ru="Новая школа")
    session.add(school)
    session.flush()
    deputy = factories.make_person("Айбек", "Осмонов")
    session.add(Membership(school_id=school.id, person_id=deputy.id, role="deputy", valid_from=day(world, -30)))
    factories.make_account(deputy, login="newdeputy")
    session.flush()
    login(client, "newdeputy")
    assert client.get("/setup/classes").headers["Location"].endswith("/setup/calendar")
    assert 'href="/setup/calendar"' in client.get("/setup").get_data(as_text=True)
    bad = post(client, "/setup/calendar/year", {"starts_on": "2026-09-01", "ends_on": "2026-08-01"})
    assert bad.status_code == 422 and 'id="ends_on-err"' in bad.get_data(as_text=True)
    assert post(client, "/setup/calendar/year", {"starts_on": "2026-09-01", "ends_on": "2027-05-31"}).status_code == 302
    year = session.execute(sa.select(AcademicYear).where(AcademicYear.school_id == school.id)).scalar_one()
    assert year.label == "2026–2027"
    assert session.execute(sa.select(AuditLog.action).where(AuditLog.school_id == school.id)).scalar() == "setup_year_created"


def test_year_dates_that_would_strand_a_term_are_refused(client, world):
    factories.make_term(world.school, starts_on=day(world, 0), ends_on=day(world, 40))
    _as(client, world, "deputy")
    resp = post(client, "/setup/calendar/year", {"starts_on": day(world, 5).isoformat(),
                                                 "ends_on": world.school.year.ends_on.isoformat()})
    assert resp.status_code == 422 and 'class="notice bad"' in resp.get_data(as_text=True)


# --- every set-up endpoint, walked from the URL map ------------------------------------------

def _own_ids(w):
    """Fresh rows of this school for every URL argument of the set-up blueprint."""
    return {"term_id": factories.make_term(w.school).public_id, "holiday_id": factories.make_holiday(w.school).public_id,
            "band_id": factories.make_band(w.school).public_id, "shift_id": w.school.shift.public_id,
            "on_date": day(w, 20).isoformat(), "subject_id": w.math.public_id, "class_id": w.school_class.public_id,
            "group_id": factories.make_subgroup(w.school_class, w.pupil).public_id,
            "assignment_id": w.assignment.public_id, "person_id": w.teacher.public_id,
            "pupil_id": w.pupil.public_id, "role": "teacher"}


def _setup_urls(app, w):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("school."):
            ids = _own_ids(w)  # a removal earlier in the walk must not turn a later URL into a 404
            url = rule.rule
            for arg in rule.arguments:
                url = url.replace(f"<{arg}>", ids[arg])
            for method in sorted(rule.methods & {"GET", "POST"}):
                yield method, url


@pytest.mark.parametrize("persona", ["anonymous", "pupil", "parent", "teacher", "class_teacher", "director"])
def test_every_set_up_endpoint_is_closed_to_those_without_set_up(app, client, world, session, persona):
    _as(client, world, persona)
    before = _count(session, AuditLog, world.school.id), _count(session, ChangeHistory, world.school.id)
    checked = 0
    for method, url in _setup_urls(app, world):
        resp = client.get(url) if method == "GET" else post(client, url, {})
        expected = 302 if persona == "anonymous" else 404
        assert resp.status_code == expected, (persona, method, url)
        checked += 1
    assert checked >= 60
    assert (_count(session, AuditLog, world.school.id), _count(session, ChangeHistory, world.school.id)) == before


def test_every_set_up_endpoint_answers_the_deputy_without_a_server_error(app, client, world):
    """Empty forms are refused with a reason (400/409/422) or a redirect, never a 500."""
    _as(client, world, "deputy")
    for method, url in _setup_urls(app, world):
        resp = client.get(url) if method == "GET" else post(client, url, {})
        assert resp.status_code in (200, 302, 400, 409, 422), (method, url, resp.status_code)


def test_nul_bytes_and_odd_ids_never_reach_the_database(client, world, session):
    """PostgreSQL refuses NUL in text: such input is a 404, a stripped search, or a 422, never a 500."""
    _as(client, world, "deputy")
    for url in ("/setup/subjects/a%00b", "/setup/staff/%00", "/setup/classes/" + "x" * 40, "/setup/terms/a.b"):
        assert client.get(url).status_code == 404, url
    assert client.get("/setup/staff?q=%D0%BD%00%D1%83").status_code == 200
    resp = post(client, "/setup/subjects", {"name_ky": "\x00", "name_ru": "Химия", "client_id": str(uuid.uuid4())})
    assert resp.status_code == 422
    resp = post(client, "/setup/subjects", {"name_ky": "Хи\x00мия", "name_ru": "Химия", "client_id": str(uuid.uuid4())})
    assert resp.status_code == 302
    assert session.execute(sa.select(Subject.name_ky).where(Subject.name_ru == "Химия")).scalar() == "Химия"
    group = factories.make_subgroup(world.school_class)
    resp = post(client, f"/setup/groups/{group.public_id}/members", {"pupils": ["a\x00"], "valid_from": day(world, 3).isoformat()})
    assert resp.status_code == 422
