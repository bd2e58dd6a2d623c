"""Print Lighthouse 12 (mobile, default simulated throttling) scores of a signed-in diary week.

    # once: Lighthouse outside the repository
    mkdir -p /tmp/lh && cd /tmp/lh && npm init -y && npm install --no-audit --no-fund lighthouse@12
    .venv/bin/python bench/diary_lighthouse.py [--login student] [--runs 3] [--keep DIR]
                                               [--lighthouse /tmp/lh/node_modules/.bin/lighthouse]

Starts `python app.py` on a fresh temporary SQLite demo (KUNDOLUK_TODAY=2026-10-14) on a
free port, signs in with requests (GET /csrf for the token, POST /login), and runs Lighthouse
on the diary week with the session passed as `--extra-headers '{"Cookie": ...}'` (Lighthouse
sends it on every request of the run). Prints performance, accessibility, best-practices and
SEO (DESIGN §4: the first three 100) of each run, then for the median run (by performance:
simulated throttling multiplies the CPU time observed on this shared machine by 4, so one run
can lose a point to a busy neighbour) the metrics and, for every category below 100, the
titles of its audits that did not pass. The Chrome profile is Lighthouse's own temporary one.
--keep DIR keeps every run's JSON and HTML report.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

LIGHTHOUSE = os.environ.get("LIGHTHOUSE", "/tmp/lh/node_modules/.bin/lighthouse")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETED = ("performance", "accessibility", "best-practices")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "cumulative-layout-shift", "speed-index", "interactive")


def run_lighthouse(lighthouse, url, cookie, out_dir, name="diary"):
    """Run Lighthouse once; returns the parsed JSON report."""
    out = os.path.join(out_dir, name)
    cmd = [lighthouse, url, "--quiet", "--output=json", "--output=html", f"--output-path={out}",
           "--only-categories=" + ",".join(CATEGORIES),
           "--extra-headers=" + json.dumps({"Cookie": cookie}),
           "--chrome-flags=--headless " + " ".join(benchlib.CHROMIUM_FLAGS)]
    env = {**os.environ, "CHROME_PATH": benchlib.CHROMIUM}
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"lighthouse exited {proc.returncode}: {proc.stderr[-2000:]}")
    with open(out + ".report.json", encoding="utf-8") as fh:
        return json.load(fh)


def failing_audits(report, category):
    """(score, title, display value) of a category's audits that did not score 1."""
    rows = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if audit.get("scoreDisplayMode") in ("notApplicable", "manual", "informative", "error") \
                or audit.get("score") is None or audit["score"] >= 1:
            continue
        rows.append((audit["score"], ref.get("weight", 0), audit["title"], audit.get("displayValue", "")))
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def print_runs(reports):
    """One line of scores per run; returns the index of the median run by performance score."""
    for n, report in enumerate(reports, 1):
        scores = " ".join(f"{name} {round((report['categories'][name]['score'] or 0) * 100)}" for name in CATEGORIES)
        tbt = report["audits"]["total-blocking-time"].get("displayValue", "-")
        print(f"  run {n}: {scores}   (TBT {tbt})")
    order = sorted(range(len(reports)), key=lambda i: reports[i]["categories"]["performance"]["score"] or 0)
    return order[len(order) // 2]


def print_report(report, url):
    final = report.get("finalDisplayedUrl") or report.get("finalUrl")
    print(f"Lighthouse {report['lighthouseVersion']}, {report['configSettings']['formFactor']}, throttling "
          f"{report['configSettings']['throttlingMethod']}; requested {url}, shown {final}")
    if final and "/login" in final:
        print("   WARNING: the run ended on the sign-in page: the session did not reach the diary")
    for name in CATEGORIES:
        score = report["categories"][name]["score"]
        target = "   target 100 " + ("OK" if score is not None and score >= 1 else "BELOW") if name in TARGETED else ""
        print(f"  {name:<15} {round((score or 0) * 100):>3}{target}")
    print("  metrics: " + ", ".join(f"{m} {report['audits'][m].get('displayValue', '-')}" for m in METRICS
                                    if m in report["audits"]))
    for name in CATEGORIES:
        if (report["categories"][name]["score"] or 0) >= 1:
            continue
        print(f"  {name}: audits that did not pass")
        for score, weight, title, value in failing_audits(report, name):
            print(f"    - {title}" + (f" ({value})" if value else "") + f"   score {score:.2f}, weight {weight}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--login", default="student")
    parser.add_argument("--lighthouse", default=LIGHTHOUSE)
    parser.add_argument("--keep", default=None, help="directory to keep the reports in")
    parser.add_argument("--runs", type=int, default=3, help="runs; the report shown is the median by performance")
    args = parser.parse_args()
    if not os.path.exists(args.lighthouse):
        sys.exit(f"no Lighthouse at {args.lighthouse}: see the docstring")
    out_dir = args.keep or tempfile.mkdtemp(prefix="kundoluk-lh-")
    os.makedirs(out_dir, exist_ok=True)
    try:
        with benchlib.DemoServer() as srv:
            session = benchlib.sign_in(srv.base, args.login)
            url = srv.base + benchlib.diary_path(session, srv.base)
            print(f"dev server {srv.base}, today {srv.today}, signed in as {args.login}; load {benchlib.loadavg()}")
            reports = [run_lighthouse(args.lighthouse, url, benchlib.cookie_header(session), out_dir, f"diary-{n + 1}")
                       for n in range(args.runs)]
            print(f"load after {benchlib.loadavg()}")
        median = print_runs(reports)
        print_report(reports[median], url)
        if args.keep:
            print(f"reports: {out_dir}/diary-N.report.html and .json; the median is run {median + 1}")
    finally:
        if not args.keep:
            shutil.rmtree(out_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
