"""The journal's rules, called directly: schemes, averages and proposals, the edit window in
school-local dates, the write contract (idempotency, conflicts, history), tombstones, enrolment
locks, the class teacher's range of days, undo, term marks and events."""
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from kundoluk import clock
from kundoluk.journal import actions, content, grading, queries, schemes
from kundoluk.journal.rules import Actor, Refused
from kundoluk.models import (
    AttendanceCheck, AttendanceEntry, ChangeHistory, Enrolment, JournalSettings, Mark, NotificationEvent, TermMark,
)
from tests import factories

BISHKEK = ZoneInfo("Asia/Bishkek")


def cid():
    return str(uuid.uuid4())


@pytest.fixture()
def jw(session):
    return factories.jr_world()


def actor(w, name):
    account = w.accounts[name]
    return Actor(account.id, account.person_id, name == "deputy")


def lesson_view(lesson):
    return queries.get_lesson_or_404(lesson.public_id, lesson.school_id)


def member(lesson, pupil):
    view = lesson_view(lesson)
    return queries.get_member_or_404(view.group, pupil.public_id, lesson.on_date)


def mark(jw, value, lesson=None, pupil=None, who="teacher", base=0, client_id=None, **kw):
    lesson = lesson or jw.lesson
    return actions.record_mark(lesson_view(lesson), member(lesson, pupil or jw.pupil), actor(jw, who),
                               value=value, client_id=client_id or cid(), base_version=base, **kw)


def count(session, model, *where):
    return session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar()


# --- Schemes --------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["6", "0", "five", "-1", "1", "4.5", "", "55"])
def test_five_point_refuses_values_outside_the_scheme(app, raw):
    with app.test_request_context("/"):
        with pytest.raises(schemes.BadValue):
            schemes.check_value(raw, "five_point")


def test_five_point_values_and_special_ones(app):
    with app.test_request_context("/"):
        assert schemes.check_value(" 5 ", "five_point") == ("5", 5)
        assert schemes.check_value("осв", "five_point") == ("осв.", None)
        with pytest.raises(schemes.BadValue):
            schemes.check_value("н/а", "five_point")  # only as a term mark
        assert schemes.check_value("на", "five_point", term=True) == ("н/а", None)


def test_points_criteria_and_no_marks(app):
    with app.test_request_context("/"):
        assert schemes.check_value("0", "points", 12) == ("0", 0)
        assert schemes.check_value("12", "points", 12) == ("12", 12)
        with pytest.raises(schemes.BadValue):
            schemes.check_value("13", "points", 12)
        assert schemes.check_value("4", "criteria") == ("4", 4)
        with pytest.raises(schemes.BadValue):
            schemes.check_value("5", "criteria")
        with pytest.raises(schemes.BadValue):
            schemes.check_value("5", "no_marks")
        assert schemes.values_for("no_marks") == ()


# --- Averages and proposals ------------------------------------------------------------------

def test_weighted_average_counts_control_work_twice(app):
    with app.test_request_context("/"):
        # 5 and 4 (weight 1) and a control work 3 (weight 2): (5 + 4 + 6) / 4 = 3.75
        assert grading.weighted_average([(5, 1), (4, 1), (3, 2), (None, 1)]) == Decimal("3.75")
        proposal = grading.propose_term([(5, 1), (4, 1), (3, 2)])
        assert proposal.value == "4" and proposal.rule == "weighted_average" and proposal.count == 3
        assert "3" in proposal.explanation and "3.75" in proposal.explanation.replace(",", ".")


def test_term_proposal_rounds_half_up_and_needs_enough_marks(app):
    with app.test_request_context("/"):
        assert grading.propose_term([(5, 1), (4, 1), (5, 1), (4, 1)]).value == "5"     # 4.5 → 5
        assert grading.propose_term([(4, 1), (3, 1), (3, 1)]).value == "3"             # 3.33 → 3
        too_few = grading.propose_term([(5, 1), (5, 1)])
        assert too_few.value is None and too_few.rule == "too_few_marks"
        missed = grading.propose_term([(5, 1)], lessons=20, missed=12)
        assert missed.value == "н/а" and missed.rule == "missed_lessons"
        assert grading.propose_term([], exempt=True).value == "осв."
        assert grading.propose_term([(5, 1)] * 3, scheme="no_marks").value is None


