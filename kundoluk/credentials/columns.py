"""The columns of each import, their headers in Kyrgyz, Russian and English, and the
cleaning of each cell into a value or a problem.

Headers are a file format, not interface text: a file made from the Kyrgyz template must
read back whatever the state of the translation catalogs, so they are fixed here.
"""
import re
from datetime import date, datetime

from kundoluk import clock, names
from kundoluk.credentials import pins
from kundoluk.credentials.spreadsheets import FORMULA_START, cell_text

NAME_MAX = 80

# key -> (Kyrgyz header, Russian header, other accepted spellings)
HEADERS = {
    "family_name": ("Фамилиясы", "Фамилия", ("фамилия аты", "surname", "last name")),
    "given_name": ("Аты", "Имя", ("first name", "name")),
    "patronymic": ("Атасынын аты", "Отчество", ("уулу кызы", "middle name")),
    "birth_date": ("Туулган күнү", "Дата рождения", ("туулган датасы", "birthday", "date of birth")),
    "pin": ("ПИН", "ПИН", ("жеке номер", "персональный номер", "инн", "personal number")),
    "class": ("Класс", "Класс", ("класы", "school class", "grade")),
    "language": ("Тили", "Язык", ("тил", "lang")),
    "roles": ("Кызматы", "Должность", ("ролдор", "роли", "role")),
    "pupil_family_name": ("Окуучунун фамилиясы", "Фамилия ученика", ()),
    "pupil_given_name": ("Окуучунун аты", "Имя ученика", ()),
    "pupil_patronymic": ("Окуучунун атасынын аты", "Отчество ученика", ()),
    "pupil_birth_date": ("Окуучунун туулган күнү", "Дата рождения ученика", ()),
    "pupil_pin": ("Окуучунун ПИНи", "ПИН ученика", ("окуучунун пин",)),
}

# kind -> [(column key, required)]
COLUMNS = {
    "pupils": [("family_name", False), ("given_name", True), ("patronymic", False),
               ("birth_date", False), ("pin", False), ("class", True), ("language", False)],
    "parents": [("family_name", False), ("given_name", True), ("patronymic", False),
                ("birth_date", False), ("pin", False), ("language", False),
                ("pupil_family_name", False), ("pupil_given_name", True),
                ("pupil_patronymic", False), ("pupil_birth_date", False), ("pupil_pin", False)],
    "staff": [("family_name", False), ("given_name", True), ("patronymic", False),
              ("birth_date", False), ("pin", False), ("language", False), ("roles", True),
              ("class", False)],
}
TEXT_COLUMNS = ("pin", "pupil_pin", "birth_date", "pupil_birth_date", "class")

LANGUAGE_WORDS = {
    "ky": ("ky", "kg", "кыргызча", "кыргыз", "кырг", "кыргыз тили", "кыргызский", "киргизский"),
    "ru": ("ru", "орусча", "орус", "орус тили", "русский", "рус", "русский язык"),
}
ROLE_WORDS = {
    "teacher": ("teacher", "мугалим", "предметтик мугалим", "учитель", "учитель-предметник", "педагог"),
    "class_teacher": ("class teacher", "класс жетекчи", "классный руководитель"),
    "deputy": ("deputy", "орун басар", "директордун орун басары", "завуч", "заместитель директора"),
    "director": ("director", "директор"),
    "admin": ("admin", "school administrator", "администратор", "мектеп администратору",
              "школьный администратор"),
}
# Latin letters that look like the Cyrillic class letters people mean
LETTER_LOOKALIKES = str.maketrans("ABEKMHOPCTX", "АВЕКМНОРСТХ")
DATE_FORMATS = ("%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")


def header_key(text):
    """A header folded for comparison: lower-case, ё→е, punctuation and stars dropped."""
    text = re.sub(r"\(.*?\)", " ", cell_text(text)).replace("_", " ")
    return " ".join(re.sub(r"[^\w\s]", " ", names.search_key(text)).split())


def _aliases():
    found = {}
    for key, (ky, ru, others) in HEADERS.items():
        for label in (key, ky, ru, *others):
            found[header_key(label)] = key
    return found


ALIASES = _aliases()


