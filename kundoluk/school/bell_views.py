"""Set-up of shifts, their bell schedules, and one-day bell overrides (a shortened day)."""
from datetime import date

from flask import abort, redirect, request, url_for

from kundoluk.extensions import db
from kundoluk.school import bp, calendar_actions, forms, queries
from kundoluk.school.actions import Invalid
from kundoluk.school.views import actor, attach_errors, need_year, refused, school_id
from kundoluk.web.access import SETUP, policy
from kundoluk.web.htmx import render


def _bells_form(bells):
    """The schedule as form lines, with blank lines to add lessons."""
    form = forms.BellsForm(formdata=None, data={"rows": [
        {"period": b.period, "starts_at": b.starts_at, "ends_at": b.ends_at} for b in bells]})
    while len(form.rows) < max(forms.BELL_ROWS, len(bells) + 2):
        form.rows.append_entry()
    return form


def _parse_day(on_date):
    try:
        return date.fromisoformat(on_date)
    except ValueError:
        abort(404)


@bp.get("/shifts")
@policy(SETUP)
def shifts():
    return _shifts_page(forms.ShiftForm(formdata=None))


def _shifts_page(form, status=200):
    return render("school/shifts.html", shifts=queries.list_shifts_with_bells(), form=form, status=status)


@bp.post("/shifts")
@policy(SETUP)
def shift_create():
    form = forms.ShiftForm()
    if not form.validate_on_submit():
        return _shifts_page(form, status=422)
    try:
        shift = calendar_actions.add_shift(school_id(), form.number.data, actor=actor())
    except Invalid as exc:
        db.session.rollback()
        attach_errors(form, exc.errors)
        return _shifts_page(form, status=422)
    db.session.commit()
    return redirect(url_for("school.shift", shift_id=shift.public_id))


def _shift_page(shift, form, day_form=None, status=200, **ctx):
    return render("school/shift.html", shift=shift, form=form, days=queries.list_override_days(shift.id),
                  day_form=day_form or forms.DayForm(formdata=None), status=status, **ctx)


@bp.get("/shifts/<shift_id>")
@policy(SETUP)
def shift(shift_id):
    shift = queries.get_shift_or_404(shift_id)
    return _shift_page(shift, _bells_form(queries.list_bells(shift.id)))


@bp.post("/shifts/<shift_id>/bells")
@policy(SETUP)
def bells_save(shift_id):
    shift = queries.get_shift_or_404(shift_id)
    form = forms.BellsForm()
    valid = form.validate_on_submit()
    bells = form.bells()
    if not valid or form.has_row_errors():
        return _shift_page(shift, form, status=422)
    try:
        calendar_actions.set_bells(shift, bells, actor=actor())
    except Invalid as exc:
        return refused(exc, form, "school/shift.html", shift=shift, days=queries.list_override_days(shift.id),
                       day_form=forms.DayForm(formdata=None))
    db.session.commit()
    return redirect(url_for("school.shift", shift_id=shift.public_id, saved=1))


@bp.post("/shifts/<shift_id>/remove")
@policy(SETUP)
def shift_remove(shift_id):
    shift = queries.get_shift_or_404(shift_id)
    try:
        calendar_actions.remove_shift(shift, actor=actor())
    except Invalid as exc:
        db.session.rollback()
        form = forms.ShiftForm(formdata=None)
        attach_errors(form, exc.errors)
        return _shifts_page(form, status=409)
    db.session.commit()
    return redirect(url_for("school.shifts"))


@bp.get("/shifts/<shift_id>/day")
@policy(SETUP)
def day_pick(shift_id):
    """The no-JS date picker: a GET form naming the date to edit."""
    shift = queries.get_shift_or_404(shift_id)
    day_form = forms.DayForm(formdata=request.args)
    if not day_form.validate():
        return _shift_page(shift, _bells_form(queries.list_bells(shift.id)), day_form, status=422)
    return redirect(url_for("school.day", shift_id=shift.public_id, on_date=day_form.on.data.isoformat()))


@bp.get("/shifts/<shift_id>/days/<on_date>")
@policy(SETUP)
def day(shift_id, on_date):
    shift = queries.get_shift_or_404(shift_id)
    on = _parse_day(on_date)
    override = queries.list_override(shift.id, on)
    form = _bells_form(override or queries.list_bells(shift.id))
    return render("school/day.html", shift=shift, on=on, form=form, exists=bool(override))


@bp.post("/shifts/<shift_id>/days/<on_date>")
@policy(SETUP)
def day_save(shift_id, on_date):
    shift = queries.get_shift_or_404(shift_id)
    on = _parse_day(on_date)
    form = forms.BellsForm()
    valid = form.validate_on_submit()
    bells = form.bells()
    page = {"shift": shift, "on": on, "exists": bool(queries.list_override(shift.id, on))}
    if not valid or form.has_row_errors():
        return render("school/day.html", form=form, status=422, **page)
    try:
        calendar_actions.set_day(shift, need_year(), on, bells, actor=actor())
    except Invalid as exc:
        return refused(exc, form, "school/day.html", **page)
    db.session.commit()
    return redirect(url_for("school.shift", shift_id=shift.public_id))


@bp.post("/shifts/<shift_id>/days/<on_date>/remove")
@policy(SETUP)
def day_remove(shift_id, on_date):
    shift = queries.get_shift_or_404(shift_id)
    calendar_actions.remove_day(shift, _parse_day(on_date), actor=actor())
    db.session.commit()
    return redirect(url_for("school.shift", shift_id=shift.public_id))
