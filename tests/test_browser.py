"""In Chromium: every demo account signs in, lands on its home, switches language; no CSP violation."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_clean, sign_in

DIARY = r"/diary/[\w-]+"
HOMES = {"director": "/staff", "deputy": "/staff", "teacher": "/staff", "teacher2": "/staff",
         "homeroom": "/staff", "teacherparent": "/staff", "student": DIARY, "parent": DIARY, "parent2": DIARY}

def switch_language(page, label, lang):
    page.click(f"form.langs button[value='{lang}']")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert label in page.content()


@pytest.mark.parametrize("login", list(HOMES))
def test_demo_account_signs_in_lands_home_and_switches_language(watched, base_url, login):
    page = watched
    sign_in(page, base_url, login)
    expect(page).to_have_url(re.compile(HOMES[login] + "$"))
    expect(page.locator("h1")).to_be_visible()
    start = page.locator("html").get_attribute("lang")
    switch_language(page, "Выйти", "ru")
    expect(page).to_have_url(re.compile(HOMES[login] + "$"))
    switch_language(page, "Чыгуу", "ky")
    for link in page.locator("main a[href^='/classes/']").all()[:2]:
        link.click()
        expect(page.locator("table.roster")).to_be_visible()
        assert_clean(page)
        page.go_back()
    page.goto(base_url + "/account")
    expect(page.locator("h1")).to_be_visible()
    if start != "ky":
        switch_language(page, "Выйти", start)
    assert_clean(page)


def test_teacherparent_switches_to_parent_and_sees_only_own_child(watched, base_url):
    page = watched
    sign_in(page, base_url, "teacherparent")
    expect(page).to_have_url(re.compile("/staff$"))
    page.click("form.contexts button[value='parent']")
    expect(page).to_have_url(re.compile(DIARY + "$"))
    expect(page.locator("h1")).to_contain_text("Бейшеналиев Адилет")
    expect(page.locator("form.switcher")).to_have_count(0)  # one child only
    response = page.goto(base_url + "/staff")
    assert response.status == 404
    # switch back, so the account lands on its teacher home again next time
    page.click("form.contexts button[value^='staff:']")
    expect(page).to_have_url(re.compile("/staff$"))
    assert_clean(page)


def test_wrong_password_and_error_pages_are_clean(watched, base_url):
    page = watched
    page.goto(base_url + "/login")
    page.fill("#login", "parent")
    page.fill("#password", "not-the-password")
    page.click("form[action='/login'] button[type=submit]")
    expect(page.locator(".notice.bad")).to_be_visible()
    page.goto(base_url + "/no-such-page")
    expect(page.locator("#error-404")).to_be_visible()
    assert_clean(page)


def test_the_csp_recorder_sees_a_violation(watched, base_url):
    """Guards the guard: an inline script is refused and recorded, so the checks above can fail."""
    page = watched
    page.goto(base_url + "/login")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = 'window.__ran = true'; document.body.append(s); }""")
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.__ran") is None


def test_a_boosted_navigation_brings_the_css_its_page_needs(watched, base_url):
    page = watched
    sign_in(page, base_url, "deputy")
    page.goto(base_url + "/setup")
    parts = "Array.from(document.querySelectorAll('head style')).map((s) => s.dataset.part)"
    assert "credentials" not in page.evaluate(parts)
    page.click("nav.sections a[href^='/credentials']")  # htmx swaps the body only
    expect(page).to_have_url(re.compile(r"/credentials/$"))
    expect(page.locator("head style[data-part='credentials']")).to_have_count(1)
    page.go_back()  # a history restore from the server, then forward again: no part twice
    expect(page).to_have_url(re.compile(r"/setup$"))
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/credentials/$"))
    assert sorted(page.evaluate(parts)) == sorted(set(page.evaluate(parts)))
    assert_clean(page)  # the added <style> is allowed by its hash: no CSP violation