def test_year_proposal_from_term_marks(app):
    with app.test_request_context("/"):
        assert grading.propose_year(["5", "4", "4", "5"], 4).value == "5"             # 4.5 → 5
        assert grading.propose_year(["3", "4", "3", "3"], 4).value == "3"
        assert grading.propose_year(["5", None, "4", "5"], 4).rule == "terms_missing"
        assert grading.propose_year(["осв."] * 2, 2).value == "осв."
        assert grading.propose_year(["5", "осв.", "4", "4"], 4).value == "4"           # exempt terms left out


# --- Marks: the write contract -----------------------------------------------------------------

def test_a_mark_is_saved_with_history_and_an_event(jw, session):
    device = datetime(2026, 10, 14, 4, 21, tzinfo=ZoneInfo("UTC"))
    out = mark(jw, "5", device_time=device)
    session.flush()
    row = out.row
    assert out.changed and row.value == "5" and row.value_num == 5 and row.kind == "oral" and row.weight == 1
    assert row.term_id == jw.lesson.term_id and row.teaching_assignment_id == jw.assignment.id
    history = session.execute(sa.select(ChangeHistory).where(ChangeHistory.table_name == "mark")).scalar_one()
    assert history.old is None and history.new["value"] == "5" and history.device_time == device
    assert history.actor_account_id == jw.accounts["teacher"].id
    event = session.execute(sa.select(NotificationEvent).where(NotificationEvent.kind == "mark")).scalar_one()
    assert event.pupil_id == jw.pupil.id and event.payload["value"] == "5"
    assert event.payload["subject_id"] == jw.math.id and event.payload["lesson_date"] == jw.today.isoformat()


def test_replaying_a_client_id_adds_nothing(jw, session):
    client_id = cid()
    first = mark(jw, "4", client_id=client_id)
    again = mark(jw, "4", client_id=client_id)
    session.flush()
    assert first.changed and not again.changed and not again.conflict
    assert count(session, Mark) == 1 and count(session, ChangeHistory, ChangeHistory.table_name == "mark") == 1
    assert count(session, NotificationEvent, NotificationEvent.kind == "mark") == 1


def test_replayed_update_and_tombstone_add_nothing(jw, session):
    mark(jw, "4")
    row = session.execute(sa.select(Mark)).scalar_one()
    client_id = cid()
    mark(jw, "", base=row.version, client_id=client_id)
    again = mark(jw, "", base=row.version - 1, client_id=client_id)
    assert again.replayed and row.deleted and row.deleted_at is not None


def test_a_replayed_client_id_with_other_content_is_refused(jw, session):
    client_id = cid()
    mark(jw, "4", client_id=client_id)
    with pytest.raises(Refused) as refused:
        mark(jw, "5", client_id=client_id)
    assert refused.value.status == 422
    assert session.execute(sa.select(Mark.value)).scalar_one() == "4"


def test_a_stale_base_version_is_a_conflict_and_changes_nothing(jw, session):
    mark(jw, "4")
    row = session.execute(sa.select(Mark)).scalar_one()
    mark(jw, "3", base=row.version, who="deputy")      # someone else corrected it meanwhile
    out = mark(jw, "5", base=1)                          # the teacher's page still showed version 1
    assert out.conflict and not out.changed and out.row.value == "3" and out.row.version == 2
    assert out.base_version == 1
    # the teacher chooses to keep theirs: sent again with the version now shown
    assert mark(jw, "5", base=2).changed and row.value == "5"


def test_a_new_cell_the_page_thought_empty_is_a_conflict(jw, session):
    mark(jw, "4", who="deputy")
    out = mark(jw, "5", base=0)
    assert out.conflict and out.row.value == "4"


