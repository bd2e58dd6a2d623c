"""In Chromium on the demo: the deputy records an absence, assigns the suggested substitute,
and the pupil (`student`) sees the substitute in her timetable. No CSP violation on the way."""
import re
from datetime import date, timedelta

from playwright.sync_api import expect

from kundoluk.demo import data
from kundoluk.timetable import schooldays
from tests.conftest import fixed_now
from tests.conftest import assert_clean, sign_in

TEACHER = " ".join(part for part in data.DEMO_NAMES["teacher"] if part)


def candidate_days(today):
    """School days to try: this week's, then (in summer, or in a holiday) the year's last week."""
    first_year = today.year if today.month >= 9 else today.year - 1
    last = date(first_year + 1, *data.QUARTERS[-1][1])
    weeks = [schooldays.monday(today), schooldays.monday(last)]
    days = [monday + timedelta(days=i) for monday in weeks for i in range(5)]
    return [day for day in days if day != today]  # other browser tests work on today's lessons


def record_absence(page, base_url, day):
    """Record the demo teacher away on a day; the absence page's lesson of 7-А, or None."""
    page.goto(base_url + "/timetable/absences")
    page.select_option("#teacher", label=TEACHER)
    page.fill("#starts_on", day.isoformat())
    page.fill("#ends_on", day.isoformat())
    page.fill("#reason", "семинар")
    page.click("form[action='/timetable/absences'] button[type=submit]")
    # htmx swaps the answer in: the absence's page, or the form again with what was wrong
    page.wait_for_function("() => location.pathname !== '/timetable/absences'"
                           " || document.querySelector('#problems, .field.bad') !== null")
    if "/timetable/absences/" not in page.url:
        return None  # already away that day (the demo's own absence), or no school day
    rows = page.locator("section.tt-cover-row", has_text="7-А").filter(has=page.locator("form.tt-cover"))
    return rows.first if rows.count() else None


def test_the_deputy_assigns_a_substitute_and_the_pupil_sees_it(watched, base_url):
    page = watched
    sign_in(page, base_url, "deputy")
    expect(page).to_have_url(re.compile("/staff$|/journal|/timetable|/$"))
    row, day = None, None
    for day in candidate_days(fixed_now().date()):
        row = record_absence(page, base_url, day)
        if row is not None:
            break
    assert row is not None, "no lesson of 7-А to cover"
    lesson_id = row.get_attribute("id").removeprefix("lesson-")
    chosen = row.locator("label.tt-candidate", has=page.locator("input:checked"))
    substitute = chosen.locator(".tt-name").inner_text().strip()
    row.locator("form.tt-cover button[type=submit]").click()
    page.wait_for_load_state()
    covered = page.locator(f"#lesson-{lesson_id}")
    expect(covered.locator(".tag.sub")).to_contain_text(substitute)
    assert_clean(page)

    page.context.clear_cookies()
    sign_in(page, base_url, "student")
    page.goto(f"{base_url}/timetable/my?week={day.isoformat()}")
    lesson = page.locator(f"#lesson-{lesson_id}")
    expect(lesson).to_be_visible()
    expect(lesson.locator(".tag.sub")).to_contain_text(substitute)
    expect(lesson.locator("s")).to_have_text(TEACHER)
    assert_clean(page)
