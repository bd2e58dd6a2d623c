"""Year set-up rules, called without HTTP (inside a request context scoped to the school)."""
import uuid
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from kundoluk import clock, tenancy
from kundoluk.models import (
    AuditLog, Bell, BellOverride, ChangeHistory, GroupMember, Membership, SchoolClass, StudyGroup,
    Subject, TeachingAssignment, Term,
)
from kundoluk.school import actions, calendar_actions, queries, staffing
from kundoluk.school.actions import Invalid
from tests import factories


@pytest.fixture()
def ctx(app, session, world):
    """A request of the deputy's school: tenancy and the translations work as in a view."""
    with app.test_request_context("/setup"):
        tenancy.set_schools({world.school.id})
        yield world


def cid():
    return str(uuid.uuid4())


def refused(fn, *args, **kwargs):
    with pytest.raises(Invalid) as caught:
        fn(*args, **kwargs)
    return caught.value.errors


def day(w, n):
    """The n-th day of the test school's year (so the rules never depend on the real date)."""
    return w.school.year.starts_on + timedelta(days=n)


def term_values(w, **kw):
    values = {"kind": "quarter", "number": 1, "grade_from": 1, "grade_to": 9,
              "starts_on": day(w, 0), "ends_on": day(w, 55)}
    values.update(kw)
    return values


# --- grades, spans, the year --------------------------------------------------------------

@pytest.mark.parametrize("low,high,field", [(0, 5, "grade_from"), (1, 13, "grade_to"), (7, 5, "grade_to")])
def test_grade_ranges_run_1_to_12_in_order(ctx, low, high, field):
    assert field in actions.check_grades(low, high)


def test_grade_12_is_allowed(ctx):
    assert actions.check_grades(1, 12) == {}


def test_term_end_before_start_is_refused(ctx):
    w = ctx
    errors = refused(calendar_actions.save_term, w.school.year, term_values(w, ends_on=day(w, -1) + timedelta(days=0),
                                                                 starts_on=day(w, 5)), client_id=cid(), actor=None)
    assert "ends_on" in errors


def test_term_outside_the_year_is_refused(ctx):
    w = ctx
    errors = refused(calendar_actions.save_term, w.school.year, term_values(w, starts_on=day(w, -3)), client_id=cid(), actor=None)
    assert "starts_on" in errors
    errors = refused(calendar_actions.save_term, w.school.year, term_values(w, ends_on=w.school.year.ends_on + timedelta(days=1)),
                     client_id=cid(), actor=None)
    assert "ends_on" in errors


def test_terms_of_a_shared_grade_must_not_overlap(ctx):
    w = ctx
    assert calendar_actions.save_term(w.school.year, term_values(w), client_id=cid(), actor=None).ok
    errors = refused(calendar_actions.save_term, w.school.year, term_values(w, number=2, grade_from=9, grade_to=11,
                                                                 starts_on=day(w, 50), ends_on=day(w, 120)),
                     client_id=cid(), actor=None)
    assert "starts_on" in errors


def test_terms_of_other_grades_may_share_dates(ctx):
    w = ctx
    calendar_actions.save_term(w.school.year, term_values(w), client_id=cid(), actor=None)
    half = term_values(w, kind="half", number=1, grade_from=10, grade_to=11, ends_on=day(w, 120))
    assert calendar_actions.save_term(w.school.year, half, client_id=cid(), actor=None).ok


def test_a_term_number_is_used_once_per_grade_and_within_its_kind(ctx):
    w = ctx
    calendar_actions.save_term(w.school.year, term_values(w), client_id=cid(), actor=None)
    again = term_values(w, grade_from=5, grade_to=5, starts_on=day(w, 200), ends_on=day(w, 210))
    assert "number" in refused(calendar_actions.save_term, w.school.year, again, client_id=cid(), actor=None)
    fifth = term_values(w, number=5, starts_on=day(w, 200), ends_on=day(w, 210))
    assert "number" in refused(calendar_actions.save_term, w.school.year, fifth, client_id=cid(), actor=None)
    third_half = term_values(w, kind="half", number=3, grade_from=10, grade_to=11)
    assert "number" in refused(calendar_actions.save_term, w.school.year, third_half, client_id=cid(), actor=None)


