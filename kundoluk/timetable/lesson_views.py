"""Lesson pages for staff and the deputy's desk: a class's week, one lesson and its changes,
covering a lesson, one-off lessons, flagged lessons, kiosk links and the monthly pay report
(teachers' absences are in absence_views, cancellations for several grades in cancellation_views)."""
from datetime import date, timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.models import Cancellation
from kundoluk.timetable import actions, bp, forms, lesson_actions, lesson_queries, queries, substitutes
from kundoluk.timetable.actions import Refused
from kundoluk.timetable.views import (
    assignment_choices, date_arg, is_editor, refuse, room_choices, school_id, week_arg,
)
from kundoluk.web import access
from kundoluk.web.access import PAY_READERS, TIMETABLE_EDITORS, TIMETABLE_READERS, policy
from kundoluk.web.htmx import render


def actor():
    return current_user.account


# --- A class's lessons of a week --------------------------------------------------------------

@bp.get("/classes/<class_id>/week")
@policy(TIMETABLE_READERS)
def class_week(class_id):
    school_class = queries.get_class_or_404(class_id)
    groups = queries.list_class_groups(school_class)
    start = week_arg()
    views = lesson_queries.class_week(school_class, start)
    holidays = lesson_queries.holidays_between(school_class.school_id, school_class.grade, start, start + timedelta(days=6))
    return render("timetable/class_week.html", school_class=school_class, groups=groups, start=start,
                  days=lesson_queries.week_days(start, views, holidays), editor=is_editor(),
                  prev_week=start - timedelta(days=7), next_week=start + timedelta(days=7))


# --- One lesson ---------------------------------------------------------------------------------

def _lesson_forms(view, submitted=None):
    lesson = view.lesson
    pid = lesson.public_id
    made = {
        "cancel": forms.ReasonForm(prefix=forms.prefix("cancel", pid), base_version=lesson.version),
        "restore": forms.ReasonForm(prefix=forms.prefix("restore", pid), base_version=lesson.version),
        "keep": forms.ReasonForm(prefix=forms.prefix("keep", pid), base_version=lesson.version),
        "unsub": forms.ReasonForm(prefix=forms.prefix("unsub", pid), base_version=lesson.version),
        "move": forms.MoveForm(prefix=forms.prefix("move", pid), base_version=lesson.version, on_date=lesson.on_date,
                               period=lesson.period),
        "room": forms.LessonRoomForm(prefix=forms.prefix("room", pid), base_version=lesson.version,
                                     room=view.room.public_id if view.room else ""),
    }
    made.update(submitted or {})
    made["room"].room.choices = room_choices(lesson.school_id, blank=False)
    return made


def _lesson_page(view, submitted=None, problems=(), status=200):
    lesson = view.lesson
    editor = is_editor()
    cancellation = db.session.get(Cancellation, lesson.cancellation_id) if lesson.cancellation_id else None
    return render("timetable/lesson.html", view=view, lesson=lesson, changes=lesson_queries.lesson_changes(lesson.id),
                  editor=editor, forms=_lesson_forms(view, submitted) if editor else {},
                  cancellation=cancellation, problems=problems,
                  has_content=queries.has_content(lesson) if lesson.flag else False), status


@bp.get("/lessons/<lesson_id>")
@policy(TIMETABLE_READERS)
def lesson(lesson_id):
    view = lesson_queries.lesson_view_or_404(lesson_id)
    access.require_lesson_reader(current_user, view.lesson, view.group.school_class_id)
    return _lesson_page(view)


def _lesson_write(lesson_id, name, form_class, act):
    """Shared POST flow: validate, act, commit, back to the lesson; or the page with the errors."""
    view = lesson_queries.lesson_view_or_404(lesson_id)
    form = form_class(prefix=forms.prefix(name, lesson_id))
    if name == "room":
        form.room.choices = room_choices(view.lesson.school_id, blank=False)
    problems, status = [], 422
    if form.validate_on_submit():
        try:
            act(view.lesson, form)
            db.session.commit()
            flash(_("Saved."))
            return redirect(url_for("timetable.lesson", lesson_id=lesson_id))
        except Refused as refused:
            db.session.rollback()
            problems, status = refused.messages, refused.status
            view = lesson_queries.lesson_view_or_404(lesson_id)
    return _lesson_page(view, {name: form}, problems, status)


def contract_args(form):
    return dict(actor=actor(), reason=form.reason.data, client_id=form.client_id.data, base_version=form.version())


@bp.post("/lessons/<lesson_id>/cancel")
@policy(TIMETABLE_EDITORS)
def lesson_cancel(lesson_id):
    return _lesson_write(lesson_id, "cancel", forms.ReasonForm,
                         lambda lesson, form: lesson_actions.cancel_lesson(lesson, **contract_args(form)))


