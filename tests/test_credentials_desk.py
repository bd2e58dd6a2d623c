"""The credentials desk over HTTP: permissions, slips, re-issue, links, audit, SQL budget."""
import io
import re

import pytest
import sqlalchemy as sa

from kundoluk.models import Account, AuditLog, Guardianship, ParentLinkCode
from tests import factories
from tests.conftest import login, post


def pdf_text(data):
    from pypdf import PdfReader
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


CHILDREN = "/credentials/add-child"   # lists the children the account sees now


def _as(client, world, persona):
    assert login(client, world.accounts[persona].login).status_code == 302
    return client


def _desk(world, cls=None):
    return f"/credentials/classes/{(cls or world.school_class).public_id}"


@pytest.fixture()
def family(world):
    """A pupil of 7-А without a login and her Russian-speaking mother, also without one."""
    kid = factories.make_pupil(world.school_class, "Үмүт", None, "Нурлан кызы")
    mother = factories.make_parent(kid, given="Алёна", family="Ким", language="ru")
    return kid, mother


DESK_PERSONAS = {"class_teacher": 200, "deputy": 200, "admin": 200, "teacher": 403,
                 "teacher2": 404, "director": 404, "parent": 404, "pupil": 404, "other_deputy": 404}


@pytest.mark.parametrize("persona,status", DESK_PERSONAS.items())
def test_desk_page_permissions(client, world, persona, status):
    assert _as(client, world, persona).get(_desk(world)).status_code == status


@pytest.mark.parametrize("persona,status", DESK_PERSONAS.items())
def test_issue_permissions(client, world, family, persona, status, session):
    resp = post(_as(client, world, persona), _desk(world) + "/issue")
    assert resp.status_code == status
    issued = session.execute(sa.select(Account).where(Account.person_id == family[0].id)).scalar_one_or_none()
    assert (issued is not None) == (status == 200)


def test_class_teacher_of_another_class_who_teaches_it_gets_403(client, world):
    # the class teacher of 7-А teaching the extra class of a grown world: 403, not 404
    other = factories.make_class(world.school, 9, "Д")
    factories.make_assignment(world.class_teacher, other)
    assert _as(client, world, "class_teacher").get(_desk(world, other)).status_code == 403


def test_desk_lists_only_own_classes_for_class_teacher(client, world):
    page = _as(client, world, "class_teacher").get("/credentials/").get_data(as_text=True)
    assert world.school_class.public_id in page and world.sibling_class.public_id not in page
    client.post("/logout")
    page = _as(client, world, "deputy").get("/credentials/").get_data(as_text=True)
    assert world.school_class.public_id in page and world.sibling_class.public_id in page
    assert world.other_class.public_id not in page


def test_issue_prints_new_slips_with_passwords_once(client, world, family, session):
    kid, mother = family
    _as(client, world, "class_teacher")
    resp = post(client, _desk(world) + "/issue")
    assert resp.mimetype == "application/pdf"
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Content-Disposition"].startswith("attachment")
    text = pdf_text(resp.data)
    kid_account = session.execute(sa.select(Account).where(Account.person_id == kid.id)).scalar_one()
    mum_account = session.execute(sa.select(Account).where(Account.person_id == mother.id)).scalar_one()
    assert kid_account.login == "umut.nurlan" and mum_account.login == "alyona.kim"
    # only the newly issued people get slips; those with a login already do not
    assert "Камалидин кызы Асель" not in text
    assert "Нурлан кызы Үмүт" in text and "Ким Алёна" in text
    passwords = re.findall(r": ([a-km-np-z2-9]{10})\n", text)
    assert len(passwords) == 2
    # the mother's slip is in Russian (her language), the pupil's in Kyrgyz
    assert world.school.name_ru in text and world.school.name_ky in text
    # printing again shows no password for them
    again = pdf_text(client.get(_desk(world) + "/slips.pdf").data)
    assert "umut.nurlan" in again and all(p not in again for p in passwords)
    # issuing again has nobody to issue
    assert post(client, _desk(world) + "/issue").status_code == 303