def test_editing_a_term_goes_through_the_write_contract(ctx, session):
    w = ctx
    term = calendar_actions.save_term(w.school.year, term_values(w), client_id=cid(), actor=w.accounts["deputy"]).row
    result = calendar_actions.save_term(w.school.year, term_values(w, ends_on=day(w, 60)), row=term, base_version=1,
                               client_id=cid(), actor=w.accounts["deputy"])
    assert result.ok and term.version == 2 and term.ends_on == day(w, 60)
    history = session.execute(sa.select(ChangeHistory).where(ChangeHistory.table_name == "term",
                                                             ChangeHistory.row_id == term.id)
                              .order_by(ChangeHistory.id)).scalars().all()
    assert [h.new.get("ends_on") for h in history] == [day(w, 55).isoformat(), day(w, 60).isoformat()]
    assert history[-1].old["ends_on"] == day(w, 55).isoformat()
    assert history[-1].actor_account_id == w.accounts["deputy"].id
    stale = calendar_actions.save_term(w.school.year, term_values(w, ends_on=day(w, 40)), row=term, base_version=1,
                              client_id=cid(), actor=None)
    assert stale.conflict and term.ends_on == day(w, 60)


def test_an_unchanged_term_from_an_old_form_is_still_a_conflict(ctx):
    w = ctx
    term = factories.make_term(w.school)
    term.number = 2
    ctx_values = {k: getattr(term, k) for k in ("kind", "number", "grade_from", "grade_to", "starts_on", "ends_on")}
    assert calendar_actions.save_term(w.school.year, ctx_values, row=term, base_version=99, client_id=cid(), actor=None).conflict


def test_holidays_stay_inside_the_year_and_may_overlap(ctx):
    w = ctx
    values = {"kind": "autumn", "grade_from": 1, "grade_to": 11, "starts_on": day(w, 60), "ends_on": day(w, 66)}
    assert calendar_actions.save_holiday(w.school.year, values, client_id=cid(), actor=None).ok
    public = {**values, "kind": "public", "starts_on": day(w, 62), "ends_on": day(w, 62)}
    assert calendar_actions.save_holiday(w.school.year, public, client_id=cid(), actor=None).ok
    outside = {**values, "ends_on": w.school.year.ends_on + timedelta(days=3)}
    assert "ends_on" in refused(calendar_actions.save_holiday, w.school.year, outside, client_id=cid(), actor=None)
    first_graders = {**values, "kind": "extra", "grade_from": 1, "grade_to": 0}
    assert "grade_to" in refused(calendar_actions.save_holiday, w.school.year, first_graders, client_id=cid(), actor=None)


def test_removing_a_term_keeps_its_values_in_history(ctx, session):
    w = ctx
    term = factories.make_term(w.school)
    assert actions.remove_versioned(term, term.version + 1, actor=None).conflict
    assert actions.remove_versioned(term, term.version, actor=w.accounts["deputy"]).ok
    gone = session.execute(sa.select(ChangeHistory).where(ChangeHistory.table_name == "term")).scalar_one()
    assert gone.new is None and gone.old["number"] == 1
    assert session.execute(sa.select(Term).where(Term.school_id == w.school.id)).first() is None


def test_year_dates_cannot_leave_a_term_outside(ctx):
    w = ctx
    year = w.school.year
    factories.make_term(w.school, starts_on=day(w, 0), ends_on=day(w, 50))
    earlier = day(w, -1)
    errors = refused(calendar_actions.change_year, year, day(w, 10), year.ends_on, actor=None)
    assert None in errors
    assert "ends_on" in refused(calendar_actions.change_year, year, year.ends_on, year.starts_on, actor=None)
    assert "ends_on" in refused(calendar_actions.change_year, year, year.starts_on, year.starts_on + timedelta(days=400), actor=None)
    calendar_actions.change_year(year, earlier, year.ends_on, actor=w.accounts["deputy"])
    assert year.starts_on == earlier


