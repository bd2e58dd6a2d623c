"""The personal number (ПИН) and one-time codes, kept only as keyed hashes.

HMAC-SHA256 keyed with PIN_HASH_KEY (KUNDOLUK_PIN_KEY): without the key a stolen database
cannot be matched against the 14-digit space, which is small enough to enumerate.
A plain ПИН is never stored, logged, exported or printed; only its last four digits are
kept for display. Each use of the key names its purpose, so a ПИН hash and a code hash
can never be confused.
"""
import hashlib
import hmac
import re

from flask import current_app

PIN_LENGTH = 14
_SPACES = re.compile(r"[\s\u00a0-]+")


def keyed_hash(purpose, value):
    """64 hex digits: HMAC-SHA256 of "<purpose>:<value>" under the deployment's key."""
    key = current_app.config.get("PIN_HASH_KEY")
    if not key:
        raise RuntimeError("PIN_HASH_KEY (KUNDOLUK_PIN_KEY) is not set")
    message = f"{purpose}:{value}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def clean_pin(raw):
    """The ПИН as 14 digits, or None when it is not exactly 14 digits.

    Spaces and dashes people type between groups are dropped; a spreadsheet number
    (20101199912345 or 20101199912345.0) is accepted as its digits.
    """
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = _SPACES.sub("", str(raw))
    if len(text) == PIN_LENGTH and text.isascii() and text.isdigit():
        return text
    return None


def pin_hash(pin):
    """The keyed hash of a cleaned ПИН (for matching people on import)."""
    return keyed_hash("pin", pin)


def set_pin(person, pin):
    """Store a cleaned ПИН on a person as its keyed hash and last four digits only."""
    person.pin_hash = pin_hash(pin)
    person.pin_last4 = pin[-4:]