def map_headers(kind, cells):
    """({column index: key}, [missing required keys], [ignored header texts])."""
    wanted = {key for key, _ in COLUMNS[kind]}
    mapping, ignored = {}, []
    for index, cell in enumerate(cells):
        key = ALIASES.get(header_key(cell))
        if key in wanted and key not in mapping.values():
            mapping[index] = key
        elif cell_text(cell):
            ignored.append(cell_text(cell)[:60])
    missing = [key for key, required in COLUMNS[kind] if required and key not in mapping.values()]
    return mapping, missing, ignored


def problem(code, column=None, **params):
    return {"code": code, "column": column, **params}


class RowCleaner:
    """Turns one row's cells into clean values, collecting its problems."""

    def __init__(self, mapping, formulas, cells):
        self.values = {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}
        self.formula_keys = {mapping[i] for i in formulas if i in mapping}
        self.problems = []

    def text(self, key, limit=NAME_MAX):
        if key in self.formula_keys:
            self.problems.append(problem("formula", key))
            return ""
        value = " ".join(cell_text(self.values.get(key)).split())
        if value.startswith(FORMULA_START):
            self.problems.append(problem("formula", key))
            return ""
        if len(value) > limit:
            self.problems.append(problem("too_long", key, limit=limit))
            return ""
        return value

    def name(self, prefix=""):
        """(family, given, patronymic); a missing given name is a problem."""
        family = self.text(prefix + "family_name")
        given = self.text(prefix + "given_name")
        patronymic = self.text(prefix + "patronymic")
        if not given and not any(p["column"] == prefix + "given_name" for p in self.problems):
            self.problems.append(problem("missing_name", prefix + "given_name"))
        return family, given, patronymic

    def birth_date(self, key="birth_date"):
        raw = self.values.get(key)
        if key in self.formula_keys:
            self.problems.append(problem("formula", key))
            return None
        if isinstance(raw, (datetime, date)):
            day = raw.date() if isinstance(raw, datetime) else raw
        else:
            text = self.text(key, limit=40)
            if not text:
                return None
            day = _parse_date(text)
            if day is None:
                self.problems.append(problem("bad_date", key, value=text))
                return None
        if not date(1900, 1, 1) <= day <= clock.today():
            self.problems.append(problem("bad_date", key, value=day.strftime("%d.%m.%Y")))
            return None
        return day

    def pin(self, key="pin"):
        """(keyed hash, last four) or (None, None). The typed value is never kept or echoed."""
        raw = self.values.get(key)
        if key in self.formula_keys:
            self.problems.append(problem("formula", key))
            return None, None
        if raw is None or not cell_text(raw):
            return None, None
        if cell_text(raw).startswith(FORMULA_START):
            self.problems.append(problem("formula", key))
            return None, None
        pin = pins.clean_pin(raw)
        if pin is None:
            digits = sum(ch.isdigit() for ch in cell_text(raw))
            self.problems.append(problem("bad_pin", key, digits=digits))
            return None, None
        return pins.pin_hash(pin), pin[-4:]

    def language(self, default):
        text = names.search_key(self.text("language", limit=40))
        if not text:
            return default
        for code, words in LANGUAGE_WORDS.items():
            if text in words:
                return code
        self.problems.append(problem("unknown_language", "language", value=text))
        return default

    def roles(self):
        text = self.text("roles", limit=200)
        found = []
        for token in filter(None, (t.strip() for t in re.split(r"[,;/]", names.search_key(text)))):
            role = next((r for r, words in ROLE_WORDS.items() if token in words), None)
            if role is None:
                self.problems.append(problem("unknown_role", "roles", value=token[:40]))
            elif role not in found:
                found.append(role)
        if not text:
            self.problems.append(problem("missing_role", "roles"))
        return found

    def school_class(self, classes, required):
        """The id of a class of this year from "7-А", "7А", "7 а" or "7-A"; None if absent."""
        text = self.text("class", limit=20)
        if not text:
            if required:
                self.problems.append(problem("missing_class", "class"))
            return None
        key = class_key(text)
        if key not in classes:
            self.problems.append(problem("unknown_class", "class", value=text))
            return None
        return classes[key]


def class_key(text):
    """(grade, LETTER) from a class label as people type it; None if it is no class label."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*[-‐–— ]?\s*[\"«“']?\s*(\w{1,4}?)\s*[\"»”']?\s*", text or "")
    if not match:
        return None
    return int(match.group(1)), match.group(2).upper().translate(LETTER_LOOKALIKES)


def _parse_date(text):
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
