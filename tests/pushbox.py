"""A fake push service on 127.0.0.1: checks the VAPID signature and decrypts each message.

Like a real push service it answers 201, or whatever status the test queues next.
"""
import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushBox:
    def __init__(self):
        self.devices = {}        # path -> (private key, auth secret)
        self.received = []       # (path, headers, decoded JSON)
        self.statuses = []       # statuses to answer next (default 201)
        self.on_message = None   # callback after each accepted message
        self.lock = threading.Lock()
        box = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = box.accept(self.path, self.headers, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def subscription(self):
        """A browser-like PushSubscription JSON with keys only this box can decrypt."""
        key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        path = f"/push/{b64(os.urandom(9))}"
        self.devices[path] = (key, auth)
        public = key.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.origin + path, "keys": {"p256dh": b64(public), "auth": b64(auth)}}

    def accept(self, path, headers, body):
        with self.lock:
            status = self.statuses.pop(0) if self.statuses else 201
        if status >= 300:
            return status
        scheme, _, params = headers["Authorization"].partition(" ")
        assert scheme == "vapid"
        fields = dict(part.strip().split("=", 1) for part in params.split(","))
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(fields["k"]))
        claims = jwt.decode(fields["t"], key=public, algorithms=["ES256"], audience=self.origin)
        assert claims["sub"].startswith("mailto:")
        key, auth = self.devices[path]
        plain = http_ece.decrypt(body, private_key=key, auth_secret=auth, version="aes128gcm")
        with self.lock:
            self.received.append((path, {k.lower(): v for k, v in headers.items()}, json.loads(plain), fields["k"]))
        if self.on_message:
            self.on_message(self)
        return status

    def messages(self, subscription=None):
        path = subscription["endpoint"].removeprefix(self.origin) if subscription else None
        return [m for p, _h, m, _k in self.received if path is None or p == path]

    def close(self):
        self.server.shutdown()
