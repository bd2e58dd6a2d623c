"""Login slips as a PDF: A4, eight to a page, each in its family's language.

A slip carries a first password only when it is printed in the response that created the
password; a slip printed later says when the password was handed out instead. Nothing
here stores or logs a password, and no ПИН is ever printed.
"""
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import make_response, render_template
from flask_babel import force_locale, format_date, gettext as _

from kundoluk import clock


@dataclass
class Slip:
    """One slip: whose, which account, the first password if just made, and who they are
    here (kind 'pupil' with the class label, 'parent' with the children's names, 'staff')."""
    person: object
    account: object
    password: str | None
    kind: str
    about: str = ""


def render_pdf(slips, school, address):
    """PDF bytes for the slips, each slip's words in its person's language."""
    from weasyprint import HTML
    html = render_template("credentials/slips.html", slips=[_texts(s, school, address) for s in slips])
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url, *args, **kwargs):
    # slips are self-contained: nothing is loaded from anywhere
    raise ValueError("slips load no resources")


def _texts(slip, school, address):
    language = slip.person.language if slip.person.language in ("ky", "ru") else "ky"
    with force_locale(language):
        return {
            "lang": language,
            "school": school.name_ky if language == "ky" else school.name_ru,
            "name": slip.person.full_name,
            "role": _role(slip),
            "login_label": _("Login"),
            "login": slip.account.login,
            "password_label": _("First password"),
            "password": slip.password,
            "handed_out": _handed_out(slip.account),
            "change": _("At the first sign-in you choose your own password."),
            "address_label": _("Address"),
            "address": address,
            "android": _("Android: open the address in Chrome, open the menu (three dots) and tap «Add to Home screen»."),
            "iphone": _("iPhone: open the address in Safari, tap Share and «Add to Home Screen»."),
        }


def _handed_out(account):
    if account.issued_at is None:
        return _("The first password was handed out earlier; if it is forgotten, ask the class teacher for a new one.")
    day = account.issued_at.astimezone(ZoneInfo(clock.DEFAULT_TZ)).date()
    return _("The first password was handed out on %(date)s; if it is forgotten, ask the class teacher for a new one.",
             date=format_date(day, "long"))


def _role(slip):
    if slip.kind == "pupil":
        return _("Pupil, class %(label)s", label=slip.about)
    if slip.kind == "parent":
        return _("Parent of %(names)s", names=slip.about)
    return _("Staff of the school")


def pdf_response(pdf, filename):
    """The PDF as a download that no cache keeps (it may hold first passwords)."""
    resp = make_response(pdf)
    resp.headers["Content-Type"] = "application/pdf"
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp
