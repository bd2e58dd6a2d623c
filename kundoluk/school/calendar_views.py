"""Set-up of the school year: its dates, terms, holidays and assessment bands."""
from flask import abort, redirect, url_for
from flask_babel import gettext as _

from kundoluk.extensions import db
from kundoluk.school import actions, bp, calendar_actions, forms, queries
from kundoluk.school.actions import Invalid
from kundoluk.school.views import (
    actor, attach_errors, conflicted, contract_call, need_year, refused, school_id,
)
from kundoluk.web.access import SETUP, policy
from kundoluk.web.htmx import render

TERM_FIELDS = ("kind", "number", "grade_from", "grade_to", "starts_on", "ends_on")
HOLIDAY_FIELDS = ("kind", "grade_from", "grade_to", "starts_on", "ends_on")
BAND_FIELDS = ("grade_from", "grade_to", "scheme", "max_points")


def _values(form, names):
    return {name: form[name].data for name in names}


def _saved(row, names):
    return {name: getattr(row, name) for name in names}


# --- the year and its calendar -----------------------------------------------------------

def _calendar_page(year, year_form, status=200):
    terms, holidays, bands = queries.list_calendar(year.id) if year else ([], [], [])
    return render("school/calendar.html", year=year, year_form=year_form, terms=terms,
                  holidays=holidays, bands=bands, status=status)


@bp.get("/calendar")
@policy(SETUP)
def calendar():
    year = queries.working_year()
    data = {"starts_on": year.starts_on, "ends_on": year.ends_on} if year else {}
    return _calendar_page(year, forms.YearForm(data=data))


@bp.post("/calendar/year")
@policy(SETUP)
def year_save():
    form = forms.YearForm()
    year = queries.working_year()
    if not form.validate_on_submit():
        return _calendar_page(year, form, status=422)
    try:
        if year is None:
            calendar_actions.create_year(school_id(), form.starts_on.data, form.ends_on.data, existing=None,
                                         actor=actor())
        else:
            calendar_actions.change_year(year, form.starts_on.data, form.ends_on.data, actor=actor())
    except Invalid as exc:
        db.session.rollback()
        attach_errors(form, exc.errors)
        return _calendar_page(queries.working_year(), form, status=422)
    _resync_lessons()
    db.session.commit()
    return redirect(url_for("school.calendar"))


def _resync_lessons():
    """Terms, holidays and the year decide which lessons exist: bring the lessons from today
    on in line in the same transaction (those with journal content are flagged, never deleted)."""
    from kundoluk.timetable import actions as timetable_actions
    timetable_actions.resync(school_id(), actor=actor(), reason=_("The school calendar was changed in the set-up."))


# --- terms and holidays (versioned: the write contract) ----------------------------------

def _item_page(template, form, year, row=None, status=200, **ctx):
    remove = forms.RemoveForm(formdata=None, base_version=row.version) if row is not None else None
    return render(template, form=form, year=year, row=row, remove_form=remove, status=status, **ctx)


def _item_save(template, form, fields, save, row=None):
    year = need_year()
    if not form.validate_on_submit():
        return _item_page(template, form, year, row, status=422)
    base = form.seen_version() if row is not None else None
    saved = _saved(row, fields) if row is not None else {}
    try:
        result = contract_call(save, year, _values(form, fields), client_id=form.client_id.data,
                               row=row, base_version=base, actor=actor())
    except Invalid as exc:
        return refused(exc, form, template, year=year, row=row, remove_form=None)
    if not result.ok:
        return conflicted(result, form, saved, template, year=year, row=row, remove_form=None)
    _resync_lessons()
    db.session.commit()
    return redirect(url_for("school.calendar"))


def _item_remove(row, template, form_class, fields):
    form = forms.RemoveForm()
    if not form.validate_on_submit():
        abort(400)
    edit = form_class(formdata=None, data=_saved(row, fields), base_version=row.version)
    try:
        result = actions.remove_versioned(row, form.seen_version(), actor=actor())
    except Invalid as exc:
        return refused(exc, edit, template, year=need_year(), row=row, remove_form=form)
    if not result.ok:  # changed meanwhile: show what it is now before anyone removes it
        return conflicted(result, edit, {}, template, year=need_year(), row=row,
                          remove_form=forms.RemoveForm(formdata=None, base_version=row.version))
    _resync_lessons()
    db.session.commit()
    return redirect(url_for("school.calendar"))


