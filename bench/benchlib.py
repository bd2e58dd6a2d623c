"""Helpers the browser and server benchmarks share: free ports, the demo dev server in a
subprocess on a temporary SQLite file, signing in with requests, stopping what was started.

Not a benchmark itself; imported by bench/diary_first_visit.py, bench/diary_lighthouse.py
and bench/diary_server.py. Every process is started here and stopped by its own PID.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
DEMO_TODAY = "2026-10-14"  # a Wednesday of the first quarter: the demo week has lessons
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port():
    """An ephemeral port Chrome does not call unsafe."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url, proc, timeout=120.0):
    """Poll url until it answers; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def stop(proc):
    """Stop one process we started (its PID only): SIGTERM, then SIGKILL after 10 s."""
    if proc is None or proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


class DemoServer:
    """`python app.py --port N` on a fresh temporary SQLite demo database, "today" pinned."""

    def __init__(self, today=DEMO_TODAY):
        self.today = today
        self.tmp = tempfile.mkdtemp(prefix="kundoluk-bench-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log = None

    def __enter__(self):
        env = {**os.environ, "KUNDOLUK_ENV": "development", "KUNDOLUK_TODAY": self.today,
               "KUNDOLUK_DATABASE_URL": "sqlite:///" + os.path.join(self.tmp, "demo.sqlite")}
        self.log = open(os.path.join(self.tmp, "server.log"), "w")
        started = time.monotonic()
        self.proc = subprocess.Popen([PYTHON, "app.py", "--port", str(self.port)], cwd=ROOT, env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_up(self.base + "/login", self.proc)
        self.start_seconds = time.monotonic() - started
        return self

    def __exit__(self, *exc):
        stop(self.proc)
        if self.log:
            self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def sign_in(base, login, password="demo"):
    """A requests.Session signed in through the real form (GET /csrf, POST /login)."""
    s = requests.Session()
    token = s.get(base + "/csrf", timeout=10).json()["token"]
    resp = s.post(base + "/login", data={"login": login, "password": password, "csrf_token": token},
                  allow_redirects=False, timeout=30)
    if resp.status_code != 302:
        raise RuntimeError(f"sign-in as {login} answered {resp.status_code}")
    return s


def diary_path(session, base):
    """The signed-in family member's diary week (where GET /diary redirects)."""
    resp = session.get(base + "/diary", allow_redirects=False, timeout=10)
    if resp.status_code != 302:
        raise RuntimeError(f"GET /diary answered {resp.status_code}")
    return resp.headers["Location"]


def cookie_header(session):
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def loadavg():
    with open("/proc/loadavg") as fh:
        return fh.read().strip()


def in_root():
    """Make `kundoluk` and `tests` importable from a bench script."""
    if ROOT not in sys.path:
        sys.path.insert(0, ROOT)
