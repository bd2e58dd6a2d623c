"""Uploaded files: type by content, CSV encodings, empty, too large, templates, formula injection."""
import io
import re
import zipfile

import pytest
import sqlalchemy as sa

from kundoluk.credentials import spreadsheets
from kundoluk.credentials.spreadsheets import FileProblem
from kundoluk.models import ImportBatch, Person
from tests.conftest import login, post
from tests.test_import_flow import batch_page, confirm, count_of, problem_rows, upload, xlsx

CSV_KY = "Фамилиясы;Аты;Атасынын аты;Туулган күнү;ПИН;Класс\nАсанов;Үмөт;;01.02.2014;;7-А\n"
CSV_RU = "Фамилия,Имя,Отчество,Дата рождения,ПИН,Класс\nИванов,Пётр,Сергеевич,01.02.2014,,7-А\n"


@pytest.fixture()
def deputy(client, world):
    assert login(client, "deputy").status_code == 302
    return client


@pytest.mark.parametrize("content,encoding", [
    (CSV_KY.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + CSV_KY.encode("utf-8"), "utf-8-sig"),
    (CSV_RU.encode("cp1251"), "cp1251"),
    (CSV_RU.encode("utf-16"), "utf-16"),
])
def test_csv_encodings_are_detected(content, encoding):
    text, found = spreadsheets.decode(content)
    assert found == encoding and ("Үмөт" in text or "Пётр" in text)


def test_broken_utf8_is_refused_with_its_line():
    content = CSV_KY.encode("utf-8") * 3
    broken = content[:-20] + b"\xd2" + content[-19:]
    with pytest.raises(FileProblem) as err:
        spreadsheets.decode(broken)
    assert err.value.code == "encoding" and err.value.params["line"] == 6


@pytest.mark.parametrize("content,code", [
    (b"", "empty"), (b"   \n\n", "empty"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "wrong_type"),
    (b"%PDF-1.7\n...", "wrong_type"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "old_excel"),
    (b"PK\x03\x04 not really a zip", "damaged"),
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "wrong_type"),
])
def test_wrong_types_by_content(content, code):
    with pytest.raises(FileProblem) as err:
        spreadsheets.sniff(content)
    assert err.value.code == code


def test_a_zip_that_is_no_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(FileProblem) as err:
        spreadsheets.sniff(out.getvalue())
    assert err.value.code == "wrong_type"


@pytest.mark.parametrize("content,name", [
    (CSV_KY.encode("utf-8"), "pupils.csv"),
    (b"\xef\xbb\xbf" + CSV_KY.encode("utf-8"), "pupils.txt"),
    (CSV_RU.encode("cp1251"), "pupils.xlsx"),  # the name lies; the content decides
])
def test_csv_uploads_in_each_encoding(deputy, world, session, content, name):
    url, page = batch_page(deputy, upload(deputy, content, filename=name))
    assert count_of(page, "created") == 1 and problem_rows(page) == set()
    confirm(deputy, url)
    given = "Үмөт" if "Үмөт".encode() in content or b"\xd2\xae" in content else "Пётр"
    assert session.execute(sa.select(Person).where(Person.given_name == given)).scalar_one()


@pytest.mark.parametrize("content,name", [
    (b"", "empty.csv"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "photo.xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls"),
    ((CSV_KY.encode("utf-8") * 3)[:-20] + b"\xd2" + (CSV_KY.encode("utf-8") * 3)[-19:], "broken.csv"),
])
def test_bad_files_get_a_clear_422_and_write_nothing(deputy, world, session, content, name):
    resp = upload(deputy, content, filename=name)
    assert resp.status_code == 422
    assert 'id="import-error"' in resp.get_data(as_text=True)
    assert session.execute(sa.select(sa.func.count(ImportBatch.id))).scalar() == 0


def test_header_only_and_missing_columns_fail_the_batch(deputy, world, session):
    _url, page = batch_page(deputy, upload(deputy, "Фамилиясы;Аты;Класс\n".encode(), filename="a.csv"))
    assert 'id="import-failed"' in page
    _url, page = batch_page(deputy, upload(deputy, xlsx([["Фамилия", "Отчество"], ["Иванов", "Петрович"]])))
    assert 'id="import-failed"' in page and "«Аты»" in page and "«Класс»" in page


