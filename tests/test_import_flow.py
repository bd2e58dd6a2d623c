"""Imports end to end: preview with every row's problems, nothing written before the confirm,
all or nothing, and the same file twice changes nothing."""
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from kundoluk.models import (
    Account, AuditLog, Enrolment, Guardianship, ImportRow, Membership, Person,
)
from tests import factories
from tests.conftest import login, post

PUPIL_HEADER = ["Фамилиясы", "Аты", "Атасынын аты", "Туулган күнү", "ПИН", "Класс", "Тили"]


def xlsx(rows):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def counts(session):
    """Every table an import may write, counted."""
    return {model.__tablename__: session.execute(sa.select(sa.func.count()).select_from(model)).scalar()
            for model in (Person, Enrolment, Guardianship, Membership, Account)}


def upload(client, content, kind="pupils", filename="file.xlsx"):
    return post(client, "/credentials/imports", {"kind": kind, "file": (io.BytesIO(content), filename)},
                content_type="multipart/form-data")


def batch_page(client, resp):
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    page = client.get(resp.headers["Location"])
    assert page.status_code == 200
    return resp.headers["Location"], page.get_data(as_text=True)


def problem_rows(page):
    return {int(n) for n in re.findall(r'class="problem" data-row="(\d+)"', page)}


def count_of(page, key):
    return int(re.search(rf'id="count-{key}">(\d+)<', page).group(1))


def confirm(client, url):
    resp = post(client, url + "/confirm")
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    return client.get(url).get_data(as_text=True)


@pytest.fixture()
def deputy(client, world):
    assert login(client, "deputy").status_code == 302
    return client


def pupil_rows(n, start=date(2012, 1, 1)):
    rows = [PUPIL_HEADER]
    for i in range(n):
        pin = f"2{(start + timedelta(days=i)).strftime('%d%m%Y')}{i:05d}" if i % 2 else None
        rows.append([f"Фамилия{i}", f"Окуучу{i}", None, start + timedelta(days=i), pin,
                     "7-А" if i % 3 else "3 б", None])
    return rows


def test_thousand_pupils_three_bad_rows(deputy, world, session):
    rows = pupil_rows(1000)
    rows[11][1] = None                 # spreadsheet row 12: a pupil without a name
    rows[501][5] = "7-Я"               # row 502: no such class
    rows[800][4] = "2010119991234"     # row 801: a 13-digit personal number
    before = counts(session)
    url, page = batch_page(deputy, upload(deputy, xlsx(rows)))
    assert problem_rows(page) == {12, 502, 801}
    assert count_of(page, "rows") == 1000 and count_of(page, "created") == 997
    assert counts(session) == before                     # nothing written before the confirm
    page = confirm(deputy, url)
    assert 'id="import-applied"' in page and count_of(page, "created") == 997
    after = counts(session)
    assert after["person"] == before["person"] + 997 and after["enrolment"] == before["enrolment"] + 997
    # the same file again: recognised row by row, nothing changes
    url2, page = batch_page(deputy, upload(deputy, xlsx(rows)))
    assert problem_rows(page) == {12, 502, 801}
    assert count_of(page, "created") == 0 and count_of(page, "unchanged") == 997
    confirm(deputy, url2)
    assert counts(session) == after
    # the personal number is kept as a keyed hash and last four digits only
    pinned = session.execute(sa.select(Person).where(Person.given_name == "Окуучу1")).scalar_one()
    assert pinned.pin_last4 == "0001" and len(pinned.pin_hash) == 64


def test_preview_rows_name_each_problem(deputy, world, session):
    rows = [PUPIL_HEADER,
            ["Асанов", "Бакыт", None, "31.02.2014", None, "7-А", None],         # 2: bad date
            ["Асанов", "=HYPERLINK(\"x\")", None, "01.02.2014", None, "7-А", None],  # 3: formula
            ["Осмонов", "Нурбек", None, "01.03.2014", None, "7-А", None],
            ["Осмонов", "Нурбек", None, "01.03.2014", None, "7-А", None],      # 5: duplicate of 4
            ["Ким", "Алина", None, None, None, "7-А", None],                   # 6: no birth date nor ПИН
            ["Ким", "Вера", None, "01.03.2014", None, None, None],             # 7: no class
            ["Ли", "Анна", None, "01.03.2014", None, "7-А", "французский"],    # 8: unknown language
            ["Ли", "Ира", None, "01.03.2014", "abc", "7-А", "ru"]]            # 9: bad ПИН
    url, page = batch_page(deputy, upload(deputy, xlsx(rows)))
    assert problem_rows(page) == {2, 3, 5, 6, 7, 8, 9}
    staged = {r.row_number: [p["code"] for p in r.problems] for r in
              session.execute(sa.select(ImportRow).where(ImportRow.problem_count > 0)).scalars()}
    assert staged == {2: ["bad_date"], 3: ["formula"], 5: ["duplicate"], 6: ["identity_needed"],
                      7: ["missing_class"], 8: ["unknown_language"], 9: ["bad_pin"]}
    assert "abc" not in str(session.execute(sa.select(ImportRow.data)).scalars().all())


