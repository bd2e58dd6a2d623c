"""Set-up: the overview, the school's profile, and the shared helpers of the set-up views."""
from datetime import date

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.school import actions, bp, forms, queries
from kundoluk.school.actions import Invalid
from kundoluk.web import access
from kundoluk.web.access import SETUP, policy
from kundoluk.web.htmx import render
from kundoluk.writes import BadClientId


# --- helpers the set-up views share ------------------------------------------------------

SECTIONS = (
    ("index", "school.index", _l("Overview")),
    ("profile", "school.profile", _l("School")),
    ("calendar", "school.calendar", _l("Calendar")),
    ("shifts", "school.shifts", _l("Shifts and bells")),
    ("subjects", "school.subjects", _l("Subjects")),
    ("classes", "school.classes", _l("Classes")),
    ("groups", "school.groups", _l("Groups")),
    ("assignments", "school.assignments", _l("Teaching")),
    ("staff", "school.staff", _l("Staff")),
)
# The first word of an endpoint's name tells which section it belongs to.
SECTION_OF = {"index": "index", "profile": "profile", "director": "profile", "calendar": "calendar",
              "year": "calendar", "term": "calendar", "holiday": "calendar", "band": "calendar",
              "shifts": "shifts", "shift": "shifts", "bells": "shifts", "day": "shifts",
              "subjects": "subjects", "subject": "subjects", "classes": "classes", "class": "classes",
              "groups": "groups", "group": "groups", "members": "groups", "member": "groups",
              "assignments": "assignments", "assignment": "assignments", "staff": "staff", "role": "staff"}


@bp.context_processor
def _setup_sections():
    current = SECTION_OF.get((request.endpoint or "").split(".")[-1].split("_")[0])
    return {"setup_sections": [(url_for(endpoint), label, key == current) for key, endpoint, label in SECTIONS]}


def list_args(**values):
    """Query-string arguments a list's links keep (empty ones left out)."""
    return {k: v for k, v in values.items() if v}


def actor():
    return current_user.account


def school_id():
    return current_user.context.school_id


def need_year():
    """The year being set up; without one, the calendar page (where it is created)."""
    year = queries.working_year()
    if year is None:
        abort(redirect(url_for("school.calendar")))
    return year


def default_start(year):
    """Today, kept inside the year (before 1 September: the year's first day)."""
    return min(max(clock.today(), year.starts_on), year.ends_on)


def attach_errors(form, errors):
    """Put a rule's errors on the form's fields (paths like rows.2.ends_at), or on the form."""
    for path, messages in errors.items():
        target = _field(form, path)
        if target is None:
            form.form_errors.extend(messages)
        else:
            target.errors = list(target.errors) + list(messages)


def _field(form, path):
    if not path:
        return None
    node = form
    for part in path.split("."):
        try:
            node = node[int(part)] if part.isdigit() else node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def refused(exc, form, template, **ctx):
    """422: nothing was written; the same page again with the reasons beside the fields."""
    db.session.rollback()
    attach_errors(form, exc.errors)
    return render(template, form=form, status=422, **ctx)


def shown(field, value):
    """A value as the form would show it: the label of a choice, a date, or a dash."""
    if value is None or value == "":
        return "—"
    choices = getattr(field, "choices", None)
    if choices:
        return dict((str(k), v) for k, v in choices).get(str(value), value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def conflicted(result, form, saved, template, **ctx):
    """409: someone saved this meanwhile. Show both values; sending again replaces theirs."""
    db.session.rollback()
    if result.mismatch:
        form.client_id.data = forms.new_client_id()
        message = _("This form was already sent with other values. Check the saved values below.")
    else:
        message = _("Someone changed this while you were editing. Compare, then send again to keep yours.")
    rows = [(form[name].label.text, shown(form[name], form[name].data), shown(form[name], value))
            for name, value in saved.items() if str(form[name].data or "") != str(value or "")]
    form.base_version.data = result.row.version if result.row is not None else form.base_version.data
    return render(template, form=form, conflict=rows, conflict_message=message, status=409, **ctx)


def contract_call(fn, *args, **kwargs):
    """Run a write under the contract; a malformed client_id is a bad request."""
    try:
        return fn(*args, **kwargs)
    except BadClientId:
        abort(400)


# --- overview and the school's profile ---------------------------------------------------

@bp.get("")
@policy(SETUP)
def index():
    year = queries.working_year()
    counts = queries.setup_counts(year.id) if year else None
    return render("school/index.html", year=year, counts=counts)


def _profile_page(profile, switch, status=200, **ctx):
    school = queries.get_school(school_id())
    can_switch = current_user.context.has(*access.SETUP_ROLES)
    return render("school/profile.html", form=profile, switch=switch, school=school,
                  can_switch=can_switch, status=status, **ctx)


def _profile_saved(school):
    return {"name_ky": school.name_ky, "name_ru": school.name_ru, "timezone": school.timezone}


@bp.get("/school")
@policy(SETUP)
def profile():
    school = queries.get_school(school_id())
    form = forms.ProfileForm(data=_profile_saved(school), base_version=school.version)
    switch = forms.DirectorForm(allowed=school.director_may_set_up, base_version=school.version)
    return _profile_page(form, switch)


@bp.post("/school")
@policy(SETUP)
def profile_save():
    school = queries.get_school(school_id())
    form = forms.ProfileForm()
    switch = forms.DirectorForm(formdata=None, allowed=school.director_may_set_up, base_version=school.version)
    if not form.validate_on_submit():
        return _profile_page(form, switch, status=422)
    values = {"name_ky": form.name_ky.data, "name_ru": form.name_ru.data, "timezone": form.timezone.data}
    try:
        result = contract_call(actions.save_profile, school, values, client_id=form.client_id.data,
                               base_version=form.seen_version(), actor=actor())
    except Invalid as exc:
        db.session.rollback()
        attach_errors(form, exc.errors)
        return _profile_page(form, switch, status=422)
    if not result.ok:
        return conflicted(result, form, _profile_saved(school), "school/profile.html", switch=switch,
                          school=school, can_switch=current_user.context.has(*access.SETUP_ROLES))
    db.session.commit()
    return redirect(url_for("school.profile", saved=1))


@bp.post("/school/director")
@policy(SETUP)
def director_access_save():
    access.require_setup_switch(current_user)
    school = queries.get_school(school_id())
    switch = forms.DirectorForm()
    if not switch.validate_on_submit():
        abort(400)
    result = contract_call(actions.set_director_access, school, switch.allowed.data,
                           client_id=switch.client_id.data, base_version=switch.seen_version(), actor=actor())
    if not result.ok:
        db.session.rollback()
        form = forms.ProfileForm(formdata=None, data=_profile_saved(school), base_version=school.version)
        message = _("Someone changed the school's settings meanwhile. Check and send again.")
        switch.base_version.data = school.version  # sending again now applies the reader's choice
        return _profile_page(form, switch, status=409, conflict=[], conflict_message=message)
    db.session.commit()
    return redirect(url_for("school.profile", saved=1))


from kundoluk.school import bell_views, calendar_views, class_views, group_views, staff_views  # noqa: E402,F401
