"""The credentials desk: a class's pupils and parents, their logins, slips, re-issues, links."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from kundoluk.credentials import actions, bp, forms, logins, people, queries, slips
from kundoluk.extensions import db
from kundoluk.home import queries as home_queries
from kundoluk.models import Person, School
from kundoluk.web import access
from kundoluk.web.access import ANY_STAFF, DESK, policy
from kundoluk.web.htmx import render


def _desk_class(public_id):
    """The class by public id, if the current user may work its desk (else 404/403)."""
    school_class = home_queries.get_class_or_404(public_id)
    teaches = (not access.is_desk_admin(current_user)
               and school_class.id not in current_user.context.class_ids
               and home_queries.teaches_class(current_user.person.id, school_class))
    access.require_desk_class(current_user, school_class, teaches)
    return school_class


def _school_id():
    return current_user.context.school_id


def _checked_form():
    form = forms.EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    return form


def commit_or_409():
    """Commit; two desks issuing the same new login at once: the second is told to retry."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        abort(409)


@bp.get("/")
@policy(DESK)
def index():
    class_ids = None if access.is_desk_admin(current_user) else current_user.context.class_ids
    classes = queries.list_desk_classes(_school_id(), class_ids)
    return render("credentials/index.html", classes=classes,
                  is_admin=access.is_desk_admin(current_user))


@bp.get("/classes/<public_id>")
@policy(ANY_STAFF)
def desk(public_id):
    school_class = _desk_class(public_id)
    families = queries.class_families(school_class)
    staff_ids = queries.staff_person_ids(_people_ids(families))
    return render("credentials/class.html", school_class=school_class, families=families,
                  staff_ids=staff_ids, missing=len(_without_login(families, staff_ids)),
                  form=forms.EmptyForm())


def _people_ids(families):
    return [pupil.id for pupil, _a, _p in families] + [p.id for _x, _a, parents in families for p, _b, _l in parents]


def _without_login(families, staff_ids):
    """Pupils and parents of the class who have no login or password yet (each once).

    Staff members are left to the staff desk (see queries.staff_person_ids)."""
    found = {}
    for pupil, account, parents in families:
        for person, acc in [(pupil, account)] + [(p, a) for p, a, _link in parents]:
            if (acc is None or acc.password_hash is None) and person.id not in staff_ids:
                found.setdefault(person.id, person)
    return list(found.values())


@bp.post("/classes/<public_id>/issue")
@policy(ANY_STAFF)
def issue(public_id):
    school_class = _desk_class(public_id)
    _checked_form()
    families = queries.class_families(school_class)
    waiting = _without_login(families, queries.staff_person_ids(_people_ids(families)))
    if not waiting:
        flash(_("Everyone in this class already has a login."), "ok")
        return redirect(url_for(".desk", public_id=public_id), 303)
    # Hashing a class's passwords takes seconds: end the read transaction first, so that
    # SQLite's write lock (taken by a POST's first statement) is not held meanwhile.
    db.session.commit()
    made = actions.new_secrets(len(waiting))
    issued = actions.issue_accounts(waiting, current_user.account, _school_id(), made=made)
    commit_or_409()
    made = {i.person.id: i for i in issued}
    return _pdf(school_class, _class_slips(school_class, families, made, only_new=True))


@bp.get("/classes/<public_id>/slips.pdf")
@policy(ANY_STAFF)
def reprint(public_id):
    school_class = _desk_class(public_id)
    found = _class_slips(school_class, queries.class_families(school_class), {}, only_new=False)
    if not found:
        flash(_("No one in this class has a login yet."), "bad")
        return redirect(url_for(".desk", public_id=public_id), 303)
    return _pdf(school_class, found)


def _class_slips(school_class, families, made, only_new):
    """One slip per person, families together: a pupil, then their parents not yet printed.

    A slip gets a password only from `made` (issued in this very request)."""
    children = {}
    for pupil, _account, parents in families:
        for parent, _acc, _link in parents:
            children.setdefault(parent.id, []).append(pupil.short_name)
    found, seen = [], set()
    for pupil, account, parents in families:
        entries = [(pupil, account, "pupil", school_class.label)]
        entries += [(p, a, "parent", ", ".join(children[p.id])) for p, a, _ in parents]
        for person, account, kind, about in entries:
            issued = made.get(person.id)
            account = issued.account if issued else account
            if person.id in seen or account is None or account.password_hash is None:
                continue
            if only_new and issued is None:
                continue
            seen.add(person.id)
            found.append(slips.Slip(person, account, issued and issued.password, kind, about))
    return found


def _pdf(school_class, found):
    school = db.session.get(School, _school_id())
    pdf = slips.render_pdf(found, school, request.host_url)
    # an ASCII file name: HTTP headers are Latin-1, and "7-А" is Cyrillic
    return slips.pdf_response(pdf, f"slips-{logins.transliterate(school_class.label) or 'class'}.pdf")


