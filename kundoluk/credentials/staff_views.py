"""Logins of the school's staff, for the deputy and the school administrator."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kundoluk.credentials import actions, bp, forms, queries, slips
from kundoluk.credentials.views import commit_or_409
from kundoluk.extensions import db
from kundoluk.models import School
from kundoluk.web.access import DESK_ADMIN, policy
from kundoluk.web.htmx import render


def _school_id():
    return current_user.context.school_id


@bp.get("/staff")
@policy(DESK_ADMIN)
def staff():
    members = queries.list_staff(_school_id())
    missing = sum(1 for person, _roles in members if not (person.account and person.account.password_hash))
    return render("credentials/staff.html", members=members, missing=missing, form=forms.EmptyForm())


@bp.post("/staff/issue")
@policy(DESK_ADMIN)
def staff_issue():
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    people = [person for person, _roles in queries.list_staff(_school_id())
              if not (person.account and person.account.password_hash)]
    db.session.commit()  # no write lock while hashing (see views.issue)
    made = actions.new_secrets(len(people))
    issued = actions.issue_accounts(people, current_user.account, _school_id(), made=made)
    if not issued:
        flash(_("Everyone on the staff already has a login."), "ok")
        return redirect(url_for(".staff"), 303)
    commit_or_409()
    return _pdf([slips.Slip(i.person, i.account, i.password, "staff") for i in issued])


@bp.get("/staff/<person_id>/reissue")
@policy(DESK_ADMIN)
def staff_reissue_confirm(person_id):
    person = queries.get_staff_member_or_404(_school_id(), person_id)
    return render("credentials/reissue.html", person=person, form=forms.EmptyForm(),
                  action=url_for(".staff_reissue", person_id=person_id), back=url_for(".staff"))


@bp.post("/staff/<person_id>/reissue")
@policy(DESK_ADMIN)
def staff_reissue(person_id):
    person = queries.get_staff_member_or_404(_school_id(), person_id)
    if not forms.EmptyForm().validate_on_submit():
        abort(400)
    issued = actions.reissue(person, current_user.account, _school_id())
    commit_or_409()
    return _pdf([slips.Slip(person, issued.account, issued.password, "staff")])


def _pdf(found):
    school = db.session.get(School, _school_id())
    return slips.pdf_response(slips.render_pdf(found, school, request.host_url), "slips-staff.pdf")
