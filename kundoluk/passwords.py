"""Password hashing: scrypt with the cost from config (n = 2^17 in production, tiny under test).

Stored as "scrypt$<n>$<r>$<p>$<salt hex>$<hash hex>", so a hash made at one cost still
verifies after the configured cost changes.
"""
import hashlib
import hmac
import os

from flask import current_app

R, P = 8, 1


def _scrypt(password, salt, n, r, p):
    # OpenSSL needs ~128·n·r bytes plus bookkeeping; werkzeug's tighter limit fails for small n.
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * n * r * p + 4 * 1024 * 1024, dklen=32)


def hash_password(password):
    """Return a salted scrypt hash of the password at the configured cost."""
    n = current_app.config["PASSWORD_SCRYPT_N"]
    salt = os.urandom(16)
    return f"scrypt${n}${R}${P}${salt.hex()}${_scrypt(password, salt, n, R, P).hex()}"


def check_password(stored_hash, password):
    """True if the password matches; False for a missing or malformed hash (not issued)."""
    try:
        scheme, n, r, p, salt, digest = (stored_hash or "").split("$")
        n, r, p = int(n), int(r), int(p)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    return hmac.compare_digest(_scrypt(password, bytes.fromhex(salt), n, r, p).hex(), digest)