def test_removing_a_mark_is_a_tombstone_and_writing_again_revives_it(jw, session):
    out = mark(jw, "4")
    mark_id = out.row.id
    mark(jw, "", base=1)
    session.flush()
    row = session.get(Mark, mark_id)
    assert row.deleted and row.value == "4"
    mark(jw, "5", base=row.version)
    assert count(session, Mark) == 1 and row.id == mark_id and not row.deleted and row.value == "5"
    changes = session.execute(sa.select(ChangeHistory).where(ChangeHistory.row_id == mark_id,
                                                             ChangeHistory.table_name == "mark")
                              .order_by(ChangeHistory.id)).scalars().all()
    assert [c.new.get("value") for c in changes] == ["4", None, "5"]
    assert changes[1].new == {"deleted": True, "deleted_by_account_id": jw.accounts["teacher"].id}


def test_several_marks_in_a_cell_up_to_the_scheme(jw, session):
    mark(jw, "5")
    mark(jw, "4", slot=2)
    with pytest.raises(Refused):
        mark(jw, "3", slot=3)   # the 5-point scheme holds two per cell
    assert sorted(session.execute(sa.select(Mark.value)).scalars()) == ["4", "5"]


@pytest.mark.parametrize("value", ["6", "0", "five", "-1"])
def test_a_mark_outside_the_scheme_is_refused_and_nothing_changes(jw, session, value):
    with pytest.raises(Refused) as refused:
        mark(jw, value)
    assert refused.value.status == 422 and count(session, Mark) == 0


def test_a_long_comment_is_refused(jw, session):
    with pytest.raises(Refused):
        mark(jw, "5", comment="x" * 501)
    assert count(session, Mark) == 0


def test_no_marks_for_a_future_or_cancelled_lesson(jw, session):
    future = factories.jr_lesson(jw.assignment, jw.today + timedelta(days=1), period=3)
    with pytest.raises(Refused):
        mark(jw, "5", lesson=future)
    cancelled = factories.jr_lesson(jw.assignment, jw.today - timedelta(days=1), period=4, status="cancelled")
    with pytest.raises(Refused):
        mark(jw, "5", lesson=cancelled)


def test_a_lesson_outside_the_terms_is_refused(jw, session):
    holiday = factories.jr_lesson(jw.assignment, factories.year_start() + timedelta(days=66), period=5)  # autumn break
    assert holiday.term_id is None
    with pytest.raises(Refused):
        mark(jw, "5", lesson=holiday)


# --- The edit window, in school-local dates --------------------------------------------------

def test_edit_window_counts_local_dates_at_half_past_midnight(jw, session):
    days = 7
    past = factories.jr_lesson(jw.assignment, jw.today - timedelta(days=days), period=6)
    # 23:59 on the last day of the window: still the teacher's
    clock.set_now(datetime.combine(jw.today, datetime.min.time().replace(hour=23, minute=59), BISHKEK))
    assert mark(jw, "4", lesson=past).changed
    # 00:30 local the next day (18:30 UTC the day before: the UTC date is still inside the window)
    late = datetime.combine(jw.today + timedelta(days=1), datetime.min.time().replace(minute=30), BISHKEK)
    clock.set_now(late)
    assert late.astimezone(ZoneInfo("UTC")).date() == jw.today
    with pytest.raises(Refused) as refused:
        mark(jw, "5", lesson=past, base=1)
    assert refused.value.status == 403
    assert session.execute(sa.select(Mark.value)).scalar_one() == "4"
    # the deputy may still correct it
    assert mark(jw, "5", lesson=past, base=1, who="deputy").changed


def test_the_edit_window_is_a_school_setting(jw, session):
    session.add(JournalSettings(school_id=jw.school.id, edit_window_days=2))
    session.flush()
    past = factories.jr_lesson(jw.assignment, jw.today - timedelta(days=3), period=6)
    with pytest.raises(Refused):
        mark(jw, "5", lesson=past)
    recent = factories.jr_lesson(jw.assignment, jw.today - timedelta(days=2), period=6)
    assert mark(jw, "5", lesson=recent).changed


