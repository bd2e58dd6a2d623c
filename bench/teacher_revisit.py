"""Print what a teacher's day costs on the wire: the first visit, and the visits after it.

    .venv/bin/python bench/teacher_revisit.py [--login teacher] [--visits 3] [--quiet 2]

Starts `python app.py` on a fresh temporary demo (as bench/diary_first_visit.py, whose CDP
recorder it uses: page and service worker requests, bytes as sent), signs the teacher in, and
opens their home (the teacher's day) in a cold browser context, then visits it again
`--visits` times, each until `--quiet` seconds without network activity. After every visit
the worker fetches the day's lessons and journals so they open offline; an unchanged page
answers 304 (an ETag on every page), so a repeat visit costs headers, not pages.
"""
import argparse
import os
import sys

from playwright.sync_api import sync_playwright

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from diary_first_visit import Recorder, launch, sign_in_in_browser, wait_quiet  # noqa: E402


def summary(rows):
    statuses = {}
    for row in rows:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    total = sum(r["bytes"] or 0 for r in rows)
    return f"{len(rows)} requests, {total / 1024:.1f} KB ({total} B); statuses {dict(sorted(statuses.items(), key=str))}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--login", default="teacher")
    parser.add_argument("--visits", type=int, default=3)
    parser.add_argument("--quiet", type=float, default=2.0)
    args = parser.parse_args()
    with benchlib.DemoServer() as srv, sync_playwright() as p:
        browser = launch(p)
        try:
            url, cookies = sign_in_in_browser(browser, srv.base, args.login)
            print(f"dev server {srv.base}, today {srv.today}, {args.login} lands on {url.removeprefix(srv.base)}; "
                  f"load {benchlib.loadavg()}")
            context = browser.new_context()
            context.add_cookies(cookies)
            page = context.new_page()
            rec = Recorder(context, page)
            page.goto(url, wait_until="load")
            wait_quiet(page, rec, args.quiet)
            print(f"first visit:  page {summary(rec.rows('page'))}; worker {summary(rec.rows('worker'))}")
            for n in range(args.visits):
                rec.reset()
                page.goto(url, wait_until="load")
                wait_quiet(page, rec, args.quiet)
                print(f"visit {n + 2}:      page {summary(rec.rows('page'))}; worker {summary(rec.rows('worker'))}")
            for row in rec.rows("worker"):
                print(f"   {row['bytes'] or 0:>7} B  {row['status']}  {row['url'].removeprefix(srv.base) if row['url'] else '-'}")
            context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
