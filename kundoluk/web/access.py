"""The one access policy: who may see and do what. Default deny.

Every endpoint declares a rule with @policy(...); a test walks app.url_map and fails
for any endpoint without one. The rule runs before the view, signs anonymous people
in (HX-Redirect under htmx), sends a half-set-up account to its first sign-in, and
limits the request's database reads to the schools of the role context in use.
Outside one's scope answers 404; in scope but not allowed answers 403.
"""
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

from kundoluk import tenancy
from kundoluk.extensions import login_manager

PUBLIC = "public"          # anyone, signed in or not
SIGNED_IN = "signed_in"    # any account, also one still in its first sign-in
ADMIN_ROLES = ("admin", "director", "deputy")


class Rule:
    """A named predicate on the current user's role context."""

    def __init__(self, name, test):
        self.name = name
        self.test = test

    def __repr__(self):
        return f"<Rule {self.name}>"


def _kind(kind, *roles):
    def test(user):
        ctx = user.context
        return ctx is not None and ctx.kind == kind and (not roles or ctx.has(*roles))
    return test


def staff(*roles):
    """Staff of the current school holding one of these roles."""
    return Rule(f"staff{roles}", _kind("staff", *roles))


ACCOUNT = Rule("account", lambda user: True)  # any account past its first sign-in
ANY_STAFF = Rule("any_staff", _kind("staff"))
PARENT = Rule("parent", _kind("parent"))
PUPIL = Rule("pupil", _kind("pupil"))


def policy(rule):
    """Declare and enforce the access rule of a view."""
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            refusal = check(rule)
            return refusal if refusal is not None else view(*args, **kwargs)
        guarded.access_policy = rule
        return guarded
    return decorate


def check(rule):
    """Apply a rule to the current request; return a response to send instead, or None."""
    user = current_user
    if user.is_authenticated and user.context is not None:
        tenancy.set_schools(user.context.school_ids)
    else:
        tenancy.set_schools(())
    if rule == PUBLIC:
        return None
    if not user.is_authenticated:
        return login_manager.unauthorized()
    if rule == SIGNED_IN:
        return None
    if user.needs_first_sign_in:
        return redirect(url_for("accounts.first_sign_in"))
    if not rule.test(user):
        abort(404)
    return None


def endpoint_rule(app, endpoint):
    """The rule declared on an endpoint, or None (the test that walks url_map uses this)."""
    if endpoint == "static":
        return PUBLIC  # Flask's own static route: public files only
    return getattr(app.view_functions[endpoint], "access_policy", None)


def is_admin(user):
    return user.context.kind == "staff" and user.context.has(*ADMIN_ROLES)


def require_class_roster(user, school_class, teaches_class):
    """The class list with account status: class teacher of that class or the administration.

    A teacher who only teaches the class has it in scope but may not see accounts: 403.
    Anyone else never learns the class exists: 404 (the loader already scoped the school).
    """
    _require_class_scope(user, school_class, teaches_class, is_admin(user))


def _require_class_scope(user, school_class, teaches_class, admin):
    """Its class teacher or an administrator passes; a teacher of the class gets 403; anyone else 404."""
    if admin or school_class.id in user.context.class_ids:
        return
    if user.context.kind == "staff" and teaches_class:
        abort(403)
    abort(404)


def require_own_pupil(user, public_id):
    """A parent's child or the pupil themself, named by the URL's opaque id; else 404.
    Decided from the identity alone, so a kept page can be served without a query."""
    _require_family(user, public_id, user.context.child_public_ids, user.person.public_id)


def require_child(user, pupil_id):
    """A parent's child (or the pupil themself); anything else is 404."""
    _require_family(user, pupil_id, user.context.child_ids, user.person.id)


def _require_family(user, wanted, children, own):
    kind = user.context.kind
    if (kind == "parent" and wanted in children) or (kind == "pupil" and wanted == own):
        return
    abort(404)


def safe_next(target):
    """A local path to return to after sign-in, or None (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def hx_aware_unauthorized():
    """Anonymous: sign in; under htmx, HX-Redirect so no sign-in page lands in a table cell."""
    from kundoluk.web import htmx
    target = url_for("accounts.login", next=request.full_path.rstrip("?"))
    if getattr(request, "htmx", None):
        return htmx.hx_redirect(target)
    return redirect(target)


# --- Year set-up (issue 3): rules for the set-up screens ------------------------------

SETUP_ROLES = ("deputy", "admin")


def director_may_set_up(school_id):
    """The school's own switch letting its director do the set-up (one cached read)."""
    from kundoluk.extensions import db
    from kundoluk.models import School
    school = db.session.get(School, school_id)  # the identity map answers repeats in a request
    return bool(school and school.director_may_set_up)


def _may_set_up(user):
    ctx = user.context
    if ctx is None or ctx.kind != "staff":
        return False
    if ctx.has(*SETUP_ROLES):
        return True
    return ctx.has("director") and director_may_set_up(ctx.school_id)


