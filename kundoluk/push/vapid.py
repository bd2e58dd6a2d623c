"""VAPID keys: from the environment in production, made once per instance in development.

Changing the keys makes every device subscribe again (the push services bind each
subscription to the public key it was made with).
"""
import base64
import json
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def generate():
    """A new key pair: (private key as base64url raw 32 bytes, public key as base64url point)."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(serialization.Encoding.X962,
                                           serialization.PublicFormat.UncompressedPoint)
    return _b64(private), _b64(public)


def instance_keys(instance_path):
    """The development key pair kept in instance/vapid.json, made on first use."""
    path = os.path.join(instance_path, "vapid.json")
    if not os.path.exists(path):
        os.makedirs(instance_path, exist_ok=True)
        private, public = generate()
        with open(path, "w") as fh:
            json.dump({"private": private, "public": public}, fh)
        os.chmod(path, 0o600)
    with open(path) as fh:
        keys = json.load(fh)
    return keys["private"], keys["public"]
