"""Timetable pages: the weekly grids and their cells, rooms, the pupils' and parents' week,
and the hall board (lessons, substitutions and reports are in lesson_views)."""
from datetime import date, timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kundoluk import clock, tenancy
from kundoluk.extensions import db
from kundoluk.models import School, StudyGroup
from kundoluk.timetable import actions, bp, forms, labels, lesson_actions, lesson_queries, queries, schooldays
from kundoluk.timetable.actions import Refused
from kundoluk.web.access import (
    PARENT, PUBLIC, PUPIL, TIMETABLE_EDITORS, TIMETABLE_READERS, policy, require_child,
)
from kundoluk.web.htmx import render
from kundoluk.web.i18n import format_date, localized


def school_id():
    return current_user.context.school_id


def is_editor():
    return TIMETABLE_EDITORS.test(current_user)


def date_arg(name, default):
    """A date from the query string; a malformed one answers 404 (nothing is at that address)."""
    raw = request.args.get(name)
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(404)


def week_arg():
    return schooldays.monday(date_arg("week", clock.today()))


def family_week_arg():
    """The week asked for, else the one a family opens on (on Sunday, the coming one)."""
    return schooldays.monday(date_arg("week", None) or schooldays.family_monday(clock.today()))


def refuse(form_field, message):
    form_field.errors = list(form_field.errors) + [message]


# --- Index and grids ----------------------------------------------------------------------

@bp.get("/")
@policy(TIMETABLE_READERS)
def index():
    sid = school_id()
    year = queries.current_year(sid)
    return render("timetable/index.html", year=year,
                  classes=queries.list_classes(sid, year.id) if year else [],
                  teachers=queries.list_teachers(sid), rooms=queries.list_rooms(sid), editor=is_editor(),
                  flagged=lesson_queries.count_flagged(sid) if is_editor() else 0, resync_form=forms.EmptyForm(),
                  teaches=current_user.context.has("teacher", "class_teacher"))


def _chosen_group(groups):
    wanted = request.args.get("group")
    if not wanted:
        return None
    found = next((g for g in groups if g.public_id == wanted), None)
    if found is None:
        abort(404)
    return found


@bp.get("/classes/<class_id>")
@policy(TIMETABLE_READERS)
def class_grid(class_id):
    school_class = queries.get_class_or_404(class_id)
    groups = queries.list_class_groups(school_class)
    group = _chosen_group(groups)
    day = date_arg("on", clock.today())
    grid = queries.class_grid(school_class, day, group)
    return render("timetable/grid.html", title=_("Class %(label)s", label=school_class.label), grid=grid, day=day,
                  school_class=school_class, groups=groups, group=group, editor=is_editor(),
                  alternating=queries.is_alternating(school_class.id), alternating_form=forms.AlternatingForm(),
                  cell_url=lambda wd, period: url_for("timetable.cell", class_id=class_id, weekday=wd,
                                                       period=period))


@bp.get("/groups/<group_id>")
@policy(TIMETABLE_READERS)
def group_grid(group_id):
    group = queries.get_group_or_404(group_id)
    if group.school_class_id is not None:  # a class's group is shown on its class's page
        school_class = queries.class_for_group(group)
        return redirect(url_for("timetable.class_grid", class_id=school_class.public_id, group=group.public_id))
    day = date_arg("on", clock.today())
    return render("timetable/grid.html", title=group.name or _("Group"), grid=queries.group_grid(group, day),
                  day=day, school_class=None, groups=[], group=group, editor=is_editor(),
                  cell_url=lambda wd, period: url_for("timetable.group_cell", group_id=group_id, weekday=wd,
                                                       period=period))


@bp.get("/teachers/<teacher_id>")
@policy(TIMETABLE_READERS)
def teacher_grid(teacher_id):
    teacher = queries.get_teacher_or_404(teacher_id)
    day = date_arg("on", clock.today())
    return render("timetable/grid.html", title=teacher.full_name, grid=queries.teacher_grid(school_id(), teacher, day),
                  day=day, school_class=None, groups=[], group=None, editor=False, show_class=True, hide="teacher")