def test_slips_never_show_a_pin(client, world, family, session):
    from kundoluk.credentials import pins
    pins.set_pin(family[0], "20101199912345")
    _as(client, world, "class_teacher")
    text = pdf_text(post(client, _desk(world) + "/issue").data)
    assert "20101199912345" not in text and "2345" not in text


def test_reissue_confirm_and_new_slip_end_sessions(app, world, session):
    parent_client = app.test_client()
    _as(parent_client, world, "parent")
    assert parent_client.get(CHILDREN).status_code == 200
    desk_client = app.test_client()
    _as(desk_client, world, "class_teacher")
    url = f"{_desk(world)}/people/{world.parent.public_id}/reissue"
    assert desk_client.get(url).status_code == 200
    resp = post(desk_client, url)
    assert resp.mimetype == "application/pdf"
    text = pdf_text(resp.data)
    password = re.search(r": ([a-km-np-z2-9]{10})\n", text).group(1)
    assert "parent" in text
    # the open session ended, the old password fails, the new one asks for a new password
    assert "/login" in parent_client.get(CHILDREN).headers["Location"]
    fresh = app.test_client()
    assert login(fresh, "parent", "secret").status_code == 401
    assert login(fresh, "parent", password).status_code == 302
    assert fresh.get(CHILDREN).headers["Location"].endswith("/first-sign-in")


def test_reissue_of_someone_outside_the_class_is_404(client, world):
    _as(client, world, "class_teacher")
    for person in (world.sibling, world.other_pupil, world.teacher):
        assert client.get(f"{_desk(world)}/people/{person.public_id}/reissue").status_code == 404
        assert post(client, f"{_desk(world)}/people/{person.public_id}/reissue").status_code == 404


def test_posts_need_csrf(client, world, family):
    _as(client, world, "class_teacher")
    assert client.post(_desk(world) + "/issue").status_code == 400


def test_unlink_ends_access_in_an_open_session(app, world, session):
    parent_client = app.test_client()
    _as(parent_client, world, "parent")
    page = parent_client.get(CHILDREN).get_data(as_text=True)
    assert world.pupil.public_id in page
    desk_client = app.test_client()
    _as(desk_client, world, "class_teacher")
    url = f"{_desk(world)}/pupils/{world.pupil.public_id}/parents/{world.parent.public_id}/unlink"
    assert world.parent.full_name in desk_client.get(url).get_data(as_text=True)
    assert post(desk_client, url).status_code == 303
    # the parent's open session: the child is gone at the next request, the sibling stays
    page = parent_client.get(CHILDREN).get_data(as_text=True)
    assert world.pupil.public_id not in page and world.sibling.public_id in page
    assert post(desk_client, url).status_code == 404  # nothing left to unlink


def test_add_parent_links_a_known_parent_by_pin_and_adds_an_unknown_one(client, world, session):
    from kundoluk.credentials import pins
    pins.set_pin(world.parent, "20101199912345")
    _as(client, world, "class_teacher")
    kid = factories.make_pupil(world.school_class, "Бекболот")
    url = f"{_desk(world)}/pupils/{kid.public_id}/parents/new"
    assert client.get(url).status_code == 200
    form = {"given_name": "Другое имя", "pin": "2010 1199 9123 45", "language": "ky"}
    assert post(client, url, form).status_code == 303
    links = session.execute(sa.select(Guardianship.parent_id).where(Guardianship.pupil_id == kid.id)).scalars().all()
    assert links == [world.parent.id]
    assert post(client, url, {"given_name": "Жаңы", "family_name": "Ата", "language": "ru"}).status_code == 303
    assert len(session.execute(sa.select(Guardianship).where(Guardianship.pupil_id == kid.id)).all()) == 2
    bad = post(client, url, {"given_name": "Ата", "pin": "2010119991234", "language": "ky"})
    assert bad.status_code == 422 and 'id="pin-err"' in bad.get_data(as_text=True)
    assert post(client, url, {"given_name": "", "language": "ky"}).status_code == 422