@bp.get("/classes/<public_id>/people/<person_id>/reissue")
@policy(ANY_STAFF)
def reissue_confirm(public_id, person_id):
    school_class = _desk_class(public_id)
    person = queries.get_class_member_or_404(school_class, person_id)
    if queries.staff_person_ids([person.id]):
        abort(403)
    return render("credentials/reissue.html", person=person, form=forms.EmptyForm(),
                  action=url_for(".reissue", public_id=public_id, person_id=person_id),
                  back=url_for(".desk", public_id=public_id))


@bp.post("/classes/<public_id>/people/<person_id>/reissue")
@policy(ANY_STAFF)
def reissue(public_id, person_id):
    school_class = _desk_class(public_id)
    person = queries.get_class_member_or_404(school_class, person_id)
    _checked_form()
    if queries.staff_person_ids([person.id]):
        abort(403)  # a staff member's password would open their staff role: the staff desk's job
    issued = actions.reissue(person, current_user.account, _school_id())
    commit_or_409()
    kind, about = _kind_in_class(school_class, person)
    return _pdf(school_class, [slips.Slip(person, issued.account, issued.password, kind, about)])


def _kind_in_class(school_class, person):
    """('pupil', class label) or ('parent', the names of their children in the class)."""
    families = queries.class_families(school_class)
    if any(pupil.id == person.id for pupil, _a, _p in families):
        return "pupil", school_class.label
    names = [pupil.short_name for pupil, _a, parents in families
             if any(p.id == person.id for p, _x, _y in parents)]
    return "parent", ", ".join(names)


@bp.post("/classes/<public_id>/pupils/<pupil_id>/link-code")
@policy(ANY_STAFF)
def link_code(public_id, pupil_id):
    school_class = _desk_class(public_id)
    pupil = queries.get_pupil_in_class_or_404(school_class, pupil_id)
    _checked_form()
    code = actions.make_link_code(pupil, current_user.account, _school_id())
    db.session.commit()
    resp = render("credentials/link_code.html", school_class=school_class, pupil=pupil, code=code,
                  days=actions.CODE_DAYS)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/classes/<public_id>/pupils/<pupil_id>/parents/new")
@policy(ANY_STAFF)
def parent_new(public_id, pupil_id):
    school_class = _desk_class(public_id)
    pupil = queries.get_pupil_in_class_or_404(school_class, pupil_id)
    form = forms.ParentForm(language=school_class.language if school_class.language in ("ky", "ru") else "ky")
    return render("credentials/parent_new.html", school_class=school_class, pupil=pupil, form=form)


@bp.post("/classes/<public_id>/pupils/<pupil_id>/parents/new")
@policy(ANY_STAFF)
def parent_add(public_id, pupil_id):
    school_class = _desk_class(public_id)
    pupil = queries.get_pupil_in_class_or_404(school_class, pupil_id)
    form = forms.ParentForm()
    if not form.validate_on_submit():
        return render("credentials/parent_new.html", school_class=school_class, pupil=pupil, form=form), 422
    parent = people.find_or_add_parent(_school_id(), pupil, form)
    if parent is None:
        form.given_name.errors.append(_("Two people of the school have this name and birth date. Add the personal number."))
        return render("credentials/parent_new.html", school_class=school_class, pupil=pupil, form=form), 422
    _link, created = actions.link_parent(parent, pupil, current_user.account, _school_id())
    db.session.commit()
    flash(_("%(parent)s is linked to %(pupil)s.", parent=parent.full_name, pupil=pupil.full_name)
          if created else _("%(parent)s was already linked to %(pupil)s.", parent=parent.full_name,
                            pupil=pupil.full_name), "ok")
    return redirect(url_for(".desk", public_id=public_id), 303)


@bp.get("/classes/<public_id>/pupils/<pupil_id>/parents/<parent_id>/unlink")
@policy(ANY_STAFF)
def unlink_confirm(public_id, pupil_id, parent_id):
    school_class = _desk_class(public_id)
    pupil = queries.get_pupil_in_class_or_404(school_class, pupil_id)
    link = queries.get_guardianship_or_404(pupil, parent_id)
    return render("credentials/unlink.html", school_class=school_class, pupil=pupil,
                  parent=db.session.get(Person, link.parent_id), form=forms.EmptyForm())


@bp.post("/classes/<public_id>/pupils/<pupil_id>/parents/<parent_id>/unlink")
@policy(ANY_STAFF)
def unlink(public_id, pupil_id, parent_id):
    school_class = _desk_class(public_id)
    pupil = queries.get_pupil_in_class_or_404(school_class, pupil_id)
    link = queries.get_guardianship_or_404(pupil, parent_id)
    _checked_form()
    actions.unlink_parent(link, current_user.account, _school_id())
    db.session.commit()
    flash(_("%(parent)s no longer sees %(pupil)s.", parent=link.parent.full_name, pupil=pupil.full_name), "ok")
    return redirect(url_for(".desk", public_id=public_id), 303)
