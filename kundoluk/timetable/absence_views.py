"""A teacher's absences: recording one, its page with the lessons to cover, changing its days
or reason (the teacher is back early, or away longer) and withdrawing one recorded by mistake."""
from datetime import timedelta

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.timetable import bp, forms, lesson_actions, queries, substitutes
from kundoluk.timetable.actions import Refused
from kundoluk.timetable.lesson_views import actor, contract_args, substitute_form
from kundoluk.timetable.views import school_id
from kundoluk.web.access import TIMETABLE_EDITORS, policy
from kundoluk.web.htmx import render


def _absence_form(form=None):
    form = form or forms.AbsenceForm(starts_on=clock.today(), ends_on=clock.today())
    form.teacher.choices = [(p.public_id, p.full_name) for p in queries.list_teachers(school_id())]
    return form


def _absences_page(form=None, problems=(), status=200):
    since = clock.today() - timedelta(days=31)
    return render("timetable/absences.html", absences=substitutes.list_absences(school_id(), since),
                  form=_absence_form(form), problems=problems), status


@bp.get("/absences")
@policy(TIMETABLE_EDITORS)
def absences():
    return _absences_page()


@bp.post("/absences")
@policy(TIMETABLE_EDITORS)
def absence_add():
    form = _absence_form(forms.AbsenceForm())
    problems, status = [], 422
    if form.validate_on_submit():
        teacher = queries.find_teacher(school_id(), form.teacher.data, form.starts_on.data)
        try:
            absence = lesson_actions.record_absence(
                school_id(), teacher, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                reason=form.reason.data, actor=actor(), client_id=form.client_id.data)
            db.session.commit()
            return redirect(url_for("timetable.absence", absence_id=absence.public_id))
        except Refused as refused:
            db.session.rollback()
            problems, status = refused.messages, refused.status
    return _absences_page(form, problems, status)


@bp.get("/absences/<absence_id>")
@policy(TIMETABLE_EDITORS)
def absence(absence_id):
    return _absence_page(queries.get_absence_or_404(absence_id))


def _absence_page(found, submitted=None, problems=(), conflict=None, status=200):
    bells = queries.load_bells(found.school_id, found.starts_on, found.ends_on)
    views = substitutes.absence_lessons(found, bells)
    suggestions = substitutes.suggest(found.school_id, views, bells, found.teacher_id)
    rows = [(v, suggestions.get(v.lesson.id, []), substitute_form(v, suggestions.get(v.lesson.id, []), absence=found),
             forms.ReasonForm(prefix=forms.prefix("cancel", v.lesson.public_id), base_version=v.lesson.version))
            for v in views]
    made = {"change": forms.AbsenceChangeForm(prefix=forms.prefix("change", found.public_id),
                                              base_version=found.version, starts_on=found.starts_on,
                                              ends_on=found.ends_on, reason=found.reason),
            "withdraw": forms.ReasonForm(prefix=forms.prefix("withdraw", found.public_id), base_version=found.version)}
    made.update(submitted or {})
    message = None
    if conflict is not None:
        message = _("Someone changed this while you were editing. Compare, then send again to keep yours.")
    return render("timetable/absence.html", absence=found, rows=rows, teacher=_absent_person(found, views),
                  forms=made, can_withdraw=found.starts_on > clock.today(), problems=problems,
                  conflict=conflict or [], conflict_message=message), status


@bp.post("/absences/<absence_id>")
@policy(TIMETABLE_EDITORS)
def absence_save(absence_id):
    found = queries.get_absence_or_404(absence_id)
    form = forms.AbsenceChangeForm(prefix=forms.prefix("change", absence_id))
    problems, status, conflict = [], 422, None
    if form.validate_on_submit():
        try:
            lesson_actions.change_absence(found, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                          **contract_args(form))
            db.session.commit()
            flash(_("Saved."))
            return redirect(url_for("timetable.absence", absence_id=absence_id))
        except Refused as refused:
            db.session.rollback()
            problems, status = refused.messages, refused.status
            if status == 409 and form.version() != found.version:
                problems, conflict = [], _absence_conflict(form, found)
    return _absence_page(found, {"change": form}, problems, conflict, status)


def _absence_conflict(form, found):
    """(label, yours, saved) for each field saved differently meanwhile; the form now names the
    saved version and a fresh client id, so sending it again keeps yours."""
    saved = {"starts_on": found.starts_on, "ends_on": found.ends_on, "reason": found.reason}
    rows = [(form[name].label.text, form[name].data, value) for name, value in saved.items()
            if form[name].data != value]
    form.base_version.data, form.client_id.data = found.version, forms.new_client_id()
    return rows


@bp.post("/absences/<absence_id>/withdraw")
@policy(TIMETABLE_EDITORS)
def absence_withdraw(absence_id):
    found = queries.get_absence_or_404(absence_id)
    form = forms.ReasonForm(prefix=forms.prefix("withdraw", absence_id))
    problems, status = [], 422
    if form.validate_on_submit():
        try:
            lesson_actions.withdraw_absence(found, **contract_args(form))
            db.session.commit()
            flash(_("The absence is withdrawn; its lessons are back with their teacher."))
            return redirect(url_for("timetable.absences"))
        except Refused as refused:
            db.session.rollback()
            problems, status = refused.messages, refused.status
    return _absence_page(found, {"withdraw": form}, problems, status=status)


def _absent_person(absence, views):
    for view in views:
        for person in (view.teacher, view.taught_by):
            if person.id == absence.teacher_id:
                return person
    return absence.teacher


@bp.post("/absences/<absence_id>/lessons/<lesson_id>/cancel")
@policy(TIMETABLE_EDITORS)
def absence_lesson_cancel(absence_id, lesson_id):
    found = queries.get_absence_or_404(absence_id)
    lesson = queries.get_lesson_or_404(lesson_id)
    form = forms.ReasonForm(prefix=forms.prefix("cancel", lesson_id))
    if form.validate_on_submit():
        try:
            lesson_actions.cancel_lesson(lesson, absence=found, **contract_args(form))
            db.session.commit()
            flash(_("Lesson cancelled."))
        except Refused as refused:
            db.session.rollback()
            flash(" ".join(refused.messages), "bad")
    else:
        flash(_("Say why (the reason is kept with the change)."), "bad")
    return redirect(url_for("timetable.absence", absence_id=absence_id) + f"#lesson-{lesson_id}")