def test_formula_cells_are_refused_in_xlsx(deputy, world, session):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(PUPIL_HEADER)
    sheet.append(["Асанов", "Бакыт", None, "01.02.2014", None, "7-А", None])
    sheet["A2"] = "=1+1"
    out = io.BytesIO()
    book.save(out)
    url, page = batch_page(deputy, upload(deputy, out.getvalue()))
    assert problem_rows(page) == {2}


def test_unknown_class_and_missing_name_are_told_in_russian_too(deputy, world):
    post(deputy, "/language", {"lang": "ru"})
    rows = [["Фамилия", "Имя", "Отчество", "Дата рождения", "ПИН", "Класс", "Язык"],
            ["Иванов", "", None, "01.02.2014", None, "7-А", None],
            ["Иванов", "Пётр", None, "01.02.2014", None, "11-Щ", None]]
    url, page = batch_page(deputy, upload(deputy, xlsx(rows)))
    assert problem_rows(page) == {2, 3} and "11-Щ" in page
    assert "«Имя»" in page  # the column is named as the Russian template names it


def test_confirm_is_all_or_nothing(deputy, world, session, monkeypatch):
    from kundoluk.credentials import imports
    rows = pupil_rows(30)
    before = counts(session)
    url, _page = batch_page(deputy, upload(deputy, xlsx(rows)))
    calls = []
    original = imports.Planner._pupils

    def fail_late(self, person, data):
        calls.append(1)
        if len(calls) == 25:
            raise RuntimeError("disk full")
        return original(self, person, data)
    monkeypatch.setattr(imports.Planner, "_pupils", fail_late)
    page = confirm(deputy, url)
    assert 'id="import-failed"' in page
    assert counts(session) == before


def test_a_pupil_removed_meanwhile_fails_the_whole_apply(deputy, world, session):
    rows = [["Фамилиясы", "Аты", "Атасынын аты", "Туулган күнү", "ПИН", "Тили", "Окуучунун фамилиясы",
             "Окуучунун аты", "Окуучунун атасынын аты", "Окуучунун туулган күнү", "Окуучунун ПИНи"],
            ["Ата", "Биринчи", None, None, None, None, None, "Асель", "Камалидин кызы", None, None],
            ["Ата", "Экинчи", None, None, None, None, "Асанов", "Тимур", "Бакытович", None, None]]
    before = counts(session)
    url, page = batch_page(deputy, upload(deputy, xlsx(rows), kind="parents"))
    assert problem_rows(page) == set() and count_of(page, "created") == 2
    session.execute(sa.update(Enrolment).where(Enrolment.pupil_id == world.sibling.id)
                    .values(valid_to=date(2000, 1, 1)))
    page = confirm(deputy, url)
    assert 'id="import-failed"' in page and counts(session) == before


def test_parents_import_links_and_is_idempotent(deputy, world, session):
    rows = [["Фамилия", "Имя", "Отчество", "Дата рождения", "ПИН", "Язык", "Фамилия ученика",
             "Имя ученика", "Отчество ученика", "Дата рождения ученика", "ПИН ученика"],
            ["Нурланова", "Айнура", None, None, None, "ru", None, "Асель", "Камалидин кызы", None, None],
            ["Асанов", "Бакыт", "Жумабекович", None, None, None, "Асанов", "Тимур", "Бакытович", None, None],
            ["Турдубаев", "Данияр", None, None, None, None, None, "Нет", "Такого", None, None]]
    url, page = batch_page(deputy, upload(deputy, xlsx(rows), kind="parents"))
    assert problem_rows(page) == {4}                          # unknown pupil
    assert count_of(page, "created") == 1 and count_of(page, "unchanged") == 1  # Асанов is known
    confirm(deputy, url)
    after = counts(session)
    mother = session.execute(sa.select(Person).where(Person.given_name == "Айнура")).scalar_one()
    assert mother.language == "ru"
    parents = session.execute(sa.select(Guardianship.parent_id).where(Guardianship.pupil_id == world.pupil.id)).scalars().all()
    assert set(parents) == {world.parent.id, mother.id}
    url, page = batch_page(deputy, upload(deputy, xlsx(rows), kind="parents"))
    assert count_of(page, "created") == 0
    confirm(deputy, url)
    assert counts(session) == after


