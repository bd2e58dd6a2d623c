"""The journal of a teaching assignment (pupils × lesson dates), undo, history, term and year
marks, the class teacher's class page, journal discipline and the school's journal settings."""
from datetime import date, timedelta

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kundoluk.extensions import db
from kundoluk.journal import actions, bp, cells, content, discipline, forms, grid, queries, rules, schemes
from kundoluk.journal.rules import Actor, Refused
from kundoluk.journal.views import TEACHERS, _contract, _refusal_page, _school_id
from kundoluk.web import access
from kundoluk.web.access import JOURNAL, JOURNAL_DISCIPLINE, JOURNAL_SETTINGS, policy
from kundoluk.web.errors import render_error
from kundoluk.web.htmx import is_fragment_request, render


def _term_number():
    raw = request.args.get("term") or request.form.get("term")
    if not raw or raw == "year":
        return None
    try:
        return int(raw)
    except ValueError:
        return -1  # no such term: 404


def _journal(assignment_id, term_number=None):
    journal = grid.get_journal_or_404(assignment_id, _school_id(), term_number, current_user.id)
    level = access.journal_access(current_user, teacher_id=journal.assignment.teacher_id, class_id=journal.class_id)
    return journal, level


# --- My journals --------------------------------------------------------------------------

@bp.get("/")
@policy(TEACHERS)
def journals():
    ctx = current_user.context
    rows = queries.list_journals(current_user.person.id, ctx.class_ids, queries.today())
    return render("journal/journals.html", rows=rows, me=current_user.person.id)


# --- The journal page ---------------------------------------------------------------------

@bp.get("/a/<assignment_id>")
@policy(JOURNAL)
def journal(assignment_id):
    journal, level = _journal(assignment_id, _term_number())
    lessons, rows = grid.journal_page(journal)
    is_deputy = current_user.context.has("deputy")
    columns = grid.column_state(journal, lessons, level == "write", is_deputy, current_user.person.id)
    notes = queries.list_notes(journal.assignment.id) if is_deputy or level == "write" else []
    undo = _undo_target(journal, rows, lessons) if level == "write" else None
    return render("journal/journal.html", journal=journal, lessons=lessons, rows=rows, columns=columns,
                  can_write=level == "write", is_deputy=is_deputy, notes=notes, undo=undo,
                  note_form=forms.JournalNoteForm(formdata=None, on_date=queries.today()),
                  fixed_form=forms.FixedForm(), schemes_json=_schemes_json(rows), today=queries.today(),
                  new_id=forms.new_client_id, row_html=cells.row_html, short=cells.symbols())


def _schemes_json(rows):
    """The values each scheme on the page allows, for the touch picker (data, not code)."""
    wanted = {(r.member.scheme, r.member.max_points) for r in rows}
    return {f"{scheme}:{max_points or ''}": {"values": list(schemes.values_for(scheme, max_points)),
                                            "slots": schemes.MAX_SLOTS.get(scheme, 1)}
            for scheme, max_points in wanted}


def _undo_target(journal, rows, lessons):
    """The actor's last mark change if it is on this page: {pupil, lesson, mark} (no extra query)."""
    if journal.last_change_row_id is None:
        return None
    for row in rows:
        for (lesson, _content), cell in zip(lessons, row.cells):
            for mark in (cell.marks if cell else ()):
                if mark.id == journal.last_change_row_id:
                    return {"pupil": row.member.pupil, "lesson": lesson, "mark": mark}
    return None


@bp.post("/a/<assignment_id>/undo")
@policy(JOURNAL)
def undo(assignment_id):
    journal, level = _journal(assignment_id)
    access.require_journal_write(level)
    form = forms.UndoForm()
    back = url_for(".journal", assignment_id=assignment_id, term=request.form.get("term") or None)
    change = queries.last_mark_change(current_user.id, journal.assignment.id)
    if change is None or change[1].public_id != form.mark.data:
        return render_error(409, _("Changed meanwhile"),
                            _("Your last change is no longer the one shown. Reload the journal."))
    history, mark = change
    view = queries.get_lesson_or_404(queries.lesson_public_id(mark.lesson_id), _school_id())
    try:
        outcome = actions.undo_last_mark(view, Actor.of(current_user), history=history, mark=mark, **_contract(form))
    except Refused as refused:
        db.session.rollback()
        return _refusal_page(refused)
    db.session.commit()
    if outcome.conflict:
        return render_error(409, _("Changed meanwhile"),
                            _("This mark was changed after your change. Reload the journal and check it."))
    return redirect(back, 303)


@bp.get("/a/<assignment_id>/history")
@policy(JOURNAL)
def history(assignment_id):
    journal, _level = _journal(assignment_id)
    return render("journal/history.html", journal=journal, changes=queries.journal_history(journal.assignment))


# --- Term and year marks ------------------------------------------------------------------

@bp.get("/a/<assignment_id>/term-marks")
@policy(JOURNAL)
def term_marks(assignment_id):
    year = request.args.get("term") == "year"
    journal, level = _journal(assignment_id, None if year else _term_number())
    return _term_marks_page(journal, level, year)


