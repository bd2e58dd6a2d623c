"""What a notification says, in the recipient's language, with as little personal data as needed."""
from flask_babel import force_locale, gettext as _, ngettext

from kundoluk.web.i18n import localized_name

MAX_BODY = 600


def title(category):
    return {
        "mark": _("New marks"),
        "attendance": _("Attendance"),
        "homework": _("Homework"),
        "remark": _("A remark from the teacher"),
        "timetable": _("Timetable changes"),
    }.get(category, _("Kündölük"))


def _item_text(category, item, lang):
    subject = localized_name(item.get("subject") or {}, lang)
    if category == "mark":
        return _("%(subject)s: %(marks)s", subject=subject, marks=", ".join(item["values"]))
    if category == "attendance":
        from kundoluk.journal.schemes import ATTENDANCE
        code = str(ATTENDANCE[item["code"]][0]) if item.get("code") in ATTENDANCE else ""
        return _("%(subject)s: %(code)s", subject=subject, code=code)
    if category == "homework":
        return _("%(subject)s: new homework", subject=subject)
    if category == "timetable":
        return {"cancelled": _("a lesson is cancelled"), "substitute": _("a substitute teacher"),
                "moved": _("a lesson is moved"), "room": _("another room"),
                "added": _("an extra lesson"),
                "cancelled_days": _("lessons are cancelled for some days"),
                "resumed_days": _("lessons are held again")}.get(item.get("change"), _("changed"))
    return _("open the diary to read it")


def message(content, lang):
    """{title, body} for one planned delivery, rendered in lang."""
    with force_locale(lang):
        category = content["category"]
        lines = [_item_text(category, item, lang) for item in content["items"]]
        body = "%s — %s" % (content["pupil"], "; ".join(lines)) if content.get("pupil") else "; ".join(lines)
        return {"title": title(category), "body": body[:MAX_BODY]}


def digest(contents, lang):
    """One message summing up several held deliveries (quiet hours ended, or the evening digest)."""
    with force_locale(lang):
        parts = [message(c, lang)["body"] for c in contents]
        return {"title": ngettext("%(num)d new notification", "%(num)d new notifications", len(contents)),
                "body": " · ".join(parts)[:MAX_BODY]}