def test_english_keys_and_unknown_columns(deputy, world, session):
    rows = [["family_name", "given_name", "birth_date", "class", "Телефон"],
            ["Ким", "Алина", "01.02.2014", "7-а", "+996 555"]]
    _url, page = batch_page(deputy, upload(deputy, xlsx(rows)))
    assert count_of(page, "created") == 1 and "«Телефон»" in page


def test_too_large_for_the_import_limit(app, deputy, world, session):
    app.config["IMPORT_MAX_BYTES"] = 1000
    try:
        resp = upload(deputy, CSV_KY.encode() * 50, filename="big.csv")
    finally:
        app.config.pop("IMPORT_MAX_BYTES")
    assert resp.status_code == 413 and 'id="import-error"' in resp.get_data(as_text=True)


def test_too_large_for_the_server_says_the_limit(app, deputy, world):
    saved = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 2000
    try:
        resp = upload(deputy, b"x" * 5000, filename="huge.csv")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = saved
    text = resp.get_data(as_text=True)
    assert resp.status_code == 413 and ("5 MB" in text or "5 МБ" in text)


def test_upload_needs_a_kind_and_a_file(deputy, world):
    resp = post(deputy, "/credentials/imports", {"kind": "pupils"}, content_type="multipart/form-data")
    assert resp.status_code == 422
    resp = post(deputy, "/credentials/imports", {"kind": "aliens", "file": (io.BytesIO(b"a"), "a.csv")},
                content_type="multipart/form-data")
    assert resp.status_code == 422


@pytest.mark.parametrize("kind", ["pupils", "parents", "staff"])
@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_templates_download_and_read_back(deputy, kind, lang):
    import openpyxl
    resp = deputy.get(f"/credentials/imports/template.xlsx?kind={kind}&lang={lang}")
    assert resp.status_code == 200 and resp.headers["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(resp.data))
    header = [c.value for c in book.worksheets[0][1]]
    from kundoluk.credentials import columns
    mapping, missing, ignored = columns.map_headers(kind, header)
    assert missing == [] and ignored == [] and len(mapping) == len(columns.COLUMNS[kind])
    assert ("Аты" if lang == "ky" else "Имя") in header
    pin_column = header.index("ПИН") + 1
    assert book.worksheets[0].cell(row=2, column=pin_column).number_format == "@"


def test_template_arguments_are_checked(deputy):
    assert deputy.get("/credentials/imports/template.xlsx?kind=x").status_code == 404
    assert deputy.get("/credentials/imports/template.xlsx?kind=pupils&lang=en").status_code == 404


def test_written_spreadsheets_neutralise_formulas():
    import openpyxl
    assert spreadsheets.neutralize("=cmd|'/c calc'!A1") == "'=cmd|'/c calc'!A1"
    for start in "=+-@":
        assert spreadsheets.neutralize(start + "1").startswith("'")
    assert spreadsheets.neutralize("Асанов") == "Асанов" and spreadsheets.neutralize(5) == 5
    data = spreadsheets.write_xlsx([("Data", [["name"], ["=HYPERLINK(\"http://x\")"], ["@SUM(1)"]])])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet["A"]] == ["name", "'=HYPERLINK(\"http://x\")", "'@SUM(1)"]
    assert all(c.data_type != "f" for c in sheet["A"])


def test_imports_page_permissions(client, world):
    for persona, status in (("deputy", 200), ("admin", 200), ("class_teacher", 404), ("teacher", 404),
                            ("director", 404), ("parent", 404), ("other_deputy", 200)):
        client.post("/logout")
        login(client, world.accounts[persona].login)
        assert client.get("/credentials/imports").status_code == status, persona


def test_csv_with_a_broken_quote_is_a_clear_problem(deputy, world, session):
    content = 'Фамилиясы,Аты,Класс\n"Асанов,Үмөт,7-А\n'.encode()
    resp = upload(deputy, content, filename="a.csv")
    assert resp.status_code in (303, 422)
    if resp.status_code == 303:
        page = deputy.get(resp.headers["Location"]).get_data(as_text=True)
        assert re.search(r'data-status="(failed|ready)"', page)
