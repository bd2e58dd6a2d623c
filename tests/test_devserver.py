"""`python app.py` as a newcomer runs it: the first start seeds the demo, and a restart serves
the same SQLite file again (it once stopped at "database is locked": the check for an already
seeded demo left a write transaction open while ANALYZE waited for one)."""
import os
import subprocess
import sys
import time
import urllib.request

from tests.conftest import _free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _start_and_sign_in_page(env):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError("the demo server stopped:\n" + proc.stdout.read()[-3000:])
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as resp:
                    return resp.status
            except OSError:
                time.sleep(0.2)
        raise AssertionError("the demo server did not answer within 120 s")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_demo_server_starts_again_on_its_own_database(tmp_path):
    env = {**os.environ, "KUNDOLUK_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite'}"}
    assert _start_and_sign_in_page(env) == 200   # migrates and seeds
    assert _start_and_sign_in_page(env) == 200   # finds the demo there and serves it