# The deputy and the school administrator (Order No. 72 p.3); the director where allowed.
SETUP = Rule("setup", _may_set_up)


def require_setup_switch(user):
    """Only the deputy and the administrator decide whether the director may do set-up: 403."""
    if not user.context.has(*SETUP_ROLES):
        abort(403)


# --- Credentials desk and imports (issue 3) -------------------------------------------

DESK_ADMIN_ROLES = ("deputy", "admin")   # the deputy and the school administrator (Order No. 72 p.3)
DESK = staff("class_teacher", *DESK_ADMIN_ROLES)
DESK_ADMIN = staff(*DESK_ADMIN_ROLES)


def is_desk_admin(user):
    """True for the deputy and the school administrator: every class of their school."""
    return user.context.kind == "staff" and user.context.has(*DESK_ADMIN_ROLES)


def require_desk_class(user, school_class, teaches_class):
    """The credentials desk of a class: its class teacher, or the deputy and administrator.

    A teacher who teaches the class but is not its class teacher has it in scope: 403.
    Anyone else never learns the class exists: 404 (the loader already scoped the school).
    """
    _require_class_scope(user, school_class, teaches_class, is_desk_admin(user))



# --- Timetable, lessons and substitutions (issue 4) ------------------------------------

# The deputy edits the timetable, lessons and substitutions; the school administrator may do
# it on their behalf (Order No. 72 p.3). Every member of staff reads the school's timetable.
TIMETABLE_EDITORS = staff("deputy", "admin")
TIMETABLE_READERS = ANY_STAFF
PAY_READERS = staff("deputy", "director", "admin")


def _lesson_class_id(lesson):
    from kundoluk.extensions import db
    from kundoluk.models import StudyGroup
    group = db.session.get(StudyGroup, lesson.group_id)  # the identity map answers repeats
    return group.school_class_id if group else None


def can_read_lesson(user, lesson, class_id=None):
    """Staff of the lesson's school who may see it: the administration, its regular teacher,
    whoever teaches it now (a substitute: this lesson only), the class teacher of its class."""
    ctx = user.context
    if ctx is None or ctx.kind != "staff" or lesson.school_id != ctx.school_id:
        return False
    if ctx.has(*ADMIN_ROLES) or user.person.id in (lesson.teacher_id, lesson.taught_by_id):
        return True
    if not ctx.class_ids:
        return False
    return (class_id if class_id is not None else _lesson_class_id(lesson)) in ctx.class_ids


def can_write_lesson(user, lesson):
    """Who may write a lesson's journal: whoever teaches it now (the regular teacher, or the
    substitute of this lesson only) and the deputy. A substituted teacher only reads it."""
    if not can_read_lesson(user, lesson, class_id=-1):
        return False
    return user.context.has("deputy") or lesson.taught_by_id == user.person.id


def require_lesson_reader(user, lesson, class_id=None):
    """404 unless the user may see this lesson."""
    if not can_read_lesson(user, lesson, class_id):
        abort(404)


def require_lesson_writer(user, lesson, class_id=None):
    """404 outside scope; 403 for a reader who may not write (the substituted teacher, the class teacher)."""
    require_lesson_reader(user, lesson, class_id)
    if not can_write_lesson(user, lesson):
        abort(403)


# --- The teacher's journal (issue 5) ----------------------------------------------------

JOURNAL = staff("teacher", "class_teacher", "deputy", "director", "admin")
JOURNAL_DISCIPLINE = staff("deputy", "director")
JOURNAL_SETTINGS = staff("deputy", "director")


def lesson_journal_access(user, lesson, class_id):
    """'write' or 'read' for a lesson's journal (the issue-4 lesson rules); 404 outside scope."""
    require_lesson_reader(user, lesson, class_id)
    return "write" if can_write_lesson(user, lesson) else "read"


def journal_access(user, *, teacher_id, class_id):
    """'write' or 'read' for a teaching assignment's journal; 404 outside scope.

    Its teacher and the deputy write; the administration and the class teacher of the class
    read (the class teacher reads every subject of their class).
    """
    ctx = user.context
    if ctx.has("deputy") or teacher_id == user.person.id:
        return "write"
    if ctx.has(*ADMIN_ROLES) or (class_id is not None and class_id in ctx.class_ids):
        return "read"
    abort(404)


def class_journal_access(user, class_id):
    """The class teacher of the class and the deputy record excuses; the director reads; 404 else."""
    ctx = user.context
    if ctx.has("deputy") or class_id in ctx.class_ids:
        return "write"
    if ctx.has(*ADMIN_ROLES):
        return "read"
    abort(404)


def require_journal_write(access_level):
    """A reader (class teacher, director, the substituted teacher) may not write: 403."""
    if access_level != "write":
        abort(403)