def test_link_code_page_shows_the_code_once(client, world, session):
    _as(client, world, "class_teacher")
    resp = post(client, f"{_desk(world)}/pupils/{world.pupil.public_id}/link-code")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    code = re.search(r'id="link-code">([A-Z0-9-]{9})<', resp.get_data(as_text=True)).group(1)
    row = session.execute(sa.select(ParentLinkCode)).scalar_one()
    assert code not in row.code_hash and row.pupil_id == world.pupil.id
    # a code for someone else's pupil: 404
    assert post(client, f"{_desk(world)}/pupils/{world.sibling.public_id}/link-code").status_code == 404


def test_parent_adds_a_child_in_another_school_with_a_code(app, world, session):
    from kundoluk.credentials import actions
    code = actions.make_link_code(world.other_pupil, world.accounts["other_deputy"], world.other_school.id)
    client = app.test_client()
    _as(client, world, "parent")
    assert client.get("/credentials/add-child").status_code == 200
    resp = post(client, CHILDREN, {"code": code})
    assert resp.status_code == 303
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'id="child-added"' in page
    assert world.other_pupil.public_id in page and world.pupil.public_id in page
    again = post(client, "/credentials/add-child", {"code": code})
    assert again.status_code == 422


def test_code_attempts_are_rate_limited(client, world):
    _as(client, world, "parent")
    for _ in range(5):
        assert post(client, "/credentials/add-child", {"code": "ABCD-EFGH"}).status_code == 422
    assert post(client, "/credentials/add-child", {"code": "ABCD-EFGH"}).status_code == 429


def test_audit_lists_this_schools_people_including_other_schools_actions(client, world, session):
    from kundoluk.credentials import actions
    # the other school re-issues the password of a parent shared by both schools
    shared = world.teacherparent  # teacher here, parent of a pupil there
    actions.reissue(shared, world.accounts["other_deputy"], world.other_school.id)
    actions.reissue(world.other_pupil, world.accounts["other_deputy"], world.other_school.id)
    actions.reissue(world.pupil, world.accounts["class_teacher"], world.school.id)
    session.flush()
    _as(client, world, "deputy")
    page = client.get("/credentials/audit").get_data(as_text=True)
    assert shared.full_name in page and world.pupil.full_name in page
    assert world.other_pupil.full_name not in page  # not one of this school's people
    client.post("/logout")
    _as(client, world, "other_deputy")
    page = client.get("/credentials/audit").get_data(as_text=True)
    assert world.other_pupil.full_name in page and shared.full_name in page
    assert world.pupil.full_name not in page


