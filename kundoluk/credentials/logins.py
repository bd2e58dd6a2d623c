"""Logins transliterated from names, and first passwords without look-alike characters.

A login is ASCII, lower-case and unique in the whole deployment (account.login); sign-in
matches it case-insensitively with spaces trimmed (kundoluk.accounts.forms.normalize_login).
"""
import re
import secrets

# Kyrgyz and Russian Cyrillic -> Latin, as people type names on a Latin keyboard.
TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "ң": "ng",
    "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ү": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y",
    "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Uzbek and Kazakh letters that turn up in names of Russian-medium classes
    "ғ": "g", "қ": "k", "ҳ": "h", "ў": "u", "ә": "a", "і": "i", "һ": "h", "ұ": "u",
}
PART_LENGTH = 12   # each name part in a login is cut to this many letters
LOGIN_MAX = 64

# No 0/O/o, 1/l/I: a first password is read off paper and typed on a phone.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
PASSWORD_LENGTH = 10


def transliterate(text):
    """Latin lower-case letters, digits and dashes for a Cyrillic or Latin name."""
    out = []
    for ch in (text or "").casefold():
        if ch in TRANSLIT:
            out.append(TRANSLIT[ch])
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
        elif ch in "- ":
            out.append("-")
    return re.sub(r"-+", "-", "".join(out)).strip("-")


def _part(text):
    return transliterate(text)[:PART_LENGTH].strip("-")


def base_login(family_name, given_name, patronymic):
    """given.family, or given.father's-name for a name without a surname ("Нурлан уулу")."""
    given = _part(given_name)
    second = _part(family_name) or _part((patronymic or "").split(" ")[0])
    base = ".".join(p for p in (given, second) if p)
    return base or "user"


def allocate(base, taken):
    """The base itself, else base2, base3…: the first not in taken (a set of logins)."""
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def like_prefix(base):
    """A LIKE pattern matching base and base<digits>; % and _ in the base are escaped."""
    return base.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def new_password():
    """A random first password from the look-alike-free alphabet (about 50 bits)."""
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
