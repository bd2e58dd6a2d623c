"""In Chromium, on the demo: a teacher works without a connection (issue 7).

Attendance entered offline waits in IndexedDB, survives closing the page and arrives once when
the page opens again online; replaying the same batch adds nothing; a conflict shows both
values and the teacher chooses; on one shared browser profile another teacher never sends
someone else's entries; sign-out warns about unsent entries and leaves no private page behind.
Results are checked in the live server's database.

The server's "today" is the suite's (a school Wednesday, or a Sunday in July in the second CI
run): on a day without the demo teachers' lessons the deputy, who may write any lesson, works.
"""
import re
import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.conftest import assert_clean, sign_in, watch

TEACHERS = ("teacher", "teacher2", "homeroom")
CODES = ("absent", "ill", "late", "excused")

READ_QUEUE = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("kundoluk-outbox", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("entries", {keyPath: "id", autoIncrement: true});
  open.onsuccess = () => {
    const req = open.result.transaction("entries").objectStore("entries").getAll();
    req.onsuccess = () => { open.result.close(); resolve(req.result); };
    req.onerror = () => reject(req.error);
  };
  open.onerror = () => reject(open.error);
})"""

WRITE_QUEUE = """(entries) => new Promise((resolve, reject) => {
  const open = indexedDB.open("kundoluk-outbox", 1);
  open.onsuccess = () => {
    const tx = open.result.transaction("entries", "readwrite");
    entries.forEach((e) => tx.objectStore("entries").put(e));
    tx.oncomplete = () => { open.result.close(); resolve(entries.length); };
    tx.onerror = () => reject(tx.error);
  };
  open.onerror = () => reject(open.error);
})"""

CACHED_PATHS = """async () => {
  const out = [];
  for (const name of await caches.keys()) {
    for (const req of await (await caches.open(name)).keys()) { out.push(new URL(req.url).pathname); }
  }
  return out;
}"""


@pytest.fixture(scope="session")
def live_db(live_server, database_url):
    """The live server's database (see conftest._live_database_url), for checking what arrived."""
    if database_url.startswith("sqlite"):
        url = database_url + ".live"
    else:
        url = sa.make_url(database_url)
        url = url.set(database=f"{url.database}_live")
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()


def sign_out(page):
    page.click("form[action='/logout'] button[type=submit]")
    expect(page).to_have_url(re.compile("/login"))


def free_rows(page):
    """Ids of the lesson's attendance rows showing "present" (no code yet)."""
    expect(page.locator("ul.jatt > li").first).to_be_attached()
    return page.evaluate("""(codes) => Array.from(document.querySelectorAll("ul.jatt > li"))
        .filter((li) => li.querySelector("button[data-c]") && !codes.some((c) => li.classList.contains(c)))
        .map((li) => li.id)""", list(CODES))


def present_rows(page, n):
    free = free_rows(page)
    assert len(free) >= n, "not enough pupils without an attendance code"
    return free[:n]


def open_writable_lesson(page, base_url, need=1):
    """A demo teacher's lesson of today with `need` pupils still without a code (earlier tests
    took some), else (no lessons today) one the deputy opens: (login, url)."""
    for login in TEACHERS:
        sign_in(page, base_url, login)
        expect(page.locator("h1")).to_be_visible()
        links = page.locator("#day-lessons li:has(.jmiss[data-miss=attendance], .jdone) a.jopen")
        for href in [links.nth(i).get_attribute("href") for i in range(links.count())]:
            page.goto(base_url + href)
            if len(free_rows(page)) >= need:
                return login, page.url
        sign_out(page)
    sign_in(page, base_url, "deputy")
    klass = page.locator("main a[href^='/classes/']", has_text=re.compile("^7-А$")).first.get_attribute("href")
    page.goto(base_url + "/journal" + klass)
    page.locator("main ul.links a[href^='/journal/a/']").first.click()
    expect(page.locator("#jg thead th.w[data-l] a").first).to_be_attached()
    links = page.locator("#jg thead th.w[data-l] a")
    for href in reversed([links.nth(i).get_attribute("href") for i in range(links.count())]):
        page.goto(base_url + href)
        if len(free_rows(page)) >= need:
            return "deputy", page.url
    raise AssertionError("no lesson with enough pupils to mark")


def tap_offline(page, row_ids, code="absent"):
    for row_id in row_ids:
        page.click(f"#{row_id} button[data-c={code}]")
        expect(page.locator(f"#{row_id}")).to_have_class(re.compile(rf"\b{code}\b.*\bq\b|\bq\b.*\b{code}\b"))
        expect(page.locator(f"#{row_id} .jst")).not_to_be_empty()


def queue(page):
    return page.evaluate(READ_QUEUE)


