"""Kündölük.

`python app.py [--port N]` is the development and demo server: it migrates, seeds the
demo into an empty database and serves http://127.0.0.1:5000.
`gunicorn app:app` is production: it never migrates or seeds (see README).
"""
import argparse
import os

ROOT = os.path.dirname(os.path.abspath(__file__))


def main(argv=None):
    parser = argparse.ArgumentParser(description="Kündölük development and demo server")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)

    os.environ["KUNDOLUK_ENV"] = "development"
    from kundoluk import create_app, devserver
    from kundoluk.config import development_overrides

    app = create_app(development_overrides(os.path.join(ROOT, "instance")))
    devserver.prepare(app, f"http://{args.host}:{args.port}")
    app.run(host=args.host, port=args.port, debug=False, threaded=True, use_reloader=False)


if __name__ == "__main__":
    main()
else:
    from kundoluk import create_app

    app = create_app()
