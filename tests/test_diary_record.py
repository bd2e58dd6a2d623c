"""A parent downloads everything the school keeps about their child (DESIGN §5)."""
import io
from datetime import timedelta

import openpyxl
import sqlalchemy as sa

from kundoluk import writes
from kundoluk.models import AttendanceExcuse, AuditLog, Mark
from tests import factories
from tests.conftest import login, post
from tests.test_diary import TODAY, add_mark, make_lesson, url, week  # noqa: F401  (week is a fixture)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(client, world, pupil=None):
    return post(client, url(world, pupil, "/record"))


def sheets(resp):
    """{sheet title: [row as a tuple of cell values]}."""
    book = openpyxl.load_workbook(io.BytesIO(resp.data), read_only=True)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def cells(book):
    return {str(value) for rows in book.values() for row in rows for value in row if value is not None}


def test_the_whole_record_in_one_workbook(client, week, session):
    week.pupil.pin_hash, week.pupil.pin_last4 = "f" * 64, "9876"
    changed = add_mark(week, make_lesson(week, TODAY - timedelta(days=2), 3), week.pupil, "3")
    writes.save(Mark, values={"value": "4", "value_num": 4}, row=changed, school_id=week.school.id,
                client_id="00000000-0000-4000-8000-000000000001", base_version=changed.version,
                actor=week.accounts["teacher"])
    session.add(AttendanceExcuse(school_id=week.school.id, pupil_id=week.pupil.id, starts_on=TODAY,
                                 ends_on=TODAY + timedelta(days=2), code="ill", reason="Дарыгердин кагазы"))
    session.flush()
    login(client, "parent")
    resp = download(client, week)
    assert resp.status_code == 200 and resp.mimetype == XLSX
    assert resp.headers["Content-Disposition"] == (
        f'attachment; filename="kundoluk-{week.pupil.public_id}-{TODAY.isoformat()}.xlsx"')
    assert resp.headers["Cache-Control"] == "no-store"
    book = sheets(resp)
    assert len(book) == 10
    text = cells(book)
    for shown in ("Асель", "Камалидин кызы", week.accounts["pupil"].login, "7-А",
                  "Жакшы иштеди", "Ата-энеге гана", "Баарына көрүнөт", "Асель үчүн өзүнчө тапшырма",
                  "Дарыгердин кагазы", "Алгебра"):
        assert shown in text, shown
    assert "Бекзат үчүн өзүнчө тапшырма" not in text            # a classmate's homework is not theirs
    assert not any("9876" in value or "f" * 64 in value for value in text)  # the ПИН never leaves
    marks, changes, attendance = (list(book.values())[n][1:] for n in (3, 4, 6))
    assert ("5", 2, "Жакшы иштеди") in {(row[4], row[3], row[5]) for row in marks}   # the control work, weight 2
    assert [(row[3], row[4]) for row in changes] == [("3", "4")]
    assert [(row[2], row[4]) for row in attendance] == [("Алгебра", 10)]                  # 10 minutes late
    logged = session.execute(sa.select(AuditLog).where(AuditLog.action == "record_downloaded")).scalar_one()
    assert (logged.actor_account_id, logged.subject_person_id, logged.school_id) == (
        week.accounts["parent"].id, week.pupil.id, week.school.id)


def test_the_schools_audit_list_shows_the_download(client, week):
    login(client, "parent")
    assert download(client, week).status_code == 200
    client.post("/logout", data={"csrf_token": client.get("/csrf").get_json()["token"]})
    login(client, "admin")
    page = client.get("/credentials/audit").get_data(as_text=True)
    assert "ата-эне баланын бардык маалыматын жүктөп алды" in page and week.pupil.given_name in page


def test_sheets_and_headings_speak_the_parents_language(client, week, session):
    titles = {}
    for lang in ("ky", "ru"):
        week.accounts["parent"].person.language = lang
        session.flush()
        fresh = client.application.test_client()
        login(fresh, "parent")
        titles[lang] = list(sheets(download(fresh, week)))
    assert titles["ky"] != titles["ru"] and len(set(titles["ky"])) == len(set(titles["ru"])) == 10


def test_a_typed_formula_stays_text(client, week, session):
    add_mark(week, make_lesson(week, TODAY, 5), week.pupil, "4", comment="=HYPERLINK(\"http://x\")")
    login(client, "parent")
    text = cells(sheets(download(client, week)))
    assert "'=HYPERLINK(\"http://x\")" in text and "=HYPERLINK(\"http://x\")" not in text


def test_only_the_parent_downloads_and_only_with_the_forms_token(client, week, session):
    login(client, "pupil")
    assert download(client, week).status_code in (403, 404)
    client.post("/logout", data={"csrf_token": client.get("/csrf").get_json()["token"]})
    login(client, "parent")
    assert client.post(url(week, tail="/record")).status_code == 400    # no CSRF token
    assert client.get(url(week, tail="/record")).status_code == 405
    assert session.execute(sa.select(AuditLog).where(AuditLog.action == "record_downloaded")).first() is None


def test_the_marks_page_offers_it_to_parents_only(client, week):
    login(client, "parent")
    assert f'action="{url(week, tail="/record")}"' in client.get(url(week, tail="/marks")).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": client.get("/csrf").get_json()["token"]})
    login(client, "pupil")
    assert "/record" not in client.get(url(week, tail="/marks")).get_data(as_text=True)


def test_statements_do_not_grow_with_the_record(app, week, session, count_sql):
    def count():
        fresh = app.test_client()
        login(fresh, "parent")
        with count_sql() as counter:
            assert download(fresh, week).status_code == 200
        return len(counter.statements)
    before = count()
    for day in range(30):
        add_mark(week, make_lesson(week, TODAY - timedelta(days=day % 5, weeks=1 + day // 5), 1 + day % 6),
                 week.pupil, "5")
    factories.make_subgroup(week.school_class, week.pupil, name="Англис 1")
    session.flush()
    assert count() == before
