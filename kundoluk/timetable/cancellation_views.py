"""Cancelling the lessons of several grades for some days (quarantine, cold), and lifting such a
cancellation from a day on (the quarantine ends early, or it was made by mistake)."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _, ngettext

from kundoluk import clock
from kundoluk.extensions import db
from kundoluk.timetable import bp, forms, grade_cancellations, queries
from kundoluk.timetable.actions import Refused
from kundoluk.timetable.lesson_views import actor
from kundoluk.timetable.views import school_id
from kundoluk.web.access import TIMETABLE_EDITORS, policy
from kundoluk.web.htmx import render
from kundoluk.web.i18n import format_date


def _lift_forms(cancellations, submitted=None):
    """A "lift from" form for each cancellation not over yet and not lifted already."""
    today = clock.today()
    made = {c.id: forms.LiftForm(prefix=forms.prefix("lift", c.public_id), from_day=today)
            for c in cancellations if c.ends_on >= today and c.ends_on >= c.starts_on}
    made.update(submitted or {})
    return made


def _cancellations_page(form=None, problems=(), status=200, lift=None):
    year = queries.current_year(school_id())
    found = queries.list_cancellations(school_id(), year) if year else []
    return render("timetable/cancellations.html", form=form or forms.CancellationForm(), cancellations=found,
                  lift_forms=_lift_forms(found, lift), lifted={c.id for c in found if c.ends_on < c.starts_on},
                  problems=problems), status


@bp.get("/cancellations")
@policy(TIMETABLE_EDITORS)
def cancellations():
    return _cancellations_page()


@bp.post("/cancellations")
@policy(TIMETABLE_EDITORS)
def cancellation_add():
    form = forms.CancellationForm()
    problems, status = [], 422
    if form.validate_on_submit():
        try:
            made = grade_cancellations.cancel_for_grades(
                school_id(), grade_from=form.grade_from.data, grade_to=form.grade_to.data,
                starts_on=form.starts_on.data, ends_on=form.ends_on.data, reason=form.reason.data, actor=actor())
            db.session.commit()
            flash(_("%(count)s lessons cancelled.", count=made.lessons))
            return redirect(url_for("timetable.cancellations"))
        except Refused as refused:
            db.session.rollback()
            problems, status = refused.messages, refused.status
    return _cancellations_page(form, problems, status)


@bp.post("/cancellations/<cancellation_id>/lift")
@policy(TIMETABLE_EDITORS)
def cancellation_lift(cancellation_id):
    found = queries.get_cancellation_or_404(cancellation_id)
    form = forms.LiftForm(prefix=forms.prefix("lift", cancellation_id))
    problems, status = [], 422
    if form.validate_on_submit():
        try:
            done = grade_cancellations.lift_cancellation(found, from_day=form.from_day.data, reason=form.reason.data,
                                                    actor=actor())
            db.session.commit()
            flash(ngettext("%(num)d lesson is held again from %(date)s.",
                           "%(num)d lessons are held again from %(date)s.", done.restored,
                           date=format_date(form.from_day.data)))
            if done.kept:
                flash(ngettext("%(num)d lesson stays cancelled: another lesson has taken its time.",
                               "%(num)d lessons stay cancelled: other lessons have taken their time.",
                               done.kept), "bad")
            return redirect(url_for("timetable.cancellations"))
        except Refused as refused:
            db.session.rollback()
            problems, status = refused.messages, refused.status
    return _cancellations_page(problems=problems, status=status, lift={found.id: form})