def poll(page, script, arg=None, timeout=20):
    """Until an async page function answers truthy (wait_for_function does not await promises)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"timed out: {script[:60]}"
        page.wait_for_timeout(200)


SENT = "async (who) => (await (" + READ_QUEUE + ")()).filter((e) => !who || e.author === who).length === 0"


def wait_until_sent(page, author=None):
    """Until nothing of this author (default: anyone) waits in the queue."""
    poll(page, SENT, author)


def author_of(page):
    return page.locator('meta[name="account"]').get_attribute("content")


def arrived(live_db, client_ids):
    """Per client_id, one (attendance code, author's login) per history row it wrote: [] if it
    never arrived, exactly one item if it arrived once."""
    stmt = sa.text("""
        SELECT h.client_id, a.code, acc.login FROM change_history h
        JOIN attendance_entry a ON a.id = h.row_id AND h.table_name = 'attendance_entry'
        JOIN account acc ON acc.id = h.actor_account_id
        WHERE h.client_id IN :ids""").bindparams(sa.bindparam("ids", expanding=True))
    with live_db.connect() as conn:
        rows = conn.execute(stmt, {"ids": list(client_ids)}).all()
    return {cid: [(code, login) for c, code, login in rows if c == cid] for cid in client_ids}


def receipts(live_db, client_ids):
    stmt = sa.text("SELECT count(*) FROM write_receipt WHERE client_id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True))
    with live_db.connect() as conn:
        return conn.execute(stmt, {"ids": list(client_ids)}).scalar()


def code_now(live_db, lesson_url, row_id):
    stmt = sa.text("""
        SELECT a.code, a.deleted_at FROM attendance_entry a JOIN lesson l ON l.id = a.lesson_id
        JOIN person p ON p.id = a.pupil_id WHERE l.public_id = :lesson AND p.public_id = :pupil""")
    with live_db.connect() as conn:
        row = conn.execute(stmt, {"lesson": lesson_url.rstrip("/").split("/")[-1],
                                  "pupil": row_id.removeprefix("att-")}).first()
    return row.code if row is not None and row.deleted_at is None else "present"


# --- Five absences offline, the page closed, opened again online ---------------------------------

def test_absences_entered_offline_arrive_once_and_a_replayed_batch_adds_nothing(context, base_url, live_db):
    page = watch(context.new_page())
    login, lesson_url = open_writable_lesson(page, base_url, 5)
    rows = present_rows(page, 5)
    context.set_offline(True)
    tap_offline(page, rows)
    expect(page.locator("#outbox .pending")).to_contain_text("5")
    batch = queue(page)
    assert len(batch) == 5 and len({e["author"] for e in batch}) == 1
    ids = [e["fields"]["client_id"] for e in batch]
    assert len(set(ids)) == 5 and all(e["fields"]["device_time"] for e in batch)
    assert all(e["url"].startswith("/journal/lessons/") for e in batch)
    page.close()                                   # closing the tab loses nothing

    context.set_offline(False)
    page = watch(context.new_page())
    page.goto(lesson_url)
    wait_until_sent(page)
    got = arrived(live_db, ids)
    assert all(got[i] == [("absent", login)] for i in ids), got
    assert receipts(live_db, ids) == 5
    page.reload()
    for row_id in rows:
        expect(page.locator(f"#{row_id}")).to_have_class(re.compile(r"\babsent\b"))
    expect(page.locator("#outbox")).to_be_hidden()

    # the same batch sent a second time (as after answers lost on the way): nothing is added
    assert page.evaluate(WRITE_QUEUE, batch) == 5
    page.reload()
    wait_until_sent(page)
    assert arrived(live_db, ids) == got and receipts(live_db, ids) == 5
    expect(page.locator("#outbox")).to_be_hidden()
    assert_clean(page)


# --- A conflict: both values shown, the teacher chooses -------------------------------------------

def test_a_conflict_shows_both_values_and_the_teacher_chooses(context, browser, base_url, live_db):
    page = watch(context.new_page())
    _login, lesson_url = open_writable_lesson(page, base_url, 2)
    mine, theirs = present_rows(page, 2)
    absent_label = page.locator(f"#{mine} button[data-c=absent]").get_attribute("title")
    ill_label = page.locator(f"#{mine} button[data-c=ill]").get_attribute("title")
    context.set_offline(True)
    tap_offline(page, [mine, theirs])

    # meanwhile the deputy, online on another device, records both pupils as ill
    other = watch(browser.new_context().new_page())
    sign_in(other, base_url, "deputy")
    other.goto(lesson_url)
    for row_id in (mine, theirs):
        other.click(f"#{row_id} button[data-c=ill]")
        expect(other.locator(f"#{row_id}")).to_have_class(re.compile(r"\bill\b.*\bok\b"))
    other.context.close()

    context.set_offline(False)
    conflicts = page.locator("#outbox li[data-state=conflict]")
    expect(conflicts).to_have_count(2)
    for n in range(2):
        expect(conflicts.nth(n)).to_contain_text(ill_label)      # saved
        expect(conflicts.nth(n)).to_contain_text(absent_label)   # mine
    assert code_now(live_db, lesson_url, mine) == code_now(live_db, lesson_url, theirs) == "ill"
    # keep mine for the first pupil, keep the saved one for the second
    first = conflicts.filter(has_text=page.locator(f"#{mine} .jwho").inner_text().split(" · ")[0])
    first.locator("button").first.click()
    expect(conflicts).to_have_count(1)
    conflicts.first.locator("button").last.click()
    expect(page.locator("#outbox")).to_be_hidden()
    wait_until_sent(page)
    assert code_now(live_db, lesson_url, mine) == "absent" and code_now(live_db, lesson_url, theirs) == "ill"
    expect(page.locator(f"#{mine}")).to_have_class(re.compile(r"\babsent\b"))
    assert_clean(page)


# --- A shared tablet: entries go only under their author ------------------------------------------

def block_journal_posts(route):
    # the school's link to the server is down for writes: nothing reaches it
    if route.request.method == "POST" and "/journal/" in route.request.url:
        route.abort("internetdisconnected")
    else:
        route.continue_()


def test_a_shared_tablet_sends_entries_only_under_their_author(context, base_url, live_db):
    page = watch(context.new_page())
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append((d.type, d.message)), d.accept()))
    login, _lesson = open_writable_lesson(page, base_url, 3)
    author = author_of(page)
    rows = present_rows(page, 3)
    context.set_offline(True)
    tap_offline(page, rows)
    context.route("**/*", block_journal_posts)
    context.set_offline(False)
    page.locator("#outbox .pending button").click()             # "send now": the server cannot be reached
    expect(page.locator("#outbox .pending")).to_contain_text("3")
    ids = [e["fields"]["client_id"] for e in queue(page)]

    page.goto(base_url + "/staff")
    sign_out(page)                                             # warned, and confirmed
    assert [kind for kind, _ in dialogs] == ["confirm"] and "3" in dialogs[0][1]
    assert page.evaluate("localStorage.length") == 0
    private = re.compile(r"^/(diary|journal|staff|timetable/my|account)")
    poll(page, "async (re) => (await (" + CACHED_PATHS + ")()).every((p) => !new RegExp(re).test(p))", private.pattern,
         timeout=5)
    assert len(queue(page)) == 3                                  # kept for their author
    context.unroute("**/*", block_journal_posts)

    other = next(t for t in ("teacher2", "teacher") if t != login)
    sign_in(page, base_url, other)
    expect(page).to_have_url(re.compile("/staff$"))
    expect(page.locator("#outbox .others")).to_contain_text("3")
    assert author_of(page) != author
    page.wait_for_timeout(1500)                                   # time enough to send, were it allowed
    assert arrived(live_db, ids) == {i: [] for i in ids} and len(queue(page)) == 3
    sign_out(page)
    assert len(dialogs) == 1                                      # nothing of B's was waiting

    sign_in(page, base_url, login)
    expect(page.locator("h1")).to_be_visible()
    wait_until_sent(page, author)
    got = arrived(live_db, ids)
    assert all(got[i] == [("absent", login)] for i in ids), got
    expect(page.locator("#outbox")).to_be_hidden()
    assert_clean(page)


# --- An expired session keeps the queue and asks to sign in again ---------------------------------

def test_an_expired_session_keeps_the_queue_and_asks_to_sign_in(context, base_url, live_db):
    page = watch(context.new_page())
    login, lesson_url = open_writable_lesson(page, base_url, 2)
    first, second = present_rows(page, 2)
    context.set_offline(True)
    tap_offline(page, [first])
    context.clear_cookies()                                       # the session ended meanwhile
    context.set_offline(False)
    expect(page.locator("#outbox .pending a[href='/login']")).to_be_visible()
    ids = [e["fields"]["client_id"] for e in queue(page)]
    assert len(ids) == 1 and arrived(live_db, ids) == {ids[0]: []}
    # a tap online now: the server asks for a sign-in; the tap waits in the queue meanwhile
    page.click(f"#{second} button[data-c=absent]")
    expect(page).to_have_url(re.compile("/login"))
    ids = [e["fields"]["client_id"] for e in queue(page)]
    assert len(ids) == 2
    page.fill("#login", login)
    page.fill("#password", "demo")
    page.click("form[action='/login'] button[type=submit]")
    expect(page).to_have_url(re.compile(re.escape(lesson_url) + "$"))  # back on the lesson
    wait_until_sent(page)
    assert arrived(live_db, ids) == {i: [("absent", login)] for i in ids}


# --- Today's lessons open offline -------------------------------------------------------------------

def test_todays_lessons_open_offline_from_the_teachers_day(context, base_url, live_db):
    page = watch(context.new_page())
    for login in TEACHERS:
        sign_in(page, base_url, login)
        expect(page.locator("h1")).to_be_visible()
        if page.locator("main[data-offline]").count():
            break
        sign_out(page)
    else:
        pytest.skip("no demo teacher gives a lesson today (a weekend or the holidays)")
    urls = page.locator("main").get_attribute("data-offline").split()
    assert urls[0].startswith("/journal/lessons/")
    lesson = None
    for url in [u for u in urls if u.startswith("/journal/lessons/")]:   # one with a pupil left to mark
        page.goto(base_url + url)
        if free_rows(page):
            lesson = url
            break
    assert lesson, "every pupil of today's lessons already has a code"
    page.goto(base_url + "/staff")
    for url in urls + ["/staff"]:                                 # the day itself too
        poll(page, "async (url) => Boolean(await caches.match(url))", url)
    context.set_offline(True)
    page.reload()                                                 # the day itself opens offline
    expect(page.locator(".banner")).to_be_visible()               # "no connection, as of ..."
    expect(page.locator(f"#day-lessons a[href='{lesson}']")).to_be_visible()
    page.click(f"#day-lessons a[href='{lesson}']")
    expect(page).to_have_url(re.compile(re.escape(lesson) + "$"))
    expect(page.locator("ul.jatt")).to_be_visible()
    rows = present_rows(page, 1)
    tap_offline(page, rows)
    ids = [e["fields"]["client_id"] for e in queue(page)]
    context.set_offline(False)
    wait_until_sent(page)
    assert arrived(live_db, ids) == {ids[0]: [("absent", login)]}
    assert_clean(page)


# --- A mark typed into the journal grid offline --------------------------------------------------

FREE_CELL = """(lesson) => {
  // an empty writable cell, in the given lesson's column if it has one
  const heads = Array.from(document.querySelectorAll("#jg thead th.w[data-l]"));
  heads.sort((a, b) => (b.dataset.l === lesson) - (a.dataset.l === lesson));
  for (const th of heads) {
    const row = Array.from(document.querySelectorAll("#jg tbody tr"))
      .find((tr) => tr.cells[th.cellIndex].hasAttribute("tabindex") && !tr.cells[th.cellIndex].querySelector("b"));
    if (row) { return [row.dataset.p, th.cellIndex + 1, th.dataset.l]; }
  }
  return null;
}"""


def test_a_mark_typed_into_the_grid_offline_arrives_later(context, base_url, live_db):
    page = watch(context.new_page())
    login, lesson_url = open_writable_lesson(page, base_url)
    page.locator("main a[href^='/journal/a/']").first.click()
    expect(page.locator("#jg td[tabindex]").first).to_be_attached()   # the grid's script is ready
    free = page.evaluate(FREE_CELL, lesson_url.rsplit("/", 1)[1])
    assert free, "no empty writable cell in the journal"
    pupil, nth, lesson = free
    cell = page.locator(f"#jg tr[data-p='{pupil}'] > :nth-child({nth})")
    context.set_offline(True)
    cell.focus()
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    expect(cell).to_have_class(re.compile(r"\bq\b"))
    expect(cell.locator("b")).to_have_text("4")
    [entry] = queue(page)
    assert entry["fields"]["value"] == "4" and entry["fields"]["base_version"] == "0"
    context.set_offline(False)
    wait_until_sent(page)
    expect(cell).not_to_have_class(re.compile(r"\bq\b"))
    with live_db.connect() as conn:
        saved = conn.execute(sa.text(
            "SELECT m.value, acc.login FROM change_history h JOIN mark m ON m.id = h.row_id AND h.table_name = 'mark' "
            "JOIN account acc ON acc.id = h.actor_account_id WHERE h.client_id = :id"),
            {"id": entry["fields"]["client_id"]}).all()
    assert [tuple(r) for r in saved] == [("4", login)]

    # the same pupil's second mark on the lesson's page of marks (the form without the grid)
    page.goto(f"{base_url}/journal/lessons/{lesson}/marks")
    form = page.locator(f"#mrow-{pupil} form:has(input[name=slot][value='2'])")
    context.set_offline(True)
    form.locator("input[name=value]").fill("5")
    form.locator("button[type=submit]").click()
    expect(page.locator(f"#mrow-{pupil}")).to_have_class(re.compile(r"\bq\b"))
    [entry] = queue(page)
    assert entry["fields"]["slot"] == "2" and entry["fields"]["value"] == "5"
    context.set_offline(False)
    wait_until_sent(page)
    expect(page.locator(f"#mrow-{pupil} .jst")).to_have_class(re.compile(r"\bok\b"))
    assert_clean(page)
