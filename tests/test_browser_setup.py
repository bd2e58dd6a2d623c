"""In Chromium: the deputy creates a class with a class teacher and sees it listed; no CSP violation."""
import re

from playwright.sync_api import expect

from tests.conftest import assert_clean


def test_deputy_creates_a_class_with_a_class_teacher(watched, base_url):
    page = watched
    page.goto(base_url + "/login")
    page.fill("#login", "deputy")
    page.fill("#password", "demo")
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(re.compile("/staff$"))
    page.click("nav.sections a[href='/setup']")
    expect(page.locator("#setup-overview")).to_be_visible()
    page.click("nav.subnav a[href='/setup/classes']")
    page.click("a[href='/setup/classes/new']")
    page.fill("#grade", "11")
    page.fill("#letter", "В")
    page.select_option("#language", "ru")
    page.select_option("#class_teacher", index=1)
    teacher = page.locator("#class_teacher option:checked").inner_text()
    page.click("#class-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/setup/classes\?created="))
    row = page.locator("tr.new")
    expect(row).to_contain_text("11-В")
    expect(row).to_contain_text(teacher)
    # the search box narrows the list in place (htmx), and the address follows; wait until htmx
    # has settled the swapped page and wired the box, or the typing would go unheard
    page.wait_for_function("() => { const q = document.querySelector('#q'); return q && q['htmx-internal-data']; }")
    page.fill("#q", "11в")
    expect(page.locator("#class-list tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=11"))
    assert_clean(page)
    # on a 320 px phone lists stack, forms fit, and nothing overflows sideways
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(base_url + "/setup/shifts")
    shift = page.locator("#shift-list a").first.get_attribute("href")
    for path in ("/setup/classes", "/setup", "/setup/calendar", shift, "/setup/staff", "/setup/groups",
                 "/setup/assignments", "/setup/classes/new"):
        page.goto(base_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    assert_clean(page)
