"""Kyrgyz and Russian are complete; the language follows the person, the cookie, the browser."""
import os

import pytest
from babel.messages.pofile import read_po

from tests.conftest import login, post

ROOT = os.path.join(os.path.dirname(__file__), "..")
PLURALS = {"ky": 2, "ru": 3}


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_catalog_is_complete_without_fuzzy_entries(lang):
    path = os.path.join(ROOT, "translations", lang, "LC_MESSAGES", "messages.po")
    with open(path, "rb") as fh:
        catalog = read_po(fh, locale=lang)
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    assert catalog.num_plurals == PLURALS[lang]
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings) or len(strings) not in (1, PLURALS[lang]):
            problems.append(message.id)
    assert problems == []


def test_every_extracted_string_is_in_the_catalogs(tmp_path):
    from babel.messages.frontend import CommandLineInterface
    pot = tmp_path / "messages.pot"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", "-q", "extract", "-F", "babel.cfg", "-k", "_l",
                                    "-k", "lazy_ngettext:1,2", "-o", str(pot), "."])
    finally:
        os.chdir(cwd)
    with open(pot, "rb") as fh:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    for lang in PLURALS:
        with open(os.path.join(ROOT, "translations", lang, "LC_MESSAGES", "messages.po"), "rb") as fh:
            have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
        assert wanted - have == set(), lang


def test_kyrgyz_is_the_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="ky">' in html and "Кирүү" in html


def test_accept_language_and_cookie(client):
    assert '<html lang="ru">' in client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(as_text=True)
    post(client, "/language", {"lang": "ky", "next": "/login"})
    html = client.get("/login", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="ky">' in html


def test_switch_is_saved_on_the_person(client, world, session):
    login(client, "teacher")
    resp = post(client, "/language", {"lang": "ru", "next": "/staff"})
    assert resp.headers["Location"] == "/staff"
    html = client.get("/staff").get_data(as_text=True)
    assert '<html lang="ru">' in html and "Выйти" in html
    session.refresh(world.teacher)
    assert world.teacher.language == "ru"


def test_plural_forms_in_both_languages(client, world):
    login(client, world.accounts["class_teacher"].login)
    ky = client.get("/staff").get_data(as_text=True)
    assert "1 окуучу" in ky
    post(client, "/language", {"lang": "ru"})
    ru = client.get("/staff").get_data(as_text=True)
    assert "1 ученик" in ru


def test_dates_use_the_language(app):
    from datetime import date

    from flask_babel import force_locale

    from kundoluk.web.i18n import format_date
    with app.test_request_context("/"):
        with force_locale("ru"):
            assert "сентября" in format_date(date(2026, 9, 1))
        with force_locale("ky"):
            assert "2026" in format_date(date(2026, 9, 1))


def test_days_are_written_as_each_language_writes_them(app):
    """Kyrgyz joins the day's number to the month with a hyphen; month names stay lower case."""
    from datetime import date

    from flask_babel import force_locale

    from kundoluk.web.i18n import format_day, format_day_month
    with app.test_request_context("/"):
        with force_locale("ky"):
            assert (format_day(date(2026, 10, 12)), format_day_month(date(2026, 10, 12))) == (
                "дүйшөмбү, 12-октябрь", "12-окт.")
        with force_locale("ru"):
            assert (format_day(date(2026, 10, 12)), format_day_month(date(2026, 10, 12))) == (
                "понедельник, 12 октября", "12 окт.")