@bp.get("/mine")
@policy(TIMETABLE_READERS)
def mine():
    return redirect(url_for("timetable.teacher_grid", teacher_id=current_user.person.public_id))


@bp.get("/rooms")
@policy(TIMETABLE_READERS)
def rooms():
    return render("timetable/rooms.html", rooms=queries.list_rooms_with_use(school_id(), clock.today()),
                  form=forms.RoomForm(), editor=is_editor())


@bp.post("/rooms")
@policy(TIMETABLE_EDITORS)
def room_add():
    form = forms.RoomForm()
    if form.validate_on_submit():
        try:
            actions.add_room(school_id(), form.name.data, form.capacity.data)
            db.session.commit()
            flash(_("Room added."))
            return redirect(url_for("timetable.rooms"))
        except Refused as refused:
            db.session.rollback()
            refuse(form.name, " ".join(refused.messages))
    return render("timetable/rooms.html", rooms=queries.list_rooms_with_use(school_id(), clock.today()), form=form,
                  editor=True), 422


@bp.get("/rooms/<room_id>")
@policy(TIMETABLE_READERS)
def room_grid(room_id):
    room = queries.get_room_or_404(room_id)
    day = date_arg("on", clock.today())
    return render("timetable/grid.html", title=_("Room %(name)s", name=room.name),
                  grid=queries.room_grid(school_id(), room, day), day=day, school_class=None, groups=[], group=None,
                  editor=False, show_class=True, hide="room")


@bp.post("/classes/<class_id>/alternating")
@policy(TIMETABLE_EDITORS)
def alternating_save(class_id):
    school_class = queries.get_class_or_404(class_id)
    form = forms.AlternatingForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        actions.set_alternating(school_class, form.on.data == "1", current_user.account)
        db.session.commit()
        flash(_("Saved."))
    except Refused as refused:
        db.session.rollback()
        flash(" ".join(refused.messages), "bad")
    return redirect(url_for("timetable.class_grid", class_id=class_id))


# --- A cell of the grid: its entries, and adding one ----------------------------------------

def _owner(class_id=None, group_id=None):
    """(school_class, group): a class's cell lists all its groups; an elective's, its own."""
    if class_id is not None:
        return queries.get_class_or_404(class_id), None
    group = queries.get_group_or_404(group_id)
    if group.school_class_id is not None:
        abort(404)
    return None, group


def _int_arg(name, low, high):
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        abort(404)
    if not low <= value <= high:
        abort(404)
    return value


def assignment_choices(school_class, group, day):
    rows = (queries.list_class_assignments(school_class, day) if school_class is not None
            else queries.list_group_assignments(group, day))
    return [(a.public_id, _assignment_label(subject, g, teacher)) for a, subject, g, teacher in rows]


def _assignment_label(subject, group, teacher):
    part = "" if group.kind == "class" or not group.name else " · " + _("group %(name)s", name=group.name)
    return f"{localized(subject)}{part} — {teacher.full_name}"


def room_choices(sid, blank=True):
    choices = [("", _("no room"))] if blank else []
    return choices + [(r.public_id, r.name) for r in queries.list_rooms(sid)]


def _prepare_entry_form(form, school_class, group, day, rooms=None):
    form.assignment.choices = assignment_choices(school_class, group, day)
    form.room.choices = rooms if rooms is not None else room_choices(school_id())
    if school_class is None:  # an elective names its shift; a class's group has its class's
        form.shift.choices = [(str(s.id), _("Shift %(number)s", number=s.number))
                              for s in queries.list_shifts(school_id())]
    return form


