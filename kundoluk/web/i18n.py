"""Language choice and localized formatting (ky default, ru complete)."""
from flask import request
from flask_babel import format_date as babel_format_date, get_locale
from flask_login import current_user

LANGUAGES = ("ky", "ru")
COOKIE = "lang"


def select_locale():
    """The person's saved language, else the cookie, else Accept-Language, else Kyrgyz."""
    if current_user and current_user.is_authenticated:
        return current_user.language
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "ky"


def current_language():
    locale = get_locale()
    return locale.language if locale is not None else "ky"


def localized(obj, field="name"):
    """The ky or ru variant of a bilingual field (name_ky / name_ru), falling back to the other."""
    lang = current_language()
    other = "ru" if lang == "ky" else "ky"
    return getattr(obj, f"{field}_{lang}", None) or getattr(obj, f"{field}_{other}", "")


def localized_name(names, lang):
    """Pick a name from {"ky": ..., "ru": ...} for lang, falling back to the other."""
    other = "ru" if lang == "ky" else "ky"
    return names.get(lang) or names.get(other) or ""


def format_date(value, fmt="long"):
    return babel_format_date(value, fmt) if value else ""


# Day and month the way each language writes them: Kyrgyz joins the day's number to the month
# with a hyphen ("12-октябрь"), Russian does not ("12 октября"); CLDR's own patterns say so too.
DAY_PATTERNS = {"ky": "EEEE, d-MMMM", "ru": "EEEE, d MMMM"}
DAY_MONTH_PATTERNS = {"ky": "d-MMM", "ru": "d MMM"}


def format_day(value):
    """Weekday, day and month: "дүйшөмбү, 12-октябрь", "понедельник, 12 октября"."""
    return format_date(value, DAY_PATTERNS.get(current_language(), DAY_PATTERNS["ru"]))


def format_day_month(value):
    """Day and short month: "12-окт.", "12 окт."."""
    return format_date(value, DAY_MONTH_PATTERNS.get(current_language(), DAY_MONTH_PATTERNS["ru"]))
