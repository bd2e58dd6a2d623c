from flask import redirect, url_for
from flask_login import current_user

from kundoluk.home import bp, queries
from kundoluk.web.htmx import render
from kundoluk.web import access
from kundoluk.web.access import ACCOUNT, ANY_STAFF, policy

HOMES = {"staff": "home.staff", "pupil": "diary.index", "parent": "diary.index"}


@bp.get("/")
@policy(ACCOUNT)
def index():
    ctx = current_user.context
    if ctx is None:
        return render("home/no_role.html")
    return redirect(url_for(HOMES[ctx.kind]))


@bp.get("/staff")
@policy(ANY_STAFF)
def staff():
    ctx = current_user.context
    if not access.is_admin(current_user) and ctx.has("teacher", "class_teacher"):
        from kundoluk.journal.views import day_page
        return day_page()  # a teacher's home is the teacher's day (issue 5)
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
