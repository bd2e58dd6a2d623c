from flask import redirect, url_for
from flask_login import current_user

from kundoluk.home import bp, queries
from kundoluk.web.htmx import render
from kundoluk.web import access
from kundoluk.web.access import ACCOUNT, ANY_STAFF, PARENT, PUPIL, policy

HOMES = {"staff": "home.staff", "pupil": "home.pupil", "parent": "home.parent"}


@bp.get("/")
@policy(ACCOUNT)
def index():
    ctx = current_user.context
    if ctx is None:
        return render("home/no_role.html")
    return redirect(url_for(HOMES[ctx.kind]))


@bp.get("/parent")
@policy(PARENT)
def parent():
    children = queries.list_children(current_user.context.child_ids)
    return render("home/parent.html", children=children)


@bp.get("/pupil")
@policy(PUPIL)
def pupil():
    me = current_user.person
    school_class, class_teacher = queries.get_pupil_class(me.id)
    subjects = queries.list_pupil_subjects(me.id, school_class) if school_class else []
    return render("home/pupil.html", school_class=school_class,
                           class_teacher=class_teacher, subjects=subjects)


@bp.get("/staff")
@policy(ANY_STAFF)
def staff():
    ctx = current_user.context
    counts = classes = my_classes = None
    if access.is_admin(current_user):
        counts = queries.school_counts(ctx.school_id)
        classes = queries.list_classes(ctx.school_id)
    if ctx.class_ids:
        my_classes = queries.list_classes(ctx.school_id, ctx.class_ids)
    assignments = queries.list_assignments(current_user.person.id) if ctx.has("teacher") else []
    return render("home/staff.html", counts=counts, classes=classes,
                           my_classes=my_classes, assignments=assignments)


@bp.get("/classes/<public_id>")
@policy(ANY_STAFF)
def class_roster(public_id):
    school_class = queries.get_class_or_404(public_id)
    teaches = (not access.is_admin(current_user)
               and school_class.id not in current_user.context.class_ids
               and queries.teaches_class(current_user.person.id, school_class))
    access.require_class_roster(current_user, school_class, teaches)
    roster = queries.class_roster(school_class)
    return render("home/class_roster.html", school_class=school_class, roster=roster)
