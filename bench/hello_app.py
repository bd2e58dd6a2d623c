"""A bare Flask app that answers "Hello": the hello-world baseline of bench/diary_server.py.

    .venv/bin/gunicorn -w 2 -b 127.0.0.1:8001 --chdir bench hello_app:app
"""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello"