def _term_marks_page(journal, level, year, status=200, error=None):
    if year:
        members = queries.list_members(journal.group, journal.year.starts_on, journal.year.ends_on)
        marks = grid.term_marks(journal, [m.pupil.id for m in members])
        proposals = grid.year_proposals(journal, members, marks)
        rows = [(m, None) for m in members]
    else:
        lessons, page_rows = grid.journal_page(journal)
        members = [r.member for r in page_rows]
        marks = grid.term_marks(journal, [m.pupil.id for m in members])
        proposals = grid.proposals(journal, page_rows, lessons)
        rows = [(r.member, r.average) for r in page_rows]
    return render("journal/term_marks.html", journal=journal, year=year, rows=rows, marks=marks,
                  proposals=proposals, can_write=level == "write", error=error, values_for=schemes.values_for,
                  new_id=forms.new_client_id), status


@bp.post("/a/<assignment_id>/term-marks/<pupil_id>")
@policy(JOURNAL)
def term_mark_save(assignment_id, pupil_id):
    form = forms.TermMarkForm()
    year = form.term.data == "year"
    journal, level = _journal(assignment_id, None if year else _term_number())
    access.require_journal_write(level)
    term = None if year else journal.term
    if not year and term is None:
        return render_error(404, _("Not found"), _("There is no such term."))
    starts, ends = (journal.year.starts_on, journal.year.ends_on) if year else (term.starts_on, term.ends_on)
    member = queries.get_member_or_404(journal.group, pupil_id, min(ends, max(starts, queries.today())))
    journal.current = grid.get_term_mark(journal, member.pupil.id, term)
    try:
        outcome = actions.record_term_mark(journal, member, Actor.of(current_user), term=term, value=form.value.data,
                                           proposed=form.proposed.data, rule=form.rule.data, **_contract(form))
    except Refused as refused:
        db.session.rollback()
        return _term_mark_answer(journal, member, term, refused.status, refused.message, form)
    db.session.commit()
    return _term_mark_answer(journal, member, term, 409 if outcome.conflict else 200, None, form)


def _term_mark_answer(journal, member, term, status, error, form):
    if not is_fragment_request():
        if status == 200:
            return redirect(url_for(".term_marks", assignment_id=journal.assignment.public_id,
                                    term="year" if term is None else term.number), 303)
        if status == 409:
            error = _("Someone changed this mark meanwhile: it is now %(value)s. Send yours again to keep it.",
                      value=getattr(grid.get_term_mark(journal, member.pupil.id, term), "value", "—"))
        return render_error(status, _("Not saved"), error)
    row = grid.get_term_mark(journal, member.pupil.id, term)
    return render("journal/_term_mark.html", status=status, journal=journal, member=member, term=term, row=row,
                  error=error, answer=status, sent=form.value.data, proposal=None, can_write=True,
                  values_for=schemes.values_for, new_id=forms.new_client_id)


# --- The deputy's notes on a journal ------------------------------------------------------

@bp.post("/a/<assignment_id>/notes")
@policy(JOURNAL_DISCIPLINE)
def note_add(assignment_id):
    journal, _level = _journal(assignment_id)
    if not current_user.context.has("deputy"):
        return render_error(403, _("Not allowed"), _("Only the deputy director leaves notes on journals."))
    form = forms.JournalNoteForm()
    if not form.validate():
        return render_error(422, _("Not saved"), " ".join(e for errors in form.errors.values() for e in errors))
    try:
        content.add_journal_remark(Actor.of(current_user), journal.assignment, on_date=form.on_date.data,
                                   text=form.text.data, client_id=form.client_id.data)
    except Refused as refused:
        db.session.rollback()
        return _refusal_page(refused)
    db.session.commit()
    return redirect(url_for(".journal", assignment_id=assignment_id) + "#notes", 303)


@bp.post("/notes/<note_id>/fixed")
@policy(JOURNAL)
def note_fixed(note_id):
    note, assignment, group = queries.get_note_or_404(note_id)
    level = access.journal_access(current_user, teacher_id=assignment.teacher_id, class_id=group.school_class_id)
    access.require_journal_write(level)
    form = forms.FixedForm()
    try:
        content.mark_journal_remark_fixed(note, Actor.of(current_user), client_id=form.client_id.data)
    except Refused as refused:
        db.session.rollback()
        return _refusal_page(refused)
    db.session.commit()
    return redirect(request.referrer if _same_site(request.referrer) else url_for(".day"), 303)


def _same_site(url):
    return bool(url) and url.startswith(request.host_url)


# --- The class teacher's class ------------------------------------------------------------

def _class(class_id):
    school_class, group, settings = queries.get_class_journal_or_404(class_id, _school_id())
    return school_class, group, settings, access.class_journal_access(current_user, school_class.id)


def _today_form():
    return forms.ExcuseForm(formdata=None, starts_on=queries.today(), ends_on=queries.today())


@bp.get("/classes/<class_id>")
@policy(JOURNAL)
def class_journal(class_id):
    school_class, group, settings, level = _class(class_id)
    return _class_page(school_class, group, settings, level, _today_form())


