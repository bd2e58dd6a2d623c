"""A real server process for the browser tests: `python -m tests.live_server URL PORT`.

It serves the database prepared by the live_server fixture, with the test settings and
"today" pinned through KUNDOLUK_TODAY (set by the fixture), never the real date.
"""
import sys

from kundoluk import clock, create_app
from tests.conftest import test_config, fixed_now


def main():
    url, port = sys.argv[1], int(sys.argv[2])
    clock.set_now(fixed_now())  # the moment the fixture chose, never the real clock
    config = test_config(url)
    config.pop("SERVER_NAME")
    config["TESTING"] = False  # real error pages, real CSRF, as in production
    config["KUNDOLUK_ENV"] = "test"
    app = create_app(config)
    app.run(host="127.0.0.1", port=port, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
