"""Set-up of groups (subgroups and electives with dated members) and teaching assignments."""
from flask import redirect, request, url_for
from flask_babel import gettext as _

from kundoluk.extensions import db
from kundoluk.school import bp, forms, labels, queries, staff_queries, staffing
from kundoluk.school.actions import Invalid
from kundoluk.school.views import actor, attach_errors, default_start, list_args, need_year, refused
from kundoluk.web.access import SETUP, policy
from kundoluk.web.htmx import render


# --- groups ------------------------------------------------------------------------------

@bp.get("/groups")
@policy(SETUP)
def groups():
    year = need_year()
    q = queries.clean_query(request.args.get("q"))
    kind = request.args.get("kind", "")
    kind = kind if kind in labels.GROUP_KINDS else ""
    rows = staff_queries.list_groups(year.id, q, kind)
    page = queries.paginate_list(rows, queries.page_number(request.args.get("page")))
    return render("school/groups.html", {"group-list": "school/_group_list.html"}, listing=page, q=q, kind=kind,
                  params=list_args(q=q, kind=kind))


def _group_form(classes, **data):
    form = forms.GroupForm(**data)
    form.school_class.choices = [("", "—")] + [(c.public_id, c.label) for c in classes]
    return form


@bp.get("/groups/new")
@policy(SETUP)
def group_new():
    year = need_year()
    form = _group_form(queries.list_year_classes(year.id), kind=request.args.get("kind", "subgroup"))
    return render("school/group_form.html", form=form)


@bp.post("/groups")
@policy(SETUP)
def group_create():
    year = need_year()
    classes = queries.list_year_classes(year.id)
    form = _group_form(classes)
    if not form.validate_on_submit():
        return render("school/group_form.html", form=form, status=422)
    school_class = next((c for c in classes if c.public_id == form.school_class.data), None)
    try:
        group = staffing.create_group(year, form.kind.data, school_class, form.name.data, actor=actor())
    except Invalid as exc:
        return refused(exc, form, "school/group_form.html")
    db.session.commit()
    return redirect(url_for("school.group", group_id=group.public_id))


def _group_page(group, school_class, year, status=200, **forms_given):
    q = queries.clean_query(request.args.get("q"))
    start = default_start(year)
    ctx = {
        "rename_form": forms.RenameForm(formdata=None, name=group.name),
        "members_form": forms.MembersForm(formdata=None, valid_from=start),
        "end_form": forms.EndForm(formdata=None, effective=start),
    }
    ctx.update(forms_given)
    candidates = staff_queries.list_candidates(group, q, start) if group.kind != "class" else []
    return render("school/group.html", {"member-candidates": "school/_member_candidates.html"},
                  group=group, school_class=school_class, members=staff_queries.list_members(group),
                  candidates=candidates, q=q, label=labels.group_label(group, school_class),
                  status=status, **ctx)


@bp.get("/groups/<group_id>")
@policy(SETUP)
def group(group_id):
    group, school_class = staff_queries.get_group_or_404(group_id)
    return _group_page(group, school_class, need_year())


@bp.post("/groups/<group_id>")
@policy(SETUP)
def group_rename(group_id):
    group, school_class = staff_queries.get_group_or_404(group_id)
    year = need_year()
    form = forms.RenameForm()
    if not form.validate_on_submit():
        return _group_page(group, school_class, year, status=422, rename_form=form)
    try:
        staffing.rename_group(year, group, form.name.data, actor=actor())
    except Invalid as exc:
        return _group_refused(group, school_class, year, exc, rename_form=form)
    db.session.commit()
    return redirect(url_for("school.group", group_id=group.public_id))


def _group_refused(group, school_class, year, exc, **forms_given):
    db.session.rollback()
    attach_errors(next(iter(forms_given.values())), exc.errors)
    return _group_page(group, school_class, year, status=422, **forms_given)


@bp.post("/groups/<group_id>/members")
@policy(SETUP)
def members_add(group_id):
    group, school_class = staff_queries.get_group_or_404(group_id)
    year = need_year()
    form = forms.MembersForm()
    if not form.validate_on_submit():
        return _group_page(group, school_class, year, status=422, members_form=form)
    pupils = staff_queries.get_pupils(form.pupils.data[:200])
    try:
        if len(pupils) != len(set(form.pupils.data)):
            raise Invalid({"pupils": [_("Some of the chosen pupils were not found. Reload the page.")]})
        staffing.add_members(year, group, pupils, form.valid_from.data, actor=actor())
    except Invalid as exc:
        return _group_refused(group, school_class, year, exc, members_form=form)
    db.session.commit()
    return redirect(url_for("school.group", group_id=group.public_id))


