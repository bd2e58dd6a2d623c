"""In Chromium, on the demo: a teacher marks a lesson's attendance pupil by pupil with one tap
each, enters a row of marks by keyboard and one by touch; no CSP violation on the way.

The server's "today" is the suite's (a school Wednesday, or a Sunday in July in the second CI
run): on a day without the teacher's lessons the deputy, who may write any lesson, takes over.
"""
import re

from playwright.sync_api import expect

from tests.conftest import assert_clean, sign_in


def _sign_out(page):
    page.click("form[action='/logout'] button[type=submit]")
    expect(page).to_have_url(re.compile("/login"))


def fresh(page):
    """Load the page again from the server: a plain reload may be answered by the service
    worker's copy (stale-while-revalidate), which can predate the taps just made."""
    url = page.url.split("#")[0]
    page.goto(url + ("&" if "?" in url else "?") + "fresh=1")


def open_lesson_to_fill(page, base_url):
    """A demo teacher's lesson of today still lacking attendance, else the deputy's pick."""
    for login in ("teacher", "teacher2", "homeroom"):
        sign_in(page, base_url, login)
        expect(page.locator("h1")).to_be_visible()
        missing = page.locator("#day-lessons li:has([data-miss=attendance]) a.jopen")
        if missing.count():
            missing.first.click()
            expect(page).to_have_url(re.compile("/journal/lessons/"))
            return login
        _sign_out(page)
    sign_in(page, base_url, "deputy")
    open_demo_journal(page, base_url)
    page.locator("#jg thead th.w[data-l] a").last.click()
    expect(page).to_have_url(re.compile("/journal/lessons/"))
    return "deputy"


def open_demo_journal(page, base_url):
    """The deputy's way to a class journal: the class list, the class's journal page, a subject."""
    # 7-А, the demo class (grade 1 gets no marks)
    klass = page.locator("main a[href^='/classes/']", has_text=re.compile("^7-А$")).first.get_attribute("href")
    page.goto(base_url + "/journal" + klass)
    page.locator("main ul.links a[href^='/journal/a/']").first.click()
    expect(page).to_have_url(re.compile("/journal/a/"))
    expect(page.locator("#jg")).to_be_visible()


def test_attendance_of_a_whole_class_by_taps(watched, base_url):
    page = watched
    open_lesson_to_fill(page, base_url)
    rows = page.locator("ul.jatt > li")
    expect(rows.first).to_be_visible()
    count = rows.count()
    assert count >= 10
    ids = [rows.nth(i).get_attribute("id") for i in range(count)]
    expected = {}
    for n, row_id in enumerate(ids):
        row = page.locator(f"#{row_id}")
        code = ("absent", "ill", "late", "present")[n % 4]
        if code == "late":
            row.locator("input[name=minutes]").fill("7")
        if code == "present":
            # a tap on "absent" and a second tap on it again: back to present
            row.locator("button[value=absent]").click()
            expect(page.locator(f"#{row_id}")).to_have_class(re.compile(r"\babsent\b.*\bok\b"))
            page.locator(f"#{row_id} button[value=present]").click()
            expect(page.locator(f"#{row_id}")).not_to_have_class(re.compile(r"\babsent\b"))
        else:
            row.locator(f"button[value={code}]").click()
        expect(page.locator(f"#{row_id}")).to_have_class(re.compile(r"\bok\b"))
        expected[row_id] = "" if code == "present" else code
    fresh(page)
    for row_id, code in expected.items():
        classes = page.locator(f"#{row_id}").get_attribute("class") or ""
        assert (code in classes.split()) if code else not ({"absent", "ill", "late"} & set(classes.split())), (row_id, code, classes, page.url)
    assert_clean(page)


def _open_journal(page, base_url, who):
    if who != "deputy":
        page.goto(base_url + "/staff")
        page.locator("#journals-title + ul a").first.click()
        expect(page).to_have_url(re.compile("/journal/a/"))
        expect(page.locator("#jg")).to_be_visible()
    else:
        page.goto(base_url + "/staff")
        open_demo_journal(page, base_url)


def test_a_row_of_marks_by_keyboard_and_one_by_touch(watched, base_url):
    page = watched
    who = open_lesson_to_fill(page, base_url)
    _open_journal(page, base_url, who)
    row = page.locator("#jg tbody tr").first
    cells = row.locator("td[tabindex]")
    expect(cells.first).to_be_attached()
    n = min(cells.count(), 4)
    assert n >= 1, "no writable column"
    values = ["5", "4", "3", "5"][:n]
    start = cells.nth(cells.count() - n)
    start.focus()
    for value in values:
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#jg td.busy")).to_have_count(0)
    pupil = row.get_attribute("data-p")
    fresh(page)
    row = page.locator(f"#jg tbody tr[data-p='{pupil}']")
    cells = row.locator("td[tabindex]")
    typed = [cells.nth(cells.count() - n + i).locator("b").first.inner_text() for i in range(n)]
    assert typed == values
    # touch: a tap on the next pupil's last writable cell opens the picker; a tap on a value saves it
    other = page.locator("#jg tbody tr").nth(1).locator("td[tabindex]").last
    other.click()
    page.locator(".jpk button", has_text=re.compile("^4$")).click()
    expect(other).to_be_attached()
    second = page.locator("#jg tbody tr").nth(1).locator("td[tabindex]").last
    expect(second.locator("b").first).to_have_text("4")
    expect(second).to_have_class(re.compile(r"\bok\b"))
    # keyboard, with a comment: Shift+F2 on a cell, type the comment, Tab to a mark, Enter
    third = page.locator("#jg tbody tr").nth(2).locator("td[tabindex]").last
    third.focus()
    page.keyboard.press("Shift+F2")
    page.keyboard.type("Кайра айтып берди")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "3":
            break
    page.keyboard.press("Enter")
    third = page.locator("#jg tbody tr").nth(2).locator("td[tabindex]").last
    expect(third.locator("b").first).to_have_text("3")
    expect(third).to_have_attribute("title", "Кайра айтып берди")
    assert_clean(page)
