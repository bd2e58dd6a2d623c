"""Person names: display form, Kyrgyz-alphabet sort key, search key.

Computed in Python and stored, so SQLite and PostgreSQL sort and search alike
whatever their collations are.
"""

# Kyrgyz alphabet order, with the Russian-only letters where Russian puts them.
ALPHABET = "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя"
_RANK = {ch: i for i, ch in enumerate(ALPHABET)}


def display_name(family_name, given_name, patronymic):
    """How a name is printed in lists: "Асанов Бакыт Жумабекович" or "Нурлан уулу Эмир".

    A name without a surname puts the father's name first, as the paper journal does.
    """
    if family_name:
        parts = (family_name, given_name, patronymic)
    else:
        parts = (patronymic, given_name)
    return " ".join(p for p in parts if p)


def short_name(family_name, given_name, patronymic):
    """Name for a greeting or a chip: given name plus surname or father's name."""
    return " ".join(p for p in (given_name, family_name or patronymic) if p)


def search_key(text):
    """Case-folded, ё → е, spaces collapsed: what search compares against."""
    return " ".join((text or "").casefold().replace("ё", "е").split())


def sort_key(display):
    """A key that sorts in Kyrgyz alphabet order (… н ң о ө п … у ү ф …) under any collation.

    Each Cyrillic letter becomes two ASCII digits of its rank; other characters keep
    their code point after all Cyrillic ones, so Latin names sort after Cyrillic ones.
    """
    out = []
    for ch in search_key(display):
        if ch == " ":
            out.append("  ")
        elif ch in _RANK:
            out.append(f"{_RANK[ch] + 10:02d}")
        elif ch.isalnum():
            out.append(f"~{ord(ch):05d}")
    return "".join(out)[:255]
