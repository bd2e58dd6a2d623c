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
    if is_admin(user) or school_class.id in user.context.class_ids:
        return
    if user.context.kind == "staff" and teaches_class:
        abort(403)
    abort(404)


def require_child(user, pupil_id):
    """A parent's child (or the pupil themself); anything else is 404."""
    ctx = user.context
    if ctx.kind == "parent" and pupil_id in ctx.child_ids:
        return
    if ctx.kind == "pupil" and pupil_id == user.person.id:
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


# --- Credentials desk and imports (issue 3) -------------------------------------------


# --- Timetable, lessons and substitutions (issue 4) ------------------------------------