def test_a_second_year_is_not_created_by_set_up(ctx):
    w = ctx
    errors = refused(calendar_actions.create_year, w.school.id, day(w, 365), day(w, 600), existing=w.school.year, actor=None)
    assert None in errors


# --- assessment bands ---------------------------------------------------------------------

def test_bands_do_not_overlap_and_points_need_a_maximum(ctx):
    w = ctx
    year = w.school.year
    band = calendar_actions.save_band(year, {"grade_from": 1, "grade_to": 3, "scheme": "no_marks", "max_points": 7}, actor=None)
    assert band.max_points is None  # only the points scheme keeps a maximum
    assert "grade_from" in refused(calendar_actions.save_band, year, {"grade_from": 3, "grade_to": 6, "scheme": "points",
                                                             "max_points": 10}, actor=None)
    assert "max_points" in refused(calendar_actions.save_band, year, {"grade_from": 4, "grade_to": 6, "scheme": "points",
                                                             "max_points": None}, actor=None)
    assert "max_points" in refused(calendar_actions.save_band, year, {"grade_from": 4, "grade_to": 6, "scheme": "points",
                                                             "max_points": 500}, actor=None)
    points = calendar_actions.save_band(year, {"grade_from": 4, "grade_to": 6, "scheme": "points", "max_points": 10}, actor=None)
    assert points.max_points == 10
    assert "scheme" in refused(calendar_actions.save_band, year, {"grade_from": 7, "grade_to": 11, "scheme": "letters",
                                                         "max_points": None}, actor=None)


# --- shifts and bells ---------------------------------------------------------------------

def rows(*lessons):
    return [(i, period, time(*start), time(*end)) for i, (period, start, end) in enumerate(lessons)]


def test_a_shift_number_is_used_once_and_is_1_to_3(ctx):
    w = ctx
    assert "number" in refused(calendar_actions.add_shift, w.school.id, 1, actor=None)
    assert "number" in refused(calendar_actions.add_shift, w.school.id, 4, actor=None)
    assert calendar_actions.add_shift(w.school.id, 2, actor=None).number == 2


def test_a_shift_in_use_is_not_removed(ctx, session):
    w = ctx
    assert None in refused(calendar_actions.remove_shift, w.school.shift, actor=None)
    spare = calendar_actions.add_shift(w.school.id, 3, actor=None)
    calendar_actions.set_bells(spare, rows((1, (13, 0), (13, 45))), actor=None)
    calendar_actions.remove_shift(spare, actor=None)
    assert session.execute(sa.select(Bell).where(Bell.shift_id == spare.id)).first() is None


@pytest.mark.parametrize("lessons,field", [
    ([(1, (8, 0), (8, 0))], "rows.0.ends_at"),                                    # ends when it starts
    ([(1, (8, 0), (8, 45)), (1, (8, 55), (9, 40))], "rows.1.period"),             # lesson 1 twice
    ([(1, (8, 0), (8, 45)), (2, (8, 40), (9, 25))], "rows.1.starts_at"),          # overlaps lesson 1
    ([(2, (8, 55), (9, 40)), (1, (8, 0), (9, 0))], "rows.0.starts_at"),           # out of order in time
    ([(13, (8, 0), (8, 45))], "rows.0.period"),
])
def test_bell_rules(ctx, lessons, field):
    assert field in refused(calendar_actions.set_bells, ctx.school.shift, rows(*lessons), actor=None)


def test_an_empty_bell_schedule_is_refused(ctx):
    assert None in refused(calendar_actions.set_bells, ctx.school.shift, [], actor=None)


