"""The teacher's day and one lesson: attendance, marks, content, homework, remarks.

Every write answers an htmx request with the small fragment it changed (a saved, failed or
conflicting state, visible where the tap happened) and a plain form post with a redirect
back, so the pages work without JavaScript.
"""
from datetime import date, timedelta

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kundoluk.extensions import db
from kundoluk.journal import actions, bp, cells, content, forms, queries, rules, schemes
from kundoluk.journal.rules import Actor, Refused
from kundoluk.web import access
from kundoluk.web.access import JOURNAL, policy, safe_next, staff
from kundoluk.web.errors import render_error
from kundoluk.web.htmx import is_fragment_request, render

TEACHERS = staff("teacher", "class_teacher", "deputy")


def _school_id():
    return current_user.context.school_id


def _lesson(lesson_id):
    view = queries.get_lesson_or_404(lesson_id, _school_id())
    return view, access.lesson_journal_access(current_user, view.lesson, view.class_id)


def _writable_lesson(lesson_id):
    view, level = _lesson(lesson_id)
    access.require_journal_write(level)
    return view


def _contract(form):
    """The write contract's fields of a posted form, parsed (422 when unreadable)."""
    return {"client_id": form.client_id.data, "base_version": rules.parse_base_version(form.base_version.data),
            "device_time": rules.parse_device_time(form.device_time.data)}


def _refusal_page(refused):
    return render_error(refused.status, _("Not saved"), refused.message)


def _back(default):
    return redirect(safe_next(request.form.get("next")) or default, 303)


# --- The teacher's day --------------------------------------------------------------------

def day_page(day=None):
    """The teacher's day (also the teacher's home): lessons with a marker for what is missing."""
    from kundoluk.home import queries as home_queries
    from kundoluk.timetable.queries import load_bells
    day = day or queries.today()
    me, ctx = current_user.person.id, current_user.context
    lessons = queries.list_day(me, day)
    bells = load_bells(ctx.school_id, day, day) if lessons else None
    notes = queries.list_open_notes(me)
    my_classes = home_queries.list_classes(ctx.school_id, ctx.class_ids) if ctx.class_ids else []
    assignments = home_queries.list_assignments(me) if ctx.has("teacher") else []
    return render("journal/day.html", day=day, lessons=lessons, bells=bells, notes=notes, me=me,
                  offline_urls=_offline_urls(lessons, me, day),
                  my_classes=my_classes, assignments=assignments, today=queries.today(), fixed_form=forms.FixedForm(),
                  previous=day - timedelta(days=1 if day.isoweekday() != 1 else 3),
                  following=day + timedelta(days=1 if day.isoweekday() < 5 else 8 - day.isoweekday()))


def _offline_urls(lessons, me, day):
    """Today's lessons the teacher gives and their journals: the service worker keeps them (and
    the day page itself), so they open in a classroom without signal (12 at most, lessons first)."""
    if day != queries.today():
        return []
    given = [row for row in lessons if row[0].status != "cancelled" and row[7].id == me]
    urls = [url_for("journal.lesson", lesson_id=row[0].public_id) for row in given]
    journals = [url_for("journal.journal", assignment_id=row[8]) for row in given if row[6].id == me]
    return urls + list(dict.fromkeys(journals))


@bp.get("/day")
@policy(TEACHERS)
def day():
    try:
        chosen = date.fromisoformat(request.args["date"]) if request.args.get("date") else None
    except ValueError:
        return render_error(400, _("Bad date"), _("The date should look like 2026-10-14."))
    return day_page(chosen)


# --- One lesson: attendance and content ---------------------------------------------------

@bp.get("/lessons/<lesson_id>")
@policy(JOURNAL)
def lesson(lesson_id):
    view, level = _lesson(lesson_id)
    rows = queries.lesson_rows(view)
    return _lesson_page(view, level, rows)


def _lesson_page(view, level, rows, content_form=None, homework_form=None, status=200, error=None):
    can_write = level == "write"
    content_form = content_form or _content_form(view)
    homework_form = homework_form or forms.HomeworkForm()
    homework_form.pupil.choices = [(r.member.pupil.public_id, r.member.pupil.full_name) for r in rows]
    return render("journal/lesson.html", view=view, rows=rows, can_write=can_write, error=error,
                  content_form=content_form, homework_form=homework_form, confirm_form=forms.ConfirmForm(),
                  window_closed=rules.window_closed(view.lesson.on_date, view.settings),
                  att_open=can_write and not _closed(view, "attendance"),
                  content_open=can_write and not _closed(view, "content"),
                  today=queries.today(), is_deputy=current_user.context.has("deputy"),
                  new_id=forms.new_client_id), status


def _content_form(view):
    c = view.content
    if c is None:
        return forms.ContentForm(formdata=None)
    return forms.ContentForm(formdata=None, topic=c.topic, covered=c.covered, homework=c.homework,
                             homework_due_on=c.homework_due_on, work_note=c.work_note, kind=c.kind,
                             weight=_weight_text(c.weight), base_version=str(c.version))


