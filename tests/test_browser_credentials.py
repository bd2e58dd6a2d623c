"""In Chromium: the class teacher prints login slips, a pupil signs in with the first password
read from the PDF and must set a new one; a second print shows no password for that pupil."""
import io
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_clean as _clean, sign_in, watch as _watch

CLASS_LABEL = "7-А"   # the demo class of `homeroom`


def pdf_text(download):
    from pypdf import PdfReader
    with open(download.path(), "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


def pupil_credentials(text):
    """(login, first password) of the first pupil's slip: its role line names the class."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        login = re.fullmatch(r".+: ([a-z0-9.\-]+)", line.strip())
        password = re.fullmatch(r".+: ([a-km-np-z2-9]{10})", lines[i + 1].strip()) if i + 1 < len(lines) else None
        if login and password and CLASS_LABEL in lines[i - 1]:
            return login.group(1), password.group(1)
    raise AssertionError("no pupil slip with a password in:\n" + text[:3000])


@pytest.fixture()
def homeroom_desk(page, base_url):
    page = _watch(page)
    sign_in(page, base_url, "homeroom", "demo")
    expect(page).to_have_url(re.compile("/staff$"))
    page.click("nav.sections a[href='/credentials/']")
    expect(page.locator("h1")).to_be_visible()
    _clean(page)
    page.click(f"table.desk-classes a:has-text('{CLASS_LABEL}')")
    expect(page.locator("table.desk")).to_be_visible()
    _clean(page)
    return page


def test_class_teacher_prints_slips_and_the_pupil_must_set_a_new_password(homeroom_desk, browser, base_url):
    page = homeroom_desk
    with page.expect_download() as issued:
        page.click("#issue-all")
    login, password = pupil_credentials(pdf_text(issued.value))

    other = browser.new_context()
    pupil_page = _watch(other.new_page())
    sign_in(pupil_page, base_url, login, password)
    expect(pupil_page).to_have_url(re.compile("/first-sign-in$"))
    expect(pupil_page.locator("#new_password")).to_be_visible()
    pupil_page.check("input[name=language][value=ky]")
    pupil_page.fill("#new_password", "my-own-pass-2026")
    pupil_page.fill("#confirm", "my-own-pass-2026")
    pupil_page.check("#accept")
    pupil_page.click("form button[type=submit]")
    expect(pupil_page.locator("h1")).to_be_visible()
    expect(pupil_page).not_to_have_url(re.compile("/first-sign-in$"))
    _clean(pupil_page)
    other.close()

    page.reload()
    expect(page.locator("#issue-all")).to_have_count(0)  # everyone has a login now
    with page.expect_download() as again:
        page.click("#reprint")
    text = pdf_text(again.value)
    assert login in text and password not in text
    _clean(page)