def test_bells_are_replaced_and_audited(ctx, session):
    w = ctx
    calendar_actions.set_bells(w.school.shift, rows((1, (8, 0), (8, 45)), (2, (8, 55), (9, 40)), (3, (9, 50), (10, 35))),
                      actor=w.accounts["deputy"])
    calendar_actions.set_bells(w.school.shift, rows((2, (8, 50), (9, 30)), (1, (8, 0), (8, 40))), actor=w.accounts["deputy"])
    bells = queries.list_bells(w.school.shift.id)
    assert [(b.period, b.starts_at, b.ends_at) for b in bells] == [(1, time(8), time(8, 40)), (2, time(8, 50), time(9, 30))]
    audit = session.execute(sa.select(AuditLog).where(AuditLog.action == "setup_bells_saved")
                            .order_by(AuditLog.id)).scalars().all()
    assert audit[-1].actor_account_id == w.accounts["deputy"].id and audit[-1].school_id == w.school.id
    assert audit[-1].detail["new"] == [[1, "08:00", "08:40"], [2, "08:50", "09:30"]]


def test_a_shortened_day_stays_inside_the_year(ctx, session):
    w = ctx
    short = rows((1, (8, 0), (8, 30)), (2, (8, 35), (9, 5)))
    assert "on_date" in refused(calendar_actions.set_day, w.school.shift, w.school.year, day(w, -5), short, actor=None)
    calendar_actions.set_day(w.school.shift, w.school.year, day(w, 30), short, actor=None)
    calendar_actions.set_day(w.school.shift, w.school.year, day(w, 30), short[:1], actor=None)  # saved again: replaced
    assert len(queries.list_override(w.school.shift.id, day(w, 30))) == 1
    calendar_actions.remove_day(w.school.shift, day(w, 30), actor=None)
    assert session.execute(sa.select(BellOverride)).first() is None


# --- subjects -----------------------------------------------------------------------------

def test_subject_codes_and_names_are_unique_in_the_school(ctx, session):
    w = ctx
    created = actions.save_subject(w.school.id, {"name_ky": "Химия", "name_ru": "Химия", "code": " chem-9 "},
                                   client_id=cid(), actor=None)
    assert created.row.code == "CHEM-9"
    assert "code" in refused(actions.save_subject, w.school.id, {"name_ky": "Х", "name_ru": "Х", "code": "chem-9"},
                             client_id=cid(), actor=None)
    assert "name_ky" in refused(actions.save_subject, w.school.id, {"name_ky": "ХИМИЯ", "name_ru": "химия", "code": ""},
                                client_id=cid(), actor=None)
    # another school may use the same code
    other = factories.make_subject(w.other_school)
    other.code = "CHEM-9"
    session.flush()


# --- classes ------------------------------------------------------------------------------

def class_values(grade=11, letter="в", language="ky"):
    return {"grade": grade, "letter": letter, "language": language}


def test_a_new_class_gets_its_whole_class_group_and_class_teacher(ctx, session):
    w = ctx
    result = actions.create_class(w.school.year, class_values(), w.school.shift, teacher=w.teacher,
                                  teacher_from=day(w, 3), client_id=cid(), actor=w.accounts["deputy"])
    klass = result.row
    assert klass.label == "11-В" and klass.version == 1
    group = session.execute(sa.select(StudyGroup).where(StudyGroup.school_class_id == klass.id)).scalar_one()
    assert group.kind == "class"
    assert session.execute(sa.select(GroupMember).where(GroupMember.group_id == group.id)).first() is None
    member = session.execute(sa.select(Membership).where(Membership.school_class_id == klass.id)).scalar_one()
    assert (member.person_id, member.role, member.valid_from) == (w.teacher.id, "class_teacher", day(w, 3))


@pytest.mark.parametrize("values,field", [
    (class_values(grade=13), "grade"), (class_values(grade=0), "grade"),
    (class_values(letter="А-Б"), "letter"), (class_values(letter="ABCDE"), "letter"), (class_values(letter=""), "letter"),
    (class_values(language="de"), "language"),
])
def test_class_rules(ctx, values, field):
    w = ctx
    errors = refused(actions.create_class, w.school.year, values, w.school.shift, teacher=None,
                     teacher_from=day(w, 1), client_id=cid(), actor=None)
    assert field in errors