@bp.post("/lessons/<lesson_id>/restore")
@policy(TIMETABLE_EDITORS)
def lesson_restore(lesson_id):
    return _lesson_write(lesson_id, "restore", forms.ReasonForm,
                         lambda lesson, form: lesson_actions.restore_lesson(lesson, **contract_args(form)))


@bp.post("/lessons/<lesson_id>/keep")
@policy(TIMETABLE_EDITORS)
def lesson_keep(lesson_id):
    return _lesson_write(lesson_id, "keep", forms.ReasonForm,
                         lambda lesson, form: lesson_actions.keep_lesson(lesson, **contract_args(form)))


@bp.post("/lessons/<lesson_id>/move")
@policy(TIMETABLE_EDITORS)
def lesson_move(lesson_id):
    return _lesson_write(lesson_id, "move", forms.MoveForm, lambda lesson, form: lesson_actions.move_lesson(
        lesson, on_date=form.on_date.data, period=form.period.data, **contract_args(form)))


@bp.post("/lessons/<lesson_id>/room")
@policy(TIMETABLE_EDITORS)
def lesson_room(lesson_id):
    return _lesson_write(lesson_id, "room", forms.LessonRoomForm, lambda lesson, form: lesson_actions.change_room(
        lesson, room=queries.find_room(lesson.school_id, form.room.data), **contract_args(form)))


@bp.post("/lessons/<lesson_id>/unsubstitute")
@policy(TIMETABLE_EDITORS)
def lesson_unsubstitute(lesson_id):
    return _lesson_write(lesson_id, "unsub", forms.ReasonForm,
                         lambda lesson, form: lesson_actions.remove_substitute(lesson, **contract_args(form)))


# --- Covering a lesson: suggestions and assigning a substitute -------------------------------------

def substitute_form(view, candidates, form=None, absence=None):
    lesson = view.lesson
    form = form or forms.SubstituteForm(prefix=forms.prefix("sub", lesson.public_id), base_version=lesson.version,
                                        absence=absence.public_id if absence else "")
    form.teacher.choices = [(c.person.public_id, c.person.full_name) for c in candidates]
    return form


@bp.get("/lessons/<lesson_id>/cover")
@policy(TIMETABLE_EDITORS)
def lesson_cover(lesson_id):
    view = lesson_queries.lesson_view_or_404(lesson_id)
    return _cover_page(view)


def _cover_page(view, form=None, problems=(), status=200):
    suggestions = substitutes.suggest(view.lesson.school_id, [view], _bells_for([view]))
    candidates = suggestions.get(view.lesson.id, [])
    return render("timetable/cover.html", view=view, candidates=candidates,
                  form=substitute_form(view, candidates, form), problems=problems), status


def _bells_for(views):
    dates = [v.lesson.on_date for v in views]
    return queries.load_bells(views[0].lesson.school_id, min(dates), max(dates)) if views else None


@bp.post("/lessons/<lesson_id>/substitute")
@policy(TIMETABLE_EDITORS)
def lesson_substitute(lesson_id):
    view = lesson_queries.lesson_view_or_404(lesson_id)
    lesson = view.lesson
    form = forms.SubstituteForm(prefix=forms.prefix("sub", lesson_id))
    form.teacher.choices = []
    problems, status = [], 422
    if form.validate_on_submit():
        substitute = queries.find_teacher(lesson.school_id, form.teacher.data, lesson.on_date)
        absence = _absence_of_form(form, lesson)
        try:
            lesson_actions.assign_substitute(lesson, substitute, absence=absence, **contract_args(form))
            db.session.commit()
            flash(_("Substitute assigned."))
            back = request.args.get("back")
            if absence is not None and back == "absence":
                return redirect(url_for("timetable.absence", absence_id=absence.public_id) + f"#lesson-{lesson_id}")
            return redirect(url_for("timetable.lesson", lesson_id=lesson_id))
        except Refused as refused:
            db.session.rollback()
            problems, status = refused.messages, refused.status
            view = lesson_queries.lesson_view_or_404(lesson_id)
    return _cover_page(view, form, problems, status)


def _absence_of_form(form, lesson):
    """The absence the form names (it must be of this lesson's teacher and date), else one that covers the lesson."""
    if form.absence.data:
        absence = queries.get_absence_or_404(form.absence.data)
        if absence.teacher_id in (lesson.teacher_id, lesson.taught_by_id) and \
                absence.starts_on <= lesson.on_date <= absence.ends_on:
            return absence
        abort(404)
    return None


# --- One-off lessons --------------------------------------------------------------------------------