def _class_page(school_class, group, settings, level, form, status=200, error=None, done=None, remark_form=None):
    today = queries.today()
    members = queries.list_members(group, today, today) if group is not None else []
    remark_form = remark_form or forms.RemarkForm(formdata=None)
    form.pupil.choices = remark_form.pupil.choices = [(m.pupil.public_id, m.pupil.full_name) for m in members]
    if not settings.parents_only_remarks:
        remark_form.visibility.choices = remark_form.visibility.choices[:1]
    return render("journal/class.html", school_class=school_class, form=form, can_write=level == "write",
                  journals=queries.list_journals(-1, {school_class.id}, today), done=done, error=error,
                  excuses=queries.list_excuses(school_class.id), remark_form=remark_form,
                  remarks=queries.list_class_remarks(school_class.id, today)), status


def _class_member(group, pupil_id):
    if group is None:
        abort(404)  # a class without its class group has nobody to record
    return queries.get_member_or_404(group, pupil_id or "-", queries.today())


@bp.post("/classes/<class_id>/excuses")
@policy(JOURNAL)
def excuse_add(class_id):
    school_class, group, settings, level = _class(class_id)
    access.require_journal_write(level)
    form = forms.ExcuseForm()
    member = _class_member(group, form.pupil.data)
    if not form.validate():
        return _class_page(school_class, group, settings, level, form, status=422)
    try:
        _excuse, count = content.record_excuse(
            Actor.of(current_user), member, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
            code=form.code.data, reason=form.reason.data, school_id=school_class.school_id,
            client_id=form.client_id.data)
    except Refused as refused:
        db.session.rollback()
        return _class_page(school_class, group, settings, level, form, status=refused.status, error=refused.message)
    db.session.commit()
    return _class_page(school_class, group, settings, level, _today_form(), done=(member.pupil, count))


@bp.post("/classes/<class_id>/remarks")
@policy(JOURNAL)
def class_remark_add(class_id):
    """The class teacher's remark on a pupil of the class, outside any lesson."""
    school_class, group, settings, level = _class(class_id)
    access.require_journal_write(level)
    form = forms.RemarkForm()
    member = _class_member(group, form.pupil.data)
    if not form.validate():
        return _class_page(school_class, group, settings, level, _today_form(), status=422, remark_form=form)
    try:
        content.add_remark(Actor.of(current_user), member, text=form.text.data, visibility=form.visibility.data,
                           settings=settings, school_id=school_class.school_id, client_id=form.client_id.data)
    except Refused as refused:
        db.session.rollback()
        return _class_page(school_class, group, settings, level, _today_form(), status=refused.status,
                           error=refused.message, remark_form=form)
    db.session.commit()
    return redirect(url_for(".class_journal", class_id=class_id) + "#remarks", 303)


# --- Journal discipline -------------------------------------------------------------------

@bp.get("/discipline")
@policy(JOURNAL_DISCIPLINE)
def discipline_page():
    today = queries.today()
    try:
        chosen = date.fromisoformat(request.args["week"]) if request.args.get("week") else today
    except ValueError:
        return render_error(400, _("Bad date"), _("The date should look like 2026-10-14."))
    monday = discipline.week_start(min(chosen, today))
    school_id = _school_id()
    return render("journal/discipline.html", monday=monday, today=today, timedelta7=timedelta(days=7),
                  unfilled=discipline.list_unfilled(school_id, monday, today),
                  rates=discipline.filling_rates(school_id, monday, today),
                  notes=discipline.list_open_notes(school_id), limit=discipline.LIST_LIMIT,
                  late=discipline.list_late_entries(school_id, monday))


# --- Settings -----------------------------------------------------------------------------

@bp.get("/settings")
@policy(JOURNAL_SETTINGS)
def settings():
    current = queries.get_settings(_school_id())
    form = forms.SettingsForm(formdata=None, edit_window_days=current.edit_window_days,
                              parents_only_remarks=current.parents_only_remarks,
                              min_marks_for_term=current.min_marks_for_term, base_version=str(current.version))
    return render("journal/settings.html", form=form, saved=request.args.get("saved") == "1")


@bp.post("/settings")
@policy(JOURNAL_SETTINGS)
def settings_save():
    current = queries.get_settings(_school_id())
    form = forms.SettingsForm()
    if not form.validate():
        return render("journal/settings.html", form=form), 422
    try:
        outcome = content.save_settings(
            Actor.of(current_user), current, edit_window_days=form.edit_window_days.data,
            parents_only_remarks=form.parents_only_remarks.data, min_marks_for_term=form.min_marks_for_term.data,
            school_id=_school_id(), client_id=form.client_id.data,
            base_version=rules.parse_base_version(form.base_version.data))
    except Refused as refused:
        db.session.rollback()
        return render("journal/settings.html", form=form, error=refused.message), refused.status
    db.session.commit()
    if outcome.conflict:
        form.base_version.data = str(outcome.row.version if outcome.row is not None else 0)
        return render("journal/settings.html", form=form,
                      error=_("Someone changed the settings meanwhile. Check and save again.")), 409
    return redirect(url_for(".settings", saved=1), 303)