# --- Enrolment -----------------------------------------------------------------------------------

def test_cells_outside_the_enrolment_are_locked_and_earlier_marks_stay(jw, session):
    before = factories.jr_lesson(jw.assignment, jw.today - timedelta(days=2), period=6)
    mark(jw, "5", lesson=before)
    enrolment = session.execute(sa.select(Enrolment).where(Enrolment.pupil_id == jw.pupil.id)).scalar_one()
    enrolment.valid_to = jw.today - timedelta(days=1)   # left yesterday
    session.flush()
    with pytest.raises(Refused) as refused:
        mark(jw, "4")
    assert refused.value.status == 422
    assert session.execute(sa.select(Mark.value)).scalar_one() == "5"
    journal_page = _page(jw)
    row = next(r for r in journal_page[1] if r.member.pupil.id == jw.pupil.id)
    lessons = [lesson.id for lesson, _ in journal_page[0]]
    assert row.locked[lessons.index(jw.lesson.id)] and not row.locked[lessons.index(before.id)]
    assert row.cells[lessons.index(before.id)].live[0].value == "5"


def test_a_pupil_who_joined_later_is_locked_before(jw, session):
    newcomer = factories.make_pupil(jw.school_class, "Жаңы", "Келген")
    session.execute(sa.update(Enrolment).where(Enrolment.pupil_id == newcomer.id).values(valid_from=jw.today))
    session.flush()
    earlier = factories.jr_lesson(jw.assignment, jw.today - timedelta(days=1), period=6)
    with pytest.raises(Refused):
        mark(jw, "5", lesson=earlier, pupil=newcomer)
    assert mark(jw, "5", pupil=newcomer).changed


def _page(jw):
    from kundoluk.journal import grid
    journal = grid.get_journal_or_404(jw.assignment.public_id, jw.school.id)
    return grid.journal_page(journal)


# --- Attendance ----------------------------------------------------------------------------------

def attend(jw, code, lesson=None, pupil=None, base=0, who="teacher", **kw):
    lesson = lesson or jw.lesson
    return actions.record_attendance(lesson_view(lesson), member(lesson, pupil or jw.pupil), actor(jw, who),
                                     code=code, client_id=kw.pop("client_id", cid()), base_version=base, **kw)


def test_attendance_codes_reason_minutes_and_present_as_tombstone(jw, session):
    assert attend(jw, "absent").changed
    entry = session.execute(sa.select(AttendanceEntry)).scalar_one()
    attend(jw, "late", base=entry.version, minutes="12")
    assert entry.code == "late" and entry.late_minutes == 12
    with pytest.raises(Refused):
        attend(jw, "late", base=entry.version, minutes="500")
    with pytest.raises(Refused):
        attend(jw, "excused", base=entry.version)                 # needs a reason
    attend(jw, "present", base=entry.version)
    assert entry.deleted and count(session, AttendanceEntry) == 1
    kinds = session.execute(sa.select(NotificationEvent.payload).where(NotificationEvent.kind == "attendance")
                            .order_by(NotificationEvent.id)).scalars().all()
    assert [(p["old_code"], p["code"]) for p in kinds] == [("present", "absent"), ("absent", "late"), ("late", "present")]


def test_nobody_absent_is_an_explicit_confirmation(jw, session):
    view = lesson_view(jw.lesson)
    assert view.check is None
    actions.confirm_attendance(view, actor(jw, "teacher"), client_id=cid())
    session.flush()
    check = session.execute(sa.select(AttendanceCheck)).scalar_one()
    assert check.created_at == clock.now_utc() and check.confirmed_by_account_id == jw.accounts["teacher"].id
    # confirming again (another tap, another device) changes nothing; the topic form is not disturbed
    assert not actions.confirm_attendance(lesson_view(jw.lesson), actor(jw, "teacher"), client_id=cid()).changed
    assert content.save_content(lesson_view(jw.lesson), actor(jw, "teacher"), topic="Т", client_id=cid(),
                                base_version=0).changed


