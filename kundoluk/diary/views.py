from datetime import timedelta

from flask import Response, abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kundoluk import audit, clock
from kundoluk.diary import FAMILY, actions, bp, marks, queries, record
from kundoluk.diary import week as weeks
from kundoluk.extensions import db
from kundoluk.web import pagecache
from kundoluk.web.access import PARENT, policy, require_own_pupil
from kundoluk.web.errors import render_error
from kundoluk.web.htmx import render


def _pupil_ids():
    ctx = current_user.context
    return {current_user.person.id} if ctx.kind == "pupil" else set(ctx.child_ids)


def _is_parent():
    return current_user.context.kind == "parent"


def _children(first, last):
    return queries.list_children(_pupil_ids(), first, last)


def _child_or_404(children, public_id):
    """One of the viewer's own pupils; any other id — another family's child — is 404."""
    found = next((c for c in children if c.person.public_id == public_id), None)
    if found is None:
        abort(404)
    return found


def _bad_day():
    return render_error(400, _("Wrong date"), _("The date in the address is not a valid date within five years of today."))


@bp.get("")
@policy(FAMILY)
def index():
    ids = _pupil_ids()
    chosen = current_user.account.last_child_id
    if chosen not in ids:
        today = clock.today()
        children = _children(today, today)
        if not children:
            abort(404)
        chosen_public = children[0].person.public_id
    else:
        from kundoluk.models import Person
        chosen_public = db.session.get(Person, chosen).public_id
    return redirect(url_for("diary.week", pupil_id=chosen_public))


@bp.get("/<pupil_id>")
@pagecache.kept
@policy(FAMILY)
def week(pupil_id):
    require_own_pupil(current_user, pupil_id)  # first: another family's child is 404 whatever the date
    try:
        monday = weeks.parse_day(request.args.get("day"))
    except weeks.BadDay:
        return _bad_day()
    return pagecache.serve(lambda: _week(pupil_id, monday))


def _week(pupil_id, monday):
    sunday = monday + timedelta(days=6)
    children = _children(monday, sunday)
    child = _child_or_404(children, pupil_id)
    the_week = weeks.build(child, monday, _is_parent())
    news = []
    if not (request.htmx and request.htmx.target == "week"):
        news = queries.list_news(_pupil_ids(), current_user.account.seen_event_id, _is_parent(), clock.today())
    return render("diary/week.html", {"week": "diary/_week.html"}, child=child, children=children,
                  week_url=weeks.week_url,
                  week=the_week, news=news, parent_view=_is_parent(), offline_urls=_offline_urls(child, monday))


def _offline_urls(child, monday):
    """What the service worker fetches after this page loads, so the diary reads offline: the
    previous week, the next two, the homework list and the marks. This page itself it keeps
    from the page (app.js hands its HTML over on a first visit), not from the network again."""
    pid = child.person.public_id
    weeks_ = [weeks.week_url(pid, monday + timedelta(days=7 * n)) for n in (-1, 1, 2)]
    return weeks_ + [url_for("diary.homework", pupil_id=pid), url_for("diary.marks_page", pupil_id=pid)]


@bp.post("/seen")
@policy(FAMILY)
def seen():
    try:
        upto = int(request.form.get("upto", ""))
    except ValueError:
        abort(400)
    actions.mark_seen(current_user.account, upto)
    db.session.commit()
    return redirect(request.form.get("back") if _safe(request.form.get("back")) else url_for("diary.index"))


def _safe(path):
    return bool(path) and path.startswith("/diary/") and "//" not in path


@bp.post("/child")
@policy(PARENT)
def child_choose():
    today = clock.today()
    child = _child_or_404(_children(today, today), request.form.get("pupil_id", ""))
    actions.choose_child(current_user.account, child.person)
    db.session.commit()
    return redirect(url_for("diary.week", pupil_id=child.person.public_id))


@bp.get("/<pupil_id>/marks")
@pagecache.kept
@policy(FAMILY)
def marks_page(pupil_id):
    require_own_pupil(current_user, pupil_id)
    return pagecache.serve(lambda: _marks_page(pupil_id))


def _marks_page(pupil_id):
    today = clock.today()
    children = _children(today - timedelta(days=5 * 366), today)
    child = _child_or_404(children, pupil_id)
    report = marks.build(child, request.args.get("term"))
    if report is None:
        abort(404)
    return render("diary/marks.html", child=child, children=children, report=report,
                  parent_view=_is_parent())


@bp.post("/<pupil_id>/record")
@policy(PARENT)
def record_download(pupil_id):
    """Everything the school keeps about the child, as one workbook (the privacy notice's
    promise); the school's audit log notes who downloaded it."""
    require_own_pupil(current_user, pupil_id)
    today = clock.today()
    child = _child_or_404(_children(today - timedelta(days=5 * 366), today), pupil_id)
    body = record.workbook(child.person)
    audit.record("record_downloaded", actor=current_user.account, subject=child.person,
                 school_id=child.school.id if child.school else None)
    db.session.commit()
    return Response(body, mimetype=record.MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{record.file_name(child.person)}"',
        "Cache-Control": "no-store"})


@bp.get("/<pupil_id>/homework")
@pagecache.kept
@policy(FAMILY)
def homework(pupil_id):
    require_own_pupil(current_user, pupil_id)
    return pagecache.serve(lambda: _homework(pupil_id))


def _homework(pupil_id):
    today = clock.today()
    children = _children(today, today)
    child = _child_or_404(children, pupil_id)
    rows = queries.list_homework(child.person.id, today, today + timedelta(days=21))
    return render("diary/homework.html", child=child, children=children, rows=rows, today=today)


@bp.post("/<pupil_id>/remarks/<remark_id>/acknowledge")
@policy(FAMILY)
def remark_acknowledge(pupil_id, remark_id):
    today = clock.today()
    child = _child_or_404(_children(today - timedelta(days=366), today), pupil_id)
    remark = queries.get_remark_or_404(remark_id, child.person.id)
    if not _is_parent():
        abort(403)  # the pupil sees the remark; acknowledging it is the parents' act
    actions.acknowledge_remark(current_user.account, remark)
    db.session.commit()
    return redirect(request.form.get("back") if _safe(request.form.get("back"))
                    else url_for("diary.week", pupil_id=pupil_id))
