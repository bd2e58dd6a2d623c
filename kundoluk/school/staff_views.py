"""Set-up of the staff: people and their dated roles (class teachers are chosen with the class)."""
from flask import redirect, request, url_for

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.school import bp, forms, queries, staff_queries, staffing
from kundoluk.school.actions import Invalid
from kundoluk.school.views import actor, attach_errors, list_args, refused, school_id
from kundoluk.web.access import SETUP, policy
from kundoluk.web.htmx import render

NAME_FIELDS = ("family_name", "given_name", "patronymic", "language")


@bp.get("/staff")
@policy(SETUP)
def staff():
    q = queries.clean_query(request.args.get("q"))
    former = request.args.get("former") == "1"
    page = staff_queries.list_staff(q, queries.page_number(request.args.get("page")), former=former)
    return render("school/staff.html", {"staff-list": "school/_staff_list.html"}, listing=page, q=q, former=former,
                  params=list_args(q=q, former="1" if former else ""))


@bp.get("/staff/new")
@policy(SETUP)
def staff_new():
    form = forms.StaffForm(language="ky", role="teacher", valid_from=clock.today())
    return render("school/staff_form.html", form=form)


@bp.post("/staff")
@policy(SETUP)
def staff_create():
    form = forms.StaffForm()
    if not form.validate_on_submit():
        return render("school/staff_form.html", form=form, status=422)
    try:
        person = staffing.add_staff(school_id(), **{k: form[k].data for k in NAME_FIELDS},
                                    role=form.role.data, valid_from=form.valid_from.data, actor=actor())
    except Invalid as exc:
        return refused(exc, form, "school/staff_form.html")
    db.session.commit()
    return redirect(url_for("school.staff_person", person_id=person.public_id))


def _person_page(person, name_form=None, role_form=None, end_form=None, status=200):
    name_form = name_form or forms.NameForm(formdata=None, data={k: getattr(person, k) for k in NAME_FIELDS})
    role_form = role_form or forms.RoleForm(formdata=None, role="teacher", valid_from=clock.today())
    end_form = end_form or forms.EndForm(formdata=None, effective=clock.today())
    return render("school/staff_person.html", person=person, memberships=staff_queries.list_memberships(person.id),
                  name_form=name_form, role_form=role_form, end_form=end_form, today=clock.today(),
                  status=status)


@bp.get("/staff/<person_id>")
@policy(SETUP)
def staff_person(person_id):
    return _person_page(staff_queries.get_staff_or_404(person_id))


@bp.post("/staff/<person_id>")
@policy(SETUP)
def staff_rename(person_id):
    person = staff_queries.get_staff_or_404(person_id)
    form = forms.NameForm()
    if not form.validate_on_submit():
        return _person_page(person, name_form=form, status=422)
    try:
        staffing.rename_staff(school_id(), person, **{k: form[k].data for k in NAME_FIELDS}, actor=actor())
    except Invalid as exc:
        return _refused_on(person, exc, name_form=form)
    db.session.commit()
    return redirect(url_for("school.staff_person", person_id=person.public_id))


def _refused_on(person, exc, **page_forms):
    """422 on the person's page, the errors on the one form that was sent."""
    db.session.rollback()
    attach_errors(next(iter(page_forms.values())), exc.errors)
    return _person_page(person, status=422, **page_forms)


@bp.post("/staff/<person_id>/roles")
@policy(SETUP)
def role_give(person_id):
    person = staff_queries.get_staff_or_404(person_id)
    form = forms.RoleForm()
    if not form.validate_on_submit():
        return _person_page(person, role_form=form, status=422)
    try:
        staffing.give_role(school_id(), person, form.role.data, form.valid_from.data, actor=actor())
    except Invalid as exc:
        return _refused_on(person, exc, role_form=form)
    db.session.commit()
    return redirect(url_for("school.staff_person", person_id=person.public_id))


@bp.post("/staff/<person_id>/roles/<role>/end")
@policy(SETUP)
def role_end(person_id, role):
    person = staff_queries.get_staff_or_404(person_id)
    form = forms.EndForm()
    if not form.validate_on_submit():
        return _person_page(person, end_form=form, status=422)
    try:
        staffing.end_role(school_id(), person, role, form.effective.data, actor=actor())
    except Invalid as exc:
        return _refused_on(person, exc, end_form=form)
    db.session.commit()
    return redirect(url_for("school.staff_person", person_id=person.public_id))