def _lesson_add_form(school_class, form=None):
    day = clock.today()
    form = form or forms.LessonAddForm(on_date=date_arg("on", day), period=request.args.get("period", type=int))
    form.assignment.choices = assignment_choices(school_class, None, form.on_date.data or day)
    form.room.choices = room_choices(school_class.school_id)
    return form


@bp.get("/classes/<class_id>/lessons/new")
@policy(TIMETABLE_EDITORS)
def lesson_new(class_id):
    school_class = queries.get_class_or_404(class_id)
    return render("timetable/lesson_new.html", school_class=school_class, form=_lesson_add_form(school_class),
                  problems=[])


@bp.post("/classes/<class_id>/lessons")
@policy(TIMETABLE_EDITORS)
def lesson_add(class_id):
    school_class = queries.get_class_or_404(class_id)
    form = _lesson_add_form(school_class, forms.LessonAddForm())
    problems, status = [], 422
    if form.validate_on_submit():
        assignment = queries.find_assignment(school_class.school_id, form.assignment.data)
        room = queries.find_room(school_class.school_id, form.room.data)
        if assignment is None or assignment.public_id not in dict(form.assignment.choices):
            refuse(form.assignment, _("Choose a subject and teacher of this class."))
        elif form.room.data and room is None:
            refuse(form.room, _("Choose a room of this school."))
        else:
            try:
                made = lesson_actions.add_lesson(school_class.school_id, assignment, on_date=form.on_date.data,
                                                 period=form.period.data, room=room, actor=actor(),
                                                 reason=form.reason.data, client_id=form.client_id.data)
                db.session.commit()
                flash(_("Lesson added."))
                return redirect(url_for("timetable.lesson", lesson_id=made.public_id))
            except Refused as refused:
                db.session.rollback()
                problems, status = refused.messages, refused.status
    return render("timetable/lesson_new.html", school_class=school_class, form=form, problems=problems), status


# --- Flagged lessons, re-sync -------------------------------------------------------------------------

@bp.get("/flagged")
@policy(TIMETABLE_EDITORS)
def flagged():
    views, with_content = lesson_queries.list_flagged(school_id())
    return render("timetable/flagged.html", views=views, with_content=with_content)


@bp.post("/resync")
@policy(TIMETABLE_EDITORS)
def resync():
    form = forms.EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    result = actions.resync(school_id(), actor=actor(), reason=_("term or holiday dates changed"))
    db.session.commit()
    flash(_("Lessons brought in line with the calendar: %(created)s added, %(deleted)s removed, "
            "%(flagged)s flagged for you.", created=result.created, deleted=result.deleted, flagged=result.flagged))
    return redirect(url_for("timetable.index"))


# --- Kiosk links ----------------------------------------------------------------------------------------

@bp.get("/kiosk")
@policy(TIMETABLE_EDITORS)
def kiosk_links():
    return render("timetable/kiosk.html", links=queries.list_kiosk_links(school_id()), form=forms.KioskForm(),
                  revoke_form=forms.EmptyForm(), new_url=None)


@bp.post("/kiosk")
@policy(TIMETABLE_EDITORS)
def kiosk_add():
    form = forms.KioskForm()
    new_url, status = None, 422
    if form.validate_on_submit():
        try:
            _link, token = lesson_actions.create_kiosk_link(school_id(), form.label.data, actor())
            db.session.commit()
            # shown once: only a keyed hash of the token is stored
            new_url, status = url_for("timetable.board", token=token, _external=True), 201
            form = forms.KioskForm(formdata=None)
        except Refused as refused:
            db.session.rollback()
            refuse(form.label, " ".join(refused.messages))
    return render("timetable/kiosk.html", links=queries.list_kiosk_links(school_id()), form=form,
                  revoke_form=forms.EmptyForm(), new_url=new_url), status


@bp.post("/kiosk/<link_id>/revoke")
@policy(TIMETABLE_EDITORS)
def kiosk_revoke(link_id):
    link = queries.get_kiosk_link_or_404(link_id)
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    lesson_actions.revoke_kiosk_link(link)
    db.session.commit()
    flash(_("The link no longer works."))
    return redirect(url_for("timetable.kiosk_links"))


# --- Pay ------------------------------------------------------------------------------------------------

def _month_arg():
    raw = request.args.get("month")
    today = clock.today()
    if not raw:
        return date(today.year, today.month, 1)
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        abort(404)


@bp.get("/pay")
@policy(PAY_READERS)
def pay():
    start = _month_arg()
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    rows, until = substitutes.pay_report(school_id(), start, end)
    return render("timetable/pay.html", rows=rows, start=start, end=end, until=until,
                  prev_month=(start - timedelta(days=1)).replace(day=1), next_month=end + timedelta(days=1))