@bp.get("/terms/new")
@policy(SETUP)
def term_new():
    year = need_year()
    form = forms.TermForm(kind="quarter", number=1, grade_from=1, grade_to=11,
                          starts_on=year.starts_on, ends_on=year.starts_on)
    return _item_page("school/term_form.html", form, year)


@bp.post("/terms")
@policy(SETUP)
def term_create():
    return _item_save("school/term_form.html", forms.TermForm(), TERM_FIELDS, calendar_actions.save_term)


@bp.get("/terms/<term_id>")
@policy(SETUP)
def term_edit(term_id):
    term = queries.get_term_or_404(term_id)
    form = forms.TermForm(data=_saved(term, TERM_FIELDS), base_version=term.version)
    return _item_page("school/term_form.html", form, need_year(), term)


@bp.post("/terms/<term_id>")
@policy(SETUP)
def term_save(term_id):
    term = queries.get_term_or_404(term_id)
    return _item_save("school/term_form.html", forms.TermForm(), TERM_FIELDS, calendar_actions.save_term, term)


@bp.post("/terms/<term_id>/remove")
@policy(SETUP)
def term_remove(term_id):
    return _item_remove(queries.get_term_or_404(term_id), "school/term_form.html", forms.TermForm, TERM_FIELDS)


@bp.get("/holidays/new")
@policy(SETUP)
def holiday_new():
    year = need_year()
    form = forms.HolidayForm(kind="autumn", grade_from=1, grade_to=11,
                             starts_on=year.starts_on, ends_on=year.starts_on)
    return _item_page("school/holiday_form.html", form, year)


@bp.post("/holidays")
@policy(SETUP)
def holiday_create():
    return _item_save("school/holiday_form.html", forms.HolidayForm(), HOLIDAY_FIELDS, calendar_actions.save_holiday)


@bp.get("/holidays/<holiday_id>")
@policy(SETUP)
def holiday_edit(holiday_id):
    holiday = queries.get_holiday_or_404(holiday_id)
    form = forms.HolidayForm(data=_saved(holiday, HOLIDAY_FIELDS), base_version=holiday.version)
    return _item_page("school/holiday_form.html", form, need_year(), holiday)


@bp.post("/holidays/<holiday_id>")
@policy(SETUP)
def holiday_save(holiday_id):
    holiday = queries.get_holiday_or_404(holiday_id)
    return _item_save("school/holiday_form.html", forms.HolidayForm(), HOLIDAY_FIELDS,
                      calendar_actions.save_holiday, holiday)


@bp.post("/holidays/<holiday_id>/remove")
@policy(SETUP)
def holiday_remove(holiday_id):
    return _item_remove(queries.get_holiday_or_404(holiday_id), "school/holiday_form.html", forms.HolidayForm,
                        HOLIDAY_FIELDS)


# --- assessment bands --------------------------------------------------------------------

@bp.get("/bands/new")
@policy(SETUP)
def band_new():
    need_year()
    return render("school/band_form.html", form=forms.BandForm(scheme="five_point", grade_from=1, grade_to=11),
                  band=None)


@bp.post("/bands")
@policy(SETUP)
def band_create():
    return _band_save(None)


@bp.get("/bands/<band_id>")
@policy(SETUP)
def band_edit(band_id):
    band = queries.get_band_or_404(band_id)
    return render("school/band_form.html", form=forms.BandForm(data=_saved(band, BAND_FIELDS)), band=band)


@bp.post("/bands/<band_id>")
@policy(SETUP)
def band_save(band_id):
    return _band_save(queries.get_band_or_404(band_id))


def _band_save(band):
    year = need_year()
    form = forms.BandForm()
    if not form.validate_on_submit():
        return render("school/band_form.html", form=form, band=band, status=422)
    try:
        calendar_actions.save_band(year, _values(form, BAND_FIELDS), row=band, actor=actor())
    except Invalid as exc:
        return refused(exc, form, "school/band_form.html", band=band)
    db.session.commit()
    return redirect(url_for("school.calendar"))


@bp.post("/bands/<band_id>/remove")
@policy(SETUP)
def band_remove(band_id):
    band = queries.get_band_or_404(band_id)  # CSRFProtect has checked the token already
    calendar_actions.remove_band(band, actor=actor())
    db.session.commit()
    return redirect(url_for("school.calendar"))