def _cell_page(school_class, group, weekday, period, add_form=None, problems=(), status=200, changed=None):
    day = clock.today()
    rooms = room_choices(school_id())
    if add_form is None:
        add_form = forms.EntryForm(weekday=weekday, period=period, valid_from=day)
    _prepare_entry_form(add_form, school_class, group, day, rooms)
    grid = queries.class_grid(school_class, day) if school_class is not None else queries.group_grid(group, day)
    cells = [c for key, found in grid.cells.items() if key[1:] == (period, weekday) for c in found]
    change_forms = {c.entry.public_id: _entry_change_form(c, rooms, (changed or {}).get(c.entry.public_id))
                    for c in cells}
    return render("timetable/cell.html", school_class=school_class, group=group, weekday=weekday, period=period,
                  cells=cells, add_form=add_form, change_forms=change_forms, problems=problems,
                  weekday_name=labels.weekday(weekday), add_url=_add_url(school_class, group)), status


def _entry_change_form(cell, rooms, form=None):
    entry = cell.entry
    form = form or forms.EntryChangeForm(prefix=forms.prefix("entry", entry.public_id), base_version=entry.version,
                                         parity=entry.parity, from_date=clock.today(),
                                         room=cell.room.public_id if cell.room else "")
    form.room.choices = rooms
    return form


def _add_url(school_class, group):
    if school_class is not None:
        return url_for("timetable.entry_add", class_id=school_class.public_id)
    return url_for("timetable.group_entry_add", group_id=group.public_id)


@bp.get("/classes/<class_id>/cell")
@policy(TIMETABLE_EDITORS)
def cell(class_id):
    school_class, group = _owner(class_id=class_id)
    return _cell_page(school_class, group, _int_arg("weekday", 1, 5), _int_arg("period", 1, 12))


@bp.get("/groups/<group_id>/cell")
@policy(TIMETABLE_EDITORS)
def group_cell(group_id):
    school_class, group = _owner(group_id=group_id)
    return _cell_page(school_class, group, _int_arg("weekday", 1, 5), _int_arg("period", 1, 12))


@bp.post("/classes/<class_id>/entries")
@policy(TIMETABLE_EDITORS)
def entry_add(class_id):
    return _entry_add(*_owner(class_id=class_id))


@bp.post("/groups/<group_id>/entries")
@policy(TIMETABLE_EDITORS)
def group_entry_add(group_id):
    return _entry_add(*_owner(group_id=group_id))


def _entry_add(school_class, group):
    form = _prepare_entry_form(forms.EntryForm(), school_class, group, clock.today())
    problems, status = [], 422
    if form.validate_on_submit():
        sid = school_id()
        assignment = queries.find_assignment(sid, form.assignment.data)
        room = queries.find_room(sid, form.room.data)
        if assignment is None or assignment.public_id not in dict(form.assignment.choices):
            refuse(form.assignment, _("Choose a subject and teacher of this class."))
        elif form.room.data and room is None:
            refuse(form.room, _("Choose a room of this school."))
        else:
            try:
                actions.place_entry(sid, assignment, weekday=form.weekday.data, period=form.period.data,
                                    parity=form.parity.data, room=room, valid_from=form.valid_from.data,
                                    actor=current_user.account, reason=form.reason.data,
                                    client_id=form.client_id.data, shift_id=_shift_id(form))
                db.session.commit()
                flash(_("Added to the timetable; lessons follow from %(date)s.",
                        date=format_date(form.valid_from.data)))
                return redirect(_grid_url(school_class, group))
            except Refused as refused:
                db.session.rollback()
                problems, status = refused.messages, refused.status
    return _cell_page(school_class, group, form.weekday.data or 1, form.period.data or 1, form, problems, status)


def _shift_id(form):
    try:
        return int(form.shift.data) if form.shift.data else None
    except ValueError:
        return None


def _grid_url(school_class, group):
    if school_class is not None:
        return url_for("timetable.class_grid", class_id=school_class.public_id)
    return url_for("timetable.group_grid", group_id=group.public_id)