def test_one_7a_a_year_and_a_shift_of_the_school(ctx):
    w = ctx
    errors = refused(actions.create_class, w.school.year, class_values(7, "а"), w.school.shift, teacher=None,
                     teacher_from=day(w, 1), client_id=cid(), actor=None)
    assert "letter" in errors
    errors = refused(actions.create_class, w.school.year, class_values(), w.other_school.shift, teacher=None,
                     teacher_from=day(w, 1), client_id=cid(), actor=None)
    assert "shift" in errors


def test_the_class_teacher_is_staff_of_this_school(ctx):
    w = ctx
    for outsider in (w.other_deputy, w.parent):
        errors = refused(actions.create_class, w.school.year, class_values(), w.school.shift, teacher=outsider,
                         teacher_from=day(w, 1), client_id=cid(), actor=None)
        assert "class_teacher" in errors


def test_changing_the_class_teacher_ends_the_old_membership_and_starts_a_new_one(ctx, session):
    w = ctx
    klass = w.school_class
    current = session.execute(sa.select(Membership).where(Membership.school_class_id == klass.id)).scalar_one()
    result = actions.change_class(w.school.year, klass, class_values(7, "А"), w.school.shift, current=current,
                                  teacher=w.teacher2, teacher_from=day(w, 40), client_id=cid(),
                                  base_version=klass.version, actor=w.accounts["deputy"])
    assert result.ok
    assert current.valid_to == day(w, 39)
    new = session.execute(sa.select(Membership).where(Membership.school_class_id == klass.id,
                                                      Membership.person_id == w.teacher2.id)).scalar_one()
    assert new.valid_from == day(w, 40) and new.valid_to is None
    audit = session.execute(sa.select(AuditLog).where(AuditLog.action == "setup_class_teacher")).scalar_one()
    assert audit.actor_account_id == w.accounts["deputy"].id and audit.subject_person_id == w.teacher2.id


def test_a_class_teacher_replaced_on_their_first_day_never_held_it(ctx, session):
    w = ctx
    klass = actions.create_class(w.school.year, class_values(), w.school.shift, teacher=w.teacher,
                                 teacher_from=day(w, 5), client_id=cid(), actor=None).row
    first = session.execute(sa.select(Membership).where(Membership.school_class_id == klass.id)).scalar_one()
    actions.set_class_teacher(klass, first, w.teacher2, day(w, 5), actor=None)
    assert first.valid_to < first.valid_from  # void: kept as a record, valid on no day
    with pytest.raises(Invalid):
        actions.set_class_teacher(klass, first, w.teacher2, day(w, 1), actor=None)


def test_a_stale_class_form_changes_nothing(ctx, session):
    w = ctx
    klass = w.school_class
    current = session.execute(sa.select(Membership).where(Membership.school_class_id == klass.id)).scalar_one()
    result = actions.change_class(w.school.year, klass, class_values(7, "Г"), w.school.shift, current=current,
                                  teacher=w.teacher2, teacher_from=day(w, 40), client_id=cid(),
                                  base_version=klass.version + 1, actor=None)
    assert result.conflict and klass.letter == "А" and current.valid_to is None


def test_creating_a_class_twice_with_one_client_id_is_one_class(ctx, session):
    w = ctx
    client_id = cid()
    for _ in range(2):
        actions.create_class(w.school.year, class_values(), w.school.shift, teacher=None, teacher_from=day(w, 1),
                             client_id=client_id, actor=None)
    count = session.execute(sa.select(sa.func.count(SchoolClass.id)).where(SchoolClass.grade == 11)).scalar()
    groups = session.execute(sa.select(sa.func.count(StudyGroup.id)).join(SchoolClass).where(SchoolClass.grade == 11)).scalar()
    assert count == groups == 1


# --- groups -------------------------------------------------------------------------------

