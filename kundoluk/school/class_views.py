"""Set-up of subjects and classes (both versioned: edits go through the write contract)."""
from flask import redirect, request, url_for
from flask_babel import gettext as _

from kundoluk.extensions import db
from kundoluk.school import actions, bp, forms, queries, staff_queries
from kundoluk.school.actions import Invalid
from kundoluk.school.views import (
    actor, conflicted, contract_call, default_start, list_args, need_year, refused, school_id,
)
from kundoluk.web.access import SETUP, policy
from kundoluk.web.htmx import render

SUBJECT_FIELDS = ("name_ky", "name_ru", "code")


# --- subjects ----------------------------------------------------------------------------

@bp.get("/subjects")
@policy(SETUP)
def subjects():
    q = queries.clean_query(request.args.get("q"))
    page = queries.paginate_list(queries.search_subjects(q), queries.page_number(request.args.get("page")))
    return render("school/subjects.html", {"subject-list": "school/_subject_list.html"}, listing=page, q=q,
                  params=list_args(q=q))


@bp.get("/subjects/new")
@policy(SETUP)
def subject_new():
    return render("school/subject_form.html", form=forms.SubjectForm(), subject=None)


@bp.post("/subjects")
@policy(SETUP)
def subject_create():
    return _subject_save(None)


@bp.get("/subjects/<subject_id>")
@policy(SETUP)
def subject_edit(subject_id):
    subject = queries.get_subject_or_404(subject_id)
    form = forms.SubjectForm(data={k: getattr(subject, k) for k in SUBJECT_FIELDS}, base_version=subject.version)
    return render("school/subject_form.html", form=form, subject=subject)


@bp.post("/subjects/<subject_id>")
@policy(SETUP)
def subject_save(subject_id):
    return _subject_save(queries.get_subject_or_404(subject_id))


def _subject_save(subject):
    form = forms.SubjectForm()
    if not form.validate_on_submit():
        return render("school/subject_form.html", form=form, subject=subject, status=422)
    saved = {k: getattr(subject, k) for k in SUBJECT_FIELDS} if subject else {}
    values = {k: form[k].data or None for k in SUBJECT_FIELDS}
    try:
        result = contract_call(actions.save_subject, school_id(), values, client_id=form.client_id.data,
                               row=subject, base_version=form.seen_version() if subject else None, actor=actor())
    except Invalid as exc:
        return refused(exc, form, "school/subject_form.html", subject=subject)
    if not result.ok:
        return conflicted(result, form, saved, "school/subject_form.html", subject=subject)
    db.session.commit()
    return redirect(url_for("school.subjects"))


# --- classes -----------------------------------------------------------------------------

@bp.get("/classes")
@policy(SETUP)
def classes():
    year = need_year()
    q = queries.clean_query(request.args.get("q"))
    page = queries.paginate_list(queries.list_classes(year.id, q), queries.page_number(request.args.get("page")))
    return render("school/classes.html", {"class-list": "school/_class_list.html"}, listing=page, q=q, year=year,
                  params=list_args(q=q), created=request.args.get("created"))


def _class_form(shifts, staff, **data):
    form = forms.ClassForm(**data)
    form.shift.choices = [(s.public_id, _("Shift %(number)d", number=s.number)) for s in shifts]
    form.class_teacher.choices = [("", _("— none yet —"))] + [(p.public_id, p.full_name) for p in staff]
    return form


def _class_page(form, school_class=None, status=200, **ctx):
    return render("school/class_form.html", form=form, school_class=school_class, status=status, **ctx)


@bp.get("/classes/new")
@policy(SETUP)
def class_new():
    year = need_year()
    shifts = queries.list_shifts()
    form = _class_form(shifts, staff_queries.staff_choices(), language="ky", teacher_from=default_start(year),
                       shift=shifts[0].public_id if shifts else None)
    return _class_page(form)


@bp.post("/classes")
@policy(SETUP)
def class_create():
    year = need_year()
    shifts, staff = queries.list_shifts(), staff_queries.staff_choices()
    form = _class_form(shifts, staff)
    if not form.validate_on_submit():
        return _class_page(form, status=422)
    shift, teacher = _chosen(form, shifts, staff)
    try:
        result = contract_call(actions.create_class, year, _class_values(form), shift, teacher=teacher,
                               teacher_from=form.teacher_from.data, client_id=form.client_id.data, actor=actor())
    except Invalid as exc:
        return refused(exc, form, "school/class_form.html", school_class=None)
    if not result.ok:
        return conflicted(result, form, {}, "school/class_form.html", school_class=None)
    db.session.commit()
    return redirect(url_for("school.classes", created=result.row.public_id))


def _class_values(form):
    return {"grade": form.grade.data, "letter": form.letter.data, "language": form.language.data}


def _chosen(form, shifts, staff):
    shift = next((s for s in shifts if s.public_id == form.shift.data), None)
    teacher = next((p for p in staff if p.public_id == form.class_teacher.data), None)
    return shift, teacher


def _class_saved(school_class, shifts):
    shift = next((s.public_id for s in shifts if s.id == school_class.shift_id), None)
    return {"grade": school_class.grade, "letter": school_class.letter, "language": school_class.language,
            "shift": shift}


@bp.get("/classes/<class_id>")
@policy(SETUP)
def class_edit(class_id):
    school_class, current = queries.get_class_or_404(class_id)
    shifts, staff = queries.list_shifts(), staff_queries.staff_choices()
    teacher = next((p.public_id for p in staff if current and p.id == current.person_id), "")
    starts = default_start(queries.get_year(school_class.academic_year_id))
    form = _class_form(shifts, staff, data={**_class_saved(school_class, shifts), "class_teacher": teacher,
                                            "teacher_from": starts}, base_version=school_class.version)
    return _class_page(form, school_class)


@bp.post("/classes/<class_id>")
@policy(SETUP)
def class_save(class_id):
    school_class, current = queries.get_class_or_404(class_id)
    shifts, staff = queries.list_shifts(), staff_queries.staff_choices()
    form = _class_form(shifts, staff)
    if not form.validate_on_submit():
        return _class_page(form, school_class, status=422)
    shift, teacher = _chosen(form, shifts, staff)
    saved = _class_saved(school_class, shifts)
    year = queries.get_year(school_class.academic_year_id)
    try:
        result = contract_call(
            actions.change_class, year, school_class, _class_values(form), shift, current=current,
            teacher=teacher, teacher_from=form.teacher_from.data, client_id=form.client_id.data,
            base_version=form.seen_version(), actor=actor())
    except Invalid as exc:
        return refused(exc, form, "school/class_form.html", school_class=school_class)
    if not result.ok:
        return conflicted(result, form, saved, "school/class_form.html", school_class=school_class)
    db.session.commit()
    return redirect(url_for("school.classes"))