@bp.post("/groups/<group_id>/members/<pupil_id>/end")
@policy(SETUP)
def member_end(group_id, pupil_id):
    group, school_class = staff_queries.get_group_or_404(group_id)
    pupil = staff_queries.get_member_pupil_or_404(group, pupil_id)
    year = need_year()
    form = forms.EndForm()
    if not form.validate_on_submit():
        return _group_page(group, school_class, year, status=422, end_form=form)
    try:
        staffing.end_member(group, pupil, form.effective.data, actor=actor())
    except Invalid as exc:
        return _group_refused(group, school_class, year, exc, end_form=form)
    db.session.commit()
    return redirect(url_for("school.group", group_id=group.public_id))


# --- teaching assignments ----------------------------------------------------------------

@bp.get("/assignments")
@policy(SETUP)
def assignments():
    year = need_year()
    q = queries.clean_query(request.args.get("q"))
    page = staff_queries.list_assignments(year.id, q, queries.page_number(request.args.get("page")))
    return render("school/assignments.html", {"assignment-list": "school/_assignment_list.html"},
                  listing=page, q=q, params=list_args(q=q))


def _assignment_form(year, **data):
    """The form with its choices, and the objects behind them (teachers, subjects, groups)."""
    teachers = staff_queries.staff_choices("teacher")
    subjects = queries.list_subjects()
    groups = staff_queries.list_year_groups(year.id)
    form = forms.AssignmentForm(**data)
    form.teacher.choices = [(p.public_id, p.full_name) for p in teachers]
    form.subject.choices = [(s.public_id, s.name_ky if s.name_ky == s.name_ru else f"{s.name_ky} / {s.name_ru}")
                            for s in subjects]
    form.group.choices = [(g.public_id, labels.group_label(g, c)) for g, c in groups]
    return form, teachers, subjects, [g for g, _c in groups]


@bp.get("/assignments/new")
@policy(SETUP)
def assignment_new():
    year = need_year()
    form = _assignment_form(year, hours_per_week=1, valid_from=default_start(year),
                            group=request.args.get("group"))[0]
    return render("school/assignment_form.html", form=form)


@bp.post("/assignments")
@policy(SETUP)
def assignment_create():
    year = need_year()
    form, teachers, subjects, groups = _assignment_form(year)
    if not form.validate_on_submit():
        return render("school/assignment_form.html", form=form, status=422)

    def pick(rows, field):
        return next((r for r in rows if r.public_id == field.data), None)
    try:
        staffing.create_assignment(year, teacher=pick(teachers, form.teacher), subject=pick(subjects, form.subject),
                                   group=pick(groups, form.group), hours=form.hours_per_week.data,
                                   valid_from=form.valid_from.data, actor=actor())
    except Invalid as exc:
        return refused(exc, form, "school/assignment_form.html")
    db.session.commit()
    return redirect(url_for("school.assignments"))


def _assignment_page(row, hours_form=None, end_form=None, status=200):
    assignment, teacher, subject, group, school_class = row
    year = need_year()
    return render("school/assignment.html", assignment=assignment, teacher=teacher, subject=subject,
                  group=group, school_class=school_class, status=status,
                  hours_form=hours_form or forms.HoursForm(formdata=None, hours_per_week=assignment.hours_per_week),
                  end_form=end_form or forms.EndForm(formdata=None, effective=default_start(year)))


@bp.get("/assignments/<assignment_id>")
@policy(SETUP)
def assignment(assignment_id):
    return _assignment_page(staff_queries.get_assignment_or_404(assignment_id))


@bp.post("/assignments/<assignment_id>")
@policy(SETUP)
def assignment_hours(assignment_id):
    row = staff_queries.get_assignment_or_404(assignment_id)
    form = forms.HoursForm()
    if not form.validate_on_submit():
        return _assignment_page(row, hours_form=form, status=422)
    try:
        staffing.change_hours(row[0], form.hours_per_week.data, actor=actor())
    except Invalid as exc:
        db.session.rollback()
        attach_errors(form, exc.errors)
        return _assignment_page(staff_queries.get_assignment_or_404(assignment_id), hours_form=form, status=422)
    db.session.commit()
    return redirect(url_for("school.assignments"))


@bp.post("/assignments/<assignment_id>/end")
@policy(SETUP)
def assignment_end(assignment_id):
    row = staff_queries.get_assignment_or_404(assignment_id)
    form = forms.EndForm()
    if not form.validate_on_submit():
        return _assignment_page(row, end_form=form, status=422)
    try:
        staffing.end_assignment(row[0], form.effective.data, actor=actor())
    except Invalid as exc:
        db.session.rollback()
        attach_errors(form, exc.errors)
        return _assignment_page(staff_queries.get_assignment_or_404(assignment_id), end_form=form, status=422)
    db.session.commit()
    return redirect(url_for("school.assignments"))