def test_audit_pages_with_real_links(client, world, session):
    for _ in range(55):
        session.add(AuditLog(action="credentials_issued", school_id=world.school.id,
                             subject_person_id=world.pupil.id, detail={}))
    session.flush()
    _as(client, world, "deputy")
    page = client.get("/credentials/audit").get_data(as_text=True)
    assert page.count('class="audit-row"') == 50
    older = re.search(r'rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert client.get(older).get_data(as_text=True).count('class="audit-row"') == 5
    assert client.get("/credentials/audit?before=0").status_code == 404


def test_desk_renders_in_both_languages(client, world, family):
    _as(client, world, "class_teacher")
    for lang in ("ky", "ru"):
        post(client, "/language", {"lang": lang})
        resp = client.get(_desk(world))
        assert resp.status_code == 200 and f'lang="{lang}"' in resp.get_data(as_text=True)


BUDGET_PAGES = [("class_teacher", "/credentials/classes/{class}"), ("deputy", "/credentials/classes/{class}"),
                ("class_teacher", "/credentials/"), ("deputy", "/credentials/"),
                ("deputy", "/credentials/audit"), ("deputy", "/credentials/imports"),
                ("deputy", "/credentials/imports/{batch}"), ("admin", "/credentials/staff"),
                ("parent", "/credentials/add-child")]


def _grown(size, prefix):
    """A world with a staged import and audit rows that grow with it."""
    from kundoluk.models import ImportRow
    world = factories.make_world(size=size, prefix=prefix)
    world.batch = factories.make_import_batch(world.school)
    for n in range(5 * size):
        factories._add(ImportRow(school_id=world.school.id, batch_id=world.batch.id, row_number=n + 2,
                                 data={}, problems=[{"code": "missing_name", "column": "given_name"}],
                                 problem_count=1))
        factories._add(AuditLog(action="credentials_issued", school_id=world.school.id,
                                subject_person_id=world.pupil.id, detail={}))
    return world


def _statements(app, count_sql, world, persona, path):
    client = app.test_client()
    login(client, world.accounts[persona].login)
    url = path.format(**{"class": world.school_class.public_id, "batch": world.batch.public_id})
    with count_sql() as counter:
        resp = client.get(url)
    assert resp.status_code == 200, (persona, url)
    return len(counter.statements)


@pytest.mark.parametrize("persona,path", BUDGET_PAGES)
def test_page_statements_do_not_grow_with_data(app, session, count_sql, persona, path):
    small, big = _grown(1, ""), _grown(10, "big")
    n_small = _statements(app, count_sql, small, persona, path)
    n_big = _statements(app, count_sql, big, persona, path)
    assert n_small == n_big and n_small <= 2 + 5


def test_staff_logins_for_deputy_and_admin_only(client, world, session):
    newcomer = factories.make_staff(world.school, "teacher", given="Жаңы", family="Мугалим")
    _as(client, world, "deputy")
    page = client.get("/credentials/staff").get_data(as_text=True)
    assert newcomer.full_name in page and world.other_deputy.full_name not in page
    resp = post(client, "/credentials/staff/issue")
    assert resp.mimetype == "application/pdf" and resp.headers["Cache-Control"] == "no-store"
    text = pdf_text(resp.data)
    account = session.execute(sa.select(Account).where(Account.person_id == newcomer.id)).scalar_one()
    assert account.login in text and newcomer.full_name in text
    assert world.deputy.full_name not in text  # had a login already
    url = f"/credentials/staff/{world.teacherparent.public_id}/reissue"
    assert client.get(url).status_code == 200
    assert post(client, url).mimetype == "application/pdf"
    assert client.get(f"/credentials/staff/{world.other_deputy.public_id}/reissue").status_code == 404
    assert client.get(f"/credentials/staff/{world.pupil.public_id}/reissue").status_code == 404
    for persona in ("class_teacher", "teacher", "director", "parent"):
        client.post("/logout")
        _as(client, world, persona)
        assert client.get("/credentials/staff").status_code == 404
        assert post(client, "/credentials/staff/issue").status_code == 404


def test_class_desk_never_issues_a_staff_members_password(client, world, session):
    # the teacher of another school is a parent in 7-А: only a staff desk may reset them
    other_teacher = factories.make_staff(world.other_school, "teacher", given="Азамат", family="Бекович")
    factories.link_parent(other_teacher, world.pupil)
    _as(client, world, "class_teacher")
    page = client.get(_desk(world)).get_data(as_text=True)
    assert "issue-all" not in page  # the only person without a login is staff elsewhere
    assert post(client, _desk(world) + "/issue").status_code == 303
    assert session.execute(sa.select(Account).where(Account.person_id == other_teacher.id)).first() is None
    factories.link_parent(world.director, world.pupil)
    url = f"{_desk(world)}/people/{world.director.public_id}/reissue"
    assert client.get(url).status_code == 403 and post(client, url).status_code == 403