def test_a_pupil_not_in_the_group_is_not_found(jw, session, app):
    from werkzeug.exceptions import NotFound
    view = lesson_view(jw.lesson)
    with pytest.raises(NotFound):
        queries.get_member_or_404(view.group, jw.sibling.public_id, jw.today)
    with pytest.raises(NotFound):
        queries.get_member_or_404(view.group, jw.other_pupil.public_id, jw.today)


# --- The class teacher's range of days ------------------------------------------------------

def test_a_range_excuse_marks_every_lesson_of_those_days(jw, session):
    yesterday = jw.today - timedelta(days=1)
    first = factories.jr_lesson(jw.assignment, yesterday, period=1)
    physics = factories.make_assignment(jw.teacher2, jw.school_class, factories.make_subject(jw.school, "Физика"))
    second = factories.jr_lesson(physics, yesterday, period=3)
    later_today = factories.jr_lesson(physics, jw.today, period=5)         # pre-filled for its teacher
    came_late = factories.jr_lesson(physics, jw.today, period=6)
    attend(jw, "absent", lesson=first)                                       # the teacher had marked "н"
    attend(jw, "late", lesson=came_late, who="teacher2", minutes="5")
    untouched = factories.jr_lesson(jw.assignment, jw.today + timedelta(days=1), period=1)
    excuse, changed = content.record_excuse(
        actor(jw, "class_teacher"), member(jw.lesson, jw.pupil), starts_on=yesterday, ends_on=jw.today,
        code="ill", reason="справка", school_id=jw.school.id, client_id=cid())
    session.flush()
    codes = dict(session.execute(sa.select(AttendanceEntry.lesson_id, AttendanceEntry.code)).all())
    assert codes[first.id] == codes[second.id] == codes[jw.lesson.id] == codes[later_today.id] == "ill"
    assert codes[came_late.id] == "late" and untouched.id not in codes
    assert changed == 4
    history = session.execute(sa.select(ChangeHistory).where(
        ChangeHistory.table_name == "attendance_entry")).scalars().all()
    assert any(h.old and h.old.get("code") == "absent" and h.new["code"] == "ill" for h in history)
    # the subject teacher can still correct a pre-filled lesson (the pupil came after all)
    entry = session.execute(sa.select(AttendanceEntry).where(AttendanceEntry.lesson_id == later_today.id)).scalar_one()
    attend(jw, "present", lesson=later_today, base=entry.version, who="teacher2")
    assert entry.deleted
    assert count(session, NotificationEvent, NotificationEvent.kind == "attendance",
                 NotificationEvent.object_type == "attendance_excuse") == 1


def test_a_range_excuse_refuses_bad_ranges(jw, session):
    me = actor(jw, "class_teacher")
    who = member(jw.lesson, jw.pupil)
    for starts, ends, code in [(jw.today, jw.today - timedelta(days=1), "ill"),
                               (jw.today - timedelta(days=40), jw.today, "ill"),
                               (jw.today, jw.today + timedelta(days=30), "ill"),
                               (jw.today, jw.today, "late")]:
        with pytest.raises(Refused):
            content.record_excuse(me, who, starts_on=starts, ends_on=ends, code=code, reason="x",
                                  school_id=jw.school.id, client_id=cid())
    assert count(session, AttendanceEntry) == 0


# --- Undo -------------------------------------------------------------------------------------