def _weight_text(weight):
    return ("%g" % float(weight)) if weight is not None else ""


@bp.post("/lessons/<lesson_id>/attendance/<pupil_id>")
@policy(JOURNAL)
def attendance_save(lesson_id, pupil_id):
    view = _writable_lesson(lesson_id)
    member = queries.get_member_or_404(view.group, pupil_id, view.lesson.on_date)
    form = forms.AttendanceForm()
    sent = form.code.data
    try:
        outcome = actions.record_attendance(view, member, Actor.of(current_user), code=sent,
                                            reason=form.reason.data, minutes=form.minutes.data, **_contract(form))
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        return _attendance_answer(view, member, refused.status, refused.message, sent)
    status = 409 if outcome.conflict else 200
    return _attendance_answer(view, member, status, None, sent)


def _attendance_answer(view, member, status, error, sent):
    entry = queries.get_entry(view.lesson.id, member.pupil.id)
    if not is_fragment_request():
        if status == 200:
            return redirect(url_for(".lesson", lesson_id=view.lesson.public_id) + "#att-" + member.pupil.public_id, 303)
        if status == 409:
            saved = entry.code if entry is not None and not entry.deleted else "present"
            error = _("%(pupil)s: someone saved \"%(theirs)s\" meanwhile; you chose \"%(mine)s\". "
                      "Go back to the lesson: it shows the saved state, and a tap sets yours.",
                      pupil=member.pupil.full_name, theirs=_code_label(saved), mine=_code_label(sent))
            return render_error(409, _("Changed meanwhile"), error)
        return render_error(status, _("Not saved"), error)
    return render("journal/_att_row.html", view=view, member=member, entry=entry, error=error, saved=status == 200,
                  conflict=status == 409, sent=sent, can_write=True, new_id=forms.new_client_id), status


def _code_label(code):
    return str(schemes.ATTENDANCE[code][0]) if code in schemes.ATTENDANCE else _("present")


@bp.post("/lessons/<lesson_id>/attendance-confirm")
@policy(JOURNAL)
def attendance_confirm(lesson_id):
    view = _writable_lesson(lesson_id)
    form = forms.ConfirmForm()
    try:
        actions.confirm_attendance(view, Actor.of(current_user), client_id=form.client_id.data,
                                   device_time=rules.parse_device_time(form.device_time.data))
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        return _refusal_page(refused)
    return redirect(url_for(".lesson", lesson_id=lesson_id) + "#attendance", 303)


@bp.post("/lessons/<lesson_id>/content")
@policy(JOURNAL)
def content_save(lesson_id):
    view = _writable_lesson(lesson_id)
    form = forms.ContentForm()
    if not form.validate():
        return _lesson_page(view, "write", queries.lesson_rows(view), content_form=form, status=422)
    try:
        outcome = content.save_content(
            view, Actor.of(current_user), topic=form.topic.data, covered=form.covered.data,
            homework=form.homework.data, homework_due_on=form.homework_due_on.data, work_note=form.work_note.data,
            kind=form.kind.data, weight=form.weight.data, **_contract(form))
    except Refused as refused:
        db.session.rollback()
        return _lesson_page(view, "write", queries.lesson_rows(view), content_form=form, status=refused.status,
                            error=refused.message)
    db.session.commit()
    if outcome.conflict:
        form.base_version.data = str(outcome.row.version if outcome.row is not None else 0)
        message = _("Someone changed this lesson's content meanwhile. The saved text is below yours; "
                    "send again to keep yours.")
        view.content = outcome.row
        return _lesson_page(view, "write", queries.lesson_rows(view), content_form=form, status=409, error=message)
    return redirect(url_for(".lesson", lesson_id=lesson_id) + "#content", 303)


@bp.post("/lessons/<lesson_id>/homework")
@policy(JOURNAL)
def homework_save(lesson_id):
    view = _writable_lesson(lesson_id)
    form = forms.HomeworkForm()
    member = queries.get_member_or_404(view.group, form.pupil.data or "-", view.lesson.on_date)
    if not form.validate():
        return _lesson_page(view, "write", queries.lesson_rows(view), homework_form=form, status=422)
    try:
        content.set_individual_homework(view, member, Actor.of(current_user), text=form.text.data,
                                        due_on=form.due_on.data, client_id=form.client_id.data)
    except Refused as refused:
        db.session.rollback()
        return _lesson_page(view, "write", queries.lesson_rows(view), homework_form=form, status=refused.status,
                            error=refused.message)
    db.session.commit()
    return redirect(url_for(".lesson", lesson_id=lesson_id) + "#homework", 303)


# --- Marks of one lesson ------------------------------------------------------------------

@bp.get("/lessons/<lesson_id>/marks")
@policy(JOURNAL)
def lesson_marks(lesson_id):
    view, level = _lesson(lesson_id)
    rows = queries.lesson_rows(view)
    open_ = level == "write" and not _closed(view, "marks")
    by_slot = {row.member.pupil.id: {m.slot: m for m in row.marks} for row in rows}
    return render("journal/lesson_marks.html", view=view, rows=rows, can_write=open_, by_slot=by_slot,
                  slots=schemes.MAX_SLOTS, values_for=schemes.values_for, new_id=forms.new_client_id)