@bp.post("/entries/<entry_id>")
@policy(TIMETABLE_EDITORS)
def entry_save(entry_id):
    entry = queries.get_entry_or_404(entry_id)
    group = db.session.get(StudyGroup, entry.group_id)
    school_class = queries.class_for_group(group)
    owner = (school_class, None if school_class else group)
    form = forms.EntryChangeForm(prefix=forms.prefix("entry", entry_id))
    form.room.choices = room_choices(entry.school_id)
    problems, status = [], 422
    if form.validate_on_submit():
        room = queries.find_room(entry.school_id, form.room.data)
        if form.action.data == "change" and form.room.data and room is None:
            refuse(form.room, _("Choose a room of this school."))
        else:
            try:
                _apply_entry_change(entry, form, room)
                db.session.commit()
                flash(_("Saved; lessons follow from %(date)s.", date=format_date(form.from_date.data)))
                return redirect(_grid_url(*owner))
            except Refused as refused:
                db.session.rollback()
                problems, status = refused.messages, refused.status
                entry = queries.get_entry_or_404(entry_id)
    return _cell_page(*owner, entry.weekday, entry.period, problems=problems, status=status,
                      changed={entry_id: form})


def _apply_entry_change(entry, form, room):
    common = dict(actor=current_user.account, reason=form.reason.data, client_id=form.client_id.data,
                  base_version=form.version())
    if form.action.data == "remove":
        return actions.end_entry(entry, form.from_date.data, **common)
    return actions.change_entry(entry, room=room, parity=form.parity.data, from_date=form.from_date.data, **common)


# --- Pupils and parents: the week with its changes -----------------------------------------

def _week_page(pupil, school_class, start, children=None):
    views, holidays = [], {}
    if school_class is not None:
        end = start + timedelta(days=6)
        views = lesson_queries.pupil_week(pupil.id, school_class.school_id, start)
        holidays = lesson_queries.holidays_between(school_class.school_id, school_class.grade, start, end)
    return render("timetable/week.html", pupil=pupil, school_class=school_class, start=start,
                  days=lesson_queries.week_days(start, views, holidays), children=children,
                  prev_week=start - timedelta(days=7), next_week=start + timedelta(days=7))


@bp.get("/my")
@policy(PUPIL)
def my_week():
    me = current_user.person
    return _week_page(me, lesson_queries.pupil_class(me.id), family_week_arg())


@bp.get("/children")
@policy(PARENT)
def children():
    rows = lesson_queries.list_children(current_user.context.child_ids)
    if not rows:
        return render("timetable/week.html", pupil=None, school_class=None, days=[], children=[])
    return redirect(url_for("timetable.child_week", child_id=rows[0][0].public_id))


@bp.get("/children/<child_id>")
@policy(PARENT)
def child_week(child_id):
    rows = lesson_queries.list_children(current_user.context.child_ids)
    chosen = next((row for row in rows if row[0].public_id == child_id), None)
    if chosen is None:
        abort(404)
    require_child(current_user, chosen[0].id)
    return _week_page(chosen[0], chosen[1], family_week_arg(), children=rows)


# --- The hall board ------------------------------------------------------------------------

@bp.get("/board/<token>")
@policy(PUBLIC)
def board(token):
    link = lesson_actions.find_kiosk_link(token)
    if link is None:
        abort(404)
    tenancy.set_schools({link.school_id})  # the link is the only identity: its school, nothing else
    day = clock.today()
    return render("timetable/board.html", fragments={"board": "timetable/_board.html"},
                  school=db.session.get(School, link.school_id), day=day,
                  changes=lesson_queries.day_changes(link.school_id, day), token=token)


# --- Filters for the timetable's templates ------------------------------------------------------

@bp.app_template_filter("tt_time")
def tt_time(value):
    """A bell time as 08:45 (the same in both languages)."""
    return value.strftime("%H:%M") if value else ""


@bp.app_template_filter("tt_weekday")
def tt_weekday(value):
    """The weekday's name of a date or of an ISO weekday number."""
    return labels.weekday(value if isinstance(value, int) else value.isoweekday())


@bp.app_template_filter("tt_parity")
def tt_parity(value):
    return labels.PARITIES.get(value, "")


@bp.app_template_filter("tt_change")
def tt_change(value):
    return labels.change(value)


@bp.app_template_filter("tt_flag")
def tt_flag(value):
    return labels.FLAGS.get(value, "")