def test_staff_import_adds_roles_once(deputy, world, session):
    rows = [["Фамилия", "Имя", "Отчество", "Дата рождения", "ПИН", "Язык", "Должность", "Класс"],
            ["Садыкова", "Гүлзат", None, "01.01.1980", None, None, "учитель", None],
            ["Исаков", "Нурлан", None, "01.01.1975", None, None, "мугалим, завуч", None],
            ["Бекова", "Зарина", None, "01.01.1990", None, None, "teacher", "3-Б"],
            ["Беков", "Азат", None, "01.01.1990", None, None, "космонавт", None]]
    url, page = batch_page(deputy, upload(deputy, xlsx(rows), kind="staff"))
    assert problem_rows(page) == {5}
    confirm(deputy, url)
    zarina = session.execute(sa.select(Person).where(Person.given_name == "Зарина")).scalar_one()
    roles = set(session.execute(sa.select(Membership.role, Membership.school_class_id)
                                .where(Membership.person_id == zarina.id)).all())
    assert roles == {("teacher", None), ("class_teacher", world.sibling_class.id)}
    after = counts(session)
    url, _page = batch_page(deputy, upload(deputy, xlsx(rows), kind="staff"))
    confirm(deputy, url)
    assert counts(session) == after


def test_matching_stays_inside_the_school(deputy, world, session):
    """A pupil of the other school with the same ПИН is not this school's person: a new one."""
    from kundoluk.credentials import pins
    pins.set_pin(world.other_pupil, "20101199912345")
    world.other_pupil.birth_date = date(2014, 1, 2)
    session.flush()
    rows = [PUPIL_HEADER, ["Жумабекова", "Нурай", None, "02.01.2014", "20101199912345", "7-А", None]]
    url, page = batch_page(deputy, upload(deputy, xlsx(rows)))
    assert count_of(page, "created") == 1
    confirm(deputy, url)
    enrolled = session.execute(sa.select(Enrolment.pupil_id).where(
        Enrolment.school_class_id == world.school_class.id)).scalars().all()
    assert world.other_pupil.id not in enrolled


def test_a_known_pupil_in_another_class_is_moved(deputy, world, session):
    world.pupil.birth_date = date(2013, 5, 5)
    session.flush()
    rows = [PUPIL_HEADER, [None, "Асель", "Камалидин кызы", "05.05.2013", None, "3-Б", None]]
    url, page = batch_page(deputy, upload(deputy, xlsx(rows)))
    assert count_of(page, "moved") == 1
    confirm(deputy, url)
    current = session.execute(sa.select(Enrolment.school_class_id).where(
        Enrolment.pupil_id == world.pupil.id, Enrolment.valid_to.is_(None))).scalars().all()
    assert current == [world.sibling_class.id]


def test_import_is_audited(deputy, world, session):
    url, _page = batch_page(deputy, upload(deputy, xlsx(pupil_rows(3))))
    confirm(deputy, url)
    actions = session.execute(sa.select(AuditLog.action).where(AuditLog.school_id == world.school.id)).scalars().all()
    assert actions.count("person_imported") == 3 and actions.count("import_applied") == 1
    audit_page = deputy.get("/credentials/audit").get_data(as_text=True)
    assert "Окуучу0" in audit_page


def test_confirm_twice_is_refused(deputy, world, session):
    url, _page = batch_page(deputy, upload(deputy, xlsx(pupil_rows(2))))
    confirm(deputy, url)
    assert post(deputy, url + "/confirm").status_code == 409


def test_a_batch_of_another_school_is_404(client, world, session):
    batch = factories.make_import_batch(world.other_school)
    login(client, "deputy")
    assert client.get(f"/credentials/imports/{batch.public_id}").status_code == 404
    assert post(client, f"/credentials/imports/{batch.public_id}/confirm").status_code == 404


def test_status_fragment_polls_while_running(deputy, world, session):
    batch = factories.make_import_batch(world.school, status="parsing")
    url = f"/credentials/imports/{batch.public_id}"
    page = deputy.get(url).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in page and f'href="{url}"' in page  # no-JS: a plain reload link
    frag = deputy.get(url, headers={"HX-Request": "true", "HX-Target": "import-status"})
    text = frag.get_data(as_text=True)
    assert "<html" not in text and 'id="import-status"' in text
    assert "HX-Target" in frag.headers["Vary"]


def test_an_interrupted_batch_says_so(deputy, world, session, fixed_clock):
    from kundoluk import clock
    batch = factories.make_import_batch(world.school, status="parsing")
    clock.set_now(clock.now_utc() + timedelta(minutes=11))
    page = deputy.get(f"/credentials/imports/{batch.public_id}").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' not in page and 'data-status="parsing"' in page
    assert "notice bad" in page