def test_undo_puts_back_what_the_last_change_replaced(jw, session):
    mark(jw, "3")
    row = session.execute(sa.select(Mark)).scalar_one()
    mark(jw, "5", base=row.version)
    history, last = queries.last_mark_change(jw.accounts["teacher"].id, jw.assignment.id)
    assert last.id == row.id and history.new["value"] == "5"
    out = actions.undo_last_mark(lesson_view(jw.lesson), actor(jw, "teacher"), history=history, mark=last,
                                 client_id=cid(), base_version=row.version)
    assert out.changed and row.value == "3" and not row.deleted
    # undoing a new mark removes it
    other = mark(jw, "4", pupil=factories.make_pupil(jw.school_class, "Дастан", "Уулу")).row
    history, last = queries.last_mark_change(jw.accounts["teacher"].id, jw.assignment.id)
    actions.undo_last_mark(lesson_view(jw.lesson), actor(jw, "teacher"), history=history, mark=last,
                           client_id=cid(), base_version=other.version)
    assert other.deleted


# --- Column kind and weight ---------------------------------------------------------------------

def test_a_column_kind_applies_to_its_marks_and_the_average(jw, session):
    mark(jw, "3")
    view = lesson_view(jw.lesson)
    content.save_content(view, actor(jw, "teacher"), topic="Сызыктуу теңдемелер", kind="control",
                         client_id=cid(), base_version=0)
    session.flush()
    row = session.execute(sa.select(Mark)).scalar_one()
    assert row.kind == "control" and row.weight == 2
    assert mark(jw, "5", slot=2).row.weight == 2


def test_topic_and_homework_emit_for_every_pupil(jw, session):
    second = factories.make_pupil(jw.school_class, "Айбек", "Сатыбалдиев")
    view = lesson_view(jw.lesson)
    content.save_content(view, actor(jw, "teacher"), topic="Бөлчөктөр", homework="§12, №3–5",
                         client_id=cid(), base_version=0)
    session.flush()
    rows = session.execute(sa.select(NotificationEvent.kind, NotificationEvent.pupil_id)).all()
    assert sorted(rows) == sorted([("topic", jw.pupil.id), ("homework", jw.pupil.id),
                                   ("topic", second.id), ("homework", second.id)])


def test_homework_for_a_future_lesson_is_allowed_and_due_next_lesson(jw, session):
    future = factories.jr_lesson(jw.assignment, jw.today + timedelta(days=2), period=2)
    after = factories.jr_lesson(jw.assignment, jw.today + timedelta(days=5), period=2)
    out = content.save_content(lesson_view(future), actor(jw, "teacher"), homework="№7", client_id=cid(),
                               base_version=0)
    assert out.row.homework_due_on == after.on_date


# --- Term marks --------------------------------------------------------------------------------------

def test_term_mark_confirmed_with_the_proposal_snapshot(jw, session):
    from kundoluk.journal import grid
    journal = grid.get_journal_or_404(jw.assignment.public_id, jw.school.id)
    who = queries.get_member_or_404(journal.group, jw.pupil.public_id, jw.today)
    journal.current = None
    out = actions.record_term_mark(journal, who, actor(jw, "teacher"), term=journal.term, value="н/а",
                                   proposed="4", rule="weighted_average", client_id=cid(), base_version=0)
    session.flush()
    row = out.row
    assert row.value == "н/а" and row.value_num is None and row.proposed_value == "4" and row.confirmed_at
    assert row.term_id == journal.term.id and row.kind == "term"
    with pytest.raises(Refused):
        journal.current = row
        actions.record_term_mark(journal, who, actor(jw, "teacher"), term=journal.term, value="6",
                                 client_id=cid(), base_version=row.version)
    # the year mark (term=None) is its own row
    journal.current = None
    year = actions.record_term_mark(journal, who, actor(jw, "teacher"), term=None, value="4",
                                    client_id=cid(), base_version=0).row
    assert year.term_id is None and year.kind == "year"
    assert count(session, TermMark) == 2


def test_events_roll_back_with_the_change(jw, session):
    nested = session.begin_nested()
    mark(jw, "5")
    session.flush()
    assert count(session, NotificationEvent) == 1
    nested.rollback()
    assert count(session, NotificationEvent) == 0 and count(session, Mark) == 0