def _closed(view, what):
    """True when the rules refuse this kind of write to the lesson now (the page shows it read-only)."""
    try:
        rules.check_lesson_write(view, Actor.of(current_user), what)
    except Refused:
        return True
    return False


@bp.post("/lessons/<lesson_id>/marks/<pupil_id>")
@policy(JOURNAL)
def mark_save(lesson_id, pupil_id):
    view = _writable_lesson(lesson_id)
    member = queries.get_member_or_404(view.group, pupil_id, view.lesson.on_date)
    form = forms.MarkForm()
    try:
        slot = int(form.slot.data or 1)
    except ValueError:
        slot = 0
    try:
        outcome = actions.record_mark(view, member, Actor.of(current_user), value=form.value.data, slot=slot,
                                      comment=form.comment.data, kind=form.kind.data, **_contract(form))
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        return _mark_answer(view, member, form, refused.status, refused.message)
    return _mark_answer(view, member, form, 409 if outcome.conflict else 200, None)


def _mark_answer(view, member, form, status, error):
    if not is_fragment_request():
        if status == 200:
            return _back(url_for(".lesson_marks", lesson_id=view.lesson.public_id))
        if status != 409:
            return render_error(status, _("Not saved"), error)
        back = safe_next(form.next.data) or url_for(".lesson_marks", lesson_id=view.lesson.public_id)
        return render("journal/conflict.html", view=view, member=member, form=form, back=back,
                      marks=queries.get_marks(view.lesson.id, member.pupil.id), new_id=forms.new_client_id), 409
    marks = queries.get_marks(view.lesson.id, member.pupil.id)
    ctx = dict(view=view, member=member, marks=marks, error=error, answer=status, sent=form.value.data,
               slot=form.slot.data, entry=None, new_id=forms.new_client_id, can_write=True, cell_html=cells.cell_html,
               slots=schemes.MAX_SLOTS.get(member.scheme, 1))
    if request.htmx.target == "mrow-" + member.pupil.public_id:
        return render("journal/_mark_row.html", status=status, **ctx)
    ctx["entry"] = queries.get_entry(view.lesson.id, member.pupil.id)
    return render("journal/_cell.html", status=status, **ctx)


# --- Remarks ------------------------------------------------------------------------------

@bp.get("/lessons/<lesson_id>/remarks")
@policy(JOURNAL)
def lesson_remarks(lesson_id):
    view, level = _lesson(lesson_id)
    return _remarks_page(view, level, forms.RemarkForm())


def _remarks_page(view, level, form, status=200, error=None):
    members = queries.list_members(view.group, view.lesson.on_date, view.lesson.on_date)
    form.pupil.choices = [(m.pupil.public_id, m.pupil.full_name) for m in members]
    if not view.settings.parents_only_remarks:
        form.visibility.choices = form.visibility.choices[:1]
    return render("journal/remarks.html", view=view, form=form, can_write=level == "write", error=error,
                  remarks=queries.list_lesson_remarks(view.lesson.id), me=current_user.person.id,
                  is_deputy=current_user.context.has("deputy"), withdraw_form=forms.WithdrawForm()), status


@bp.post("/lessons/<lesson_id>/remarks")
@policy(JOURNAL)
def remark_add(lesson_id):
    view = _writable_lesson(lesson_id)
    form = forms.RemarkForm()
    member = queries.get_member_or_404(view.group, form.pupil.data or "-", view.lesson.on_date)
    if not form.validate():
        return _remarks_page(view, "write", form, status=422)
    try:
        content.add_remark(Actor.of(current_user), member, text=form.text.data, visibility=form.visibility.data,
                           settings=view.settings, school_id=view.lesson.school_id, client_id=form.client_id.data,
                           lesson=view.lesson, subject_id=view.lesson.subject_id)
    except Refused as refused:
        db.session.rollback()
        return _remarks_page(view, "write", form, status=refused.status, error=refused.message)
    db.session.commit()
    return redirect(url_for(".lesson_remarks", lesson_id=lesson_id), 303)


@bp.post("/remarks/<remark_id>/withdraw")
@policy(JOURNAL)
def remark_withdraw(remark_id):
    remark = queries.get_remark_or_404(remark_id)
    if remark.author_id != current_user.person.id and not current_user.context.has("deputy"):
        abort(403 if current_user.context.has(*access.ADMIN_ROLES) else 404)
    form = forms.WithdrawForm()
    try:
        content.withdraw_remark(remark, Actor.of(current_user), client_id=form.client_id.data)
    except Refused as refused:
        db.session.rollback()
        return _refusal_page(refused)
    db.session.commit()
    return _back(url_for(".journals"))


from kundoluk.journal import views_journal  # noqa: E402,F401
