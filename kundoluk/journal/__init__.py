"""The teacher's journal (issue 5): the teacher's day, attendance, marks, lesson content,
remarks, term and year marks, the class teacher's excuses and the deputy's journal discipline."""
import hashlib
import hmac

from flask import Blueprint, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kundoluk.web import nav
from kundoluk.web.access import JOURNAL_DISCIPLINE, staff

bp = Blueprint("journal", __name__, url_prefix="/journal")

nav.register("journal.day", _l("My day"), staff("teacher", "class_teacher"), 20)
nav.register("journal.journals", _l("Journals"), staff("teacher", "class_teacher"), 21)
nav.register("journal.discipline_page", _l("Journal discipline"), JOURNAL_DISCIPLINE, 40)


@bp.app_context_processor
def _teacher_script():
    """The journal's script is loaded on staff pages only (parents' and pupils' pages stay light).

    It is in the <head> of every staff page, not just the journal's, because a boosted
    navigation swaps the body only and would not load a script that a later page asks for.
    """
    user = current_user
    staff_page = user.is_authenticated and getattr(user, "context", None) is not None and user.context.kind == "staff"
    return {"teacher_script": staff_page, "offline_author": offline_author(user.id) if staff_page else None}


def offline_author(account_id):
    """The opaque name of an account on its offline entries: stable across sessions and password
    changes (unlike the page cache's key), so a shared tablet sends each entry under its author only."""
    raw = f"offline-author:{account_id}".encode()
    return hmac.new(current_app.secret_key.encode(), raw, hashlib.sha256).hexdigest()[:20]


from kundoluk.journal import probes, schemes, views  # noqa: E402,F401

probes.register()


@bp.app_template_filter("att_short")
def _att_short(code):
    return schemes.ATTENDANCE[code][1] if code in schemes.ATTENDANCE else ""


@bp.app_template_filter("att_label")
def _att_label(code):
    return schemes.ATTENDANCE[code][0] if code in schemes.ATTENDANCE else ""


@bp.app_template_filter("kind_label")
def _kind_label(kind):
    return schemes.KINDS[kind][0] if kind in schemes.KINDS else ""


@bp.app_template_filter("kind_short")
def _kind_short(kind):
    return schemes.KIND_SHORT.get(kind, "")


@bp.app_template_filter("dm")
def _day_month(day):
    """14.10: the date of a journal column, as written in the paper journal."""
    return f"{day.day:02d}.{day.month:02d}" if day else ""