def test_subgroups_need_a_class_and_unique_names(ctx):
    w = ctx
    year = w.school.year
    assert "school_class" in refused(staffing.create_group, year, "subgroup", None, "Англис 1", actor=None)
    assert "school_class" in refused(staffing.create_group, year, "subgroup", w.other_class, "Англис 1", actor=None)
    assert "name" in refused(staffing.create_group, year, "elective", None, "  ", actor=None)
    assert "kind" in refused(staffing.create_group, year, "class", w.school_class, "x", actor=None)
    staffing.create_group(year, "subgroup", w.school_class, "Англис 1", actor=None)
    assert "name" in refused(staffing.create_group, year, "subgroup", w.school_class, "англис  1", actor=None)
    staffing.create_group(year, "subgroup", w.sibling_class, "Англис 1", actor=None)  # another class: fine


def test_members_are_dated_and_enrolled_where_the_group_is(ctx, session):
    w = ctx
    year = w.school.year
    sub = staffing.create_group(year, "subgroup", w.school_class, "Информатика 1", actor=None)
    errors = refused(staffing.add_members, year, sub, [w.pupil, w.sibling], day(w, 10), actor=None)
    assert len(errors["pupils"]) == 1  # the sibling studies in 3-Б
    staffing.add_members(year, sub, [w.pupil], day(w, 10), actor=w.accounts["deputy"])
    assert "pupils" in refused(staffing.add_members, year, sub, [w.pupil], day(w, 20), actor=None)
    assert "valid_from" in refused(staffing.add_members, year, sub, [w.pupil], day(w, -20), actor=None)
    member = staffing.end_member(sub, w.pupil, day(w, 30), actor=w.accounts["deputy"])
    assert (member.valid_from, member.valid_to) == (day(w, 10), day(w, 29))
    assert session.execute(sa.select(sa.func.count(GroupMember.id))).scalar() == 1  # dated, never deleted
    staffing.add_members(year, sub, [w.pupil], day(w, 30), actor=None)  # may come back later


def test_electives_take_pupils_of_any_class_but_not_of_other_schools(ctx):
    w = ctx
    year = w.school.year
    club = staffing.create_group(year, "elective", None, "Шахмат", actor=None)
    staffing.add_members(year, club, [w.pupil, w.sibling], day(w, 10), actor=None)
    assert "pupils" in refused(staffing.add_members, year, club, [w.other_pupil], day(w, 10), actor=None)


def test_a_whole_class_group_takes_no_members(ctx):
    w = ctx
    assert None in refused(staffing.add_members, w.school.year, w.school_class.group, [w.pupil], day(w, 10), actor=None)


def test_ending_a_membership_before_it_began_is_refused(ctx):
    w = ctx
    sub = staffing.create_group(w.school.year, "subgroup", w.school_class, "1", actor=None)
    staffing.add_members(w.school.year, sub, [w.pupil], day(w, 10), actor=None)
    assert "effective" in refused(staffing.end_member, sub, w.pupil, day(w, 5), actor=None)


# --- teaching assignments -----------------------------------------------------------------

def test_assignment_rules(ctx):
    w = ctx
    year = w.school.year
    args = {"teacher": w.teacher2, "subject": w.math, "group": w.school_class.group, "hours": 4, "valid_from": day(w, 5)}
    assert "teacher" in refused(staffing.create_assignment, year, **{**args, "teacher": w.deputy}, actor=None)
    assert "teacher" in refused(staffing.create_assignment, year, **{**args, "teacher": w.other_deputy}, actor=None)
    assert "hours_per_week" in refused(staffing.create_assignment, year, **{**args, "hours": 0}, actor=None)
    assert "hours_per_week" in refused(staffing.create_assignment, year, **{**args, "hours": 41}, actor=None)
    assert "group" in refused(staffing.create_assignment, year, **{**args, "group": w.other_class.group}, actor=None)
    assert "valid_from" in refused(staffing.create_assignment, year, **{**args, "valid_from": day(w, -1)}, actor=None)
    row = staffing.create_assignment(year, **args, actor=w.accounts["deputy"])
    assert row.hours_per_week == 4
    assert "group" in refused(staffing.create_assignment, year, **{**args, "valid_from": day(w, 30)}, actor=None)
    staffing.change_hours(row, 5, actor=None)
    assert "hours_per_week" in refused(staffing.change_hours, row, 99, actor=None)
    staffing.end_assignment(row, day(w, 60), actor=None)
    assert row.valid_to == day(w, 59)
    assert None in refused(staffing.end_assignment, row, day(w, 90), actor=None)
    staffing.create_assignment(year, **{**args, "valid_from": day(w, 60)}, actor=None)  # again after it ended


