"""In Chromium: a parent downloads their child's whole record from the marks page."""
import io
import re

import openpyxl
from playwright.sync_api import expect

from tests.conftest import assert_clean, sign_in


def test_a_parent_downloads_the_childs_whole_record(watched, base_url):
    page = watched
    sign_in(page, base_url, "parent")
    expect(page).to_have_url(re.compile(r"/diary/[\w-]+$"))
    name = page.locator("h1").inner_text().split("·")[0].strip()
    page.click("nav.tabs a[href$='/marks']")
    button = page.locator("form.record button")
    expect(button).to_be_visible()
    with page.expect_download() as caught:
        button.click()
    download = caught.value
    assert re.fullmatch(r"kundoluk-[\w-]+-\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    with open(download.path(), "rb") as saved:  # a temporary name without .xlsx, which openpyxl wants
        book = openpyxl.load_workbook(io.BytesIO(saved.read()), read_only=True)
    assert len(book.worksheets) == 10
    pupil = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    assert any(value and value in name for row in pupil for value in row[1:])   # the child's names
    marks = list(book.worksheets[3].iter_rows(values_only=True))
    assert len(marks) > 1                                                      # the demo child has marks
    expect(page.locator("h1")).to_contain_text(name)                           # still on the marks page
    assert_clean(page)