# --- staff --------------------------------------------------------------------------------

def test_staff_without_surname_and_with_a_first_role(ctx, session):
    w = ctx
    person = staffing.add_staff(w.school.id, family_name=" ", given_name="Эмир", patronymic="Нурлан  уулу",
                                language="ky", role="teacher", valid_from=day(w, 1), actor=w.accounts["admin"])
    assert person.family_name is None and person.full_name == "Нурлан уулу Эмир"
    role = session.execute(sa.select(Membership).where(Membership.person_id == person.id)).scalar_one()
    assert (role.school_id, role.role, role.valid_from) == (w.school.id, "teacher", day(w, 1))
    actions_done = session.execute(sa.select(AuditLog.action).where(AuditLog.subject_person_id == person.id)).scalars().all()
    assert set(actions_done) == {"setup_staff_added", "setup_role_given"}
    assert "given_name" in refused(staffing.add_staff, w.school.id, family_name="Асанов", given_name="", patronymic=None,
                                   language="ky", role="teacher", valid_from=day(w, 1), actor=None)
    assert "role" in refused(staffing.add_staff, w.school.id, family_name=None, given_name="Азиз", patronymic=None,
                             language="ky", role="class_teacher", valid_from=day(w, 1), actor=None)


def test_a_role_is_held_once_at_a_time(ctx):
    w = ctx
    assert "role" in refused(staffing.give_role, w.school.id, w.teacher, "teacher", day(w, 20), actor=None)
    staffing.give_role(w.school.id, w.teacher, "deputy", day(w, 20), actor=None)


def test_the_last_deputy_or_administrator_cannot_go(ctx):
    w = ctx
    staffing.end_role(w.school.id, w.admin, "admin", clock.today(), actor=None)
    assert None in refused(staffing.end_role, w.school.id, w.deputy, "deputy", clock.today(), actor=None)


def test_ending_the_teacher_role_ends_the_teachers_assignments(ctx, session):
    w = ctx
    staffing.end_role(w.school.id, w.teacher, "teacher", day(w, 50), actor=w.accounts["deputy"])
    assignment = session.get(TeachingAssignment, w.assignment.id)
    assert assignment.valid_to == day(w, 49)
    audit = session.execute(sa.select(AuditLog).where(AuditLog.action == "setup_role_ended")).scalar_one()
    assert audit.detail["assignments_ended"] == 1
    assert None in refused(staffing.end_role, w.school.id, w.teacher, "director", day(w, 50), actor=None)


def test_renaming_staff_recomputes_the_search_key(ctx):
    w = ctx
    staffing.rename_staff(w.school.id, w.teacher, family_name="Ёлкин", given_name="Нурлан", patronymic=None,
                          language="ru", actor=None)
    assert w.teacher.search_key == "елкин нурлан" and w.teacher.language == "ru"


def test_subject_unique_constraint_backs_the_rule(ctx, session):
    """Two deputies racing on the same code: the database refuses the second row."""
    w = ctx
    session.add(Subject(school_id=w.school.id, code="RACE", name_ky="А", name_ru="А"))
    session.flush()
    nested = session.begin_nested()
    session.add(Subject(school_id=w.school.id, code="RACE", name_ky="Б", name_ru="Б"))
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    nested.rollback()
