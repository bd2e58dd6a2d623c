"""The diary week: the pupil's school days with their lessons, assembled from four reads."""
from dataclasses import dataclass, field
from datetime import date, timedelta

from kundoluk import clock
from kundoluk.diary import queries
from kundoluk.timetable import schooldays

# How far from today a week may be asked for (older years stay readable through their terms).
MAX_DISTANCE = timedelta(days=5 * 366)


class BadDay(ValueError):
    pass


monday_of = schooldays.monday


def current_monday():
    """The week the diary opens on (on Sunday, the coming one)."""
    return schooldays.family_monday(clock.today())


def parse_day(text):
    """The Monday of the week holding an ISO date (current_monday() when empty); BadDay otherwise."""
    if not text:
        return current_monday()
    try:
        day = date.fromisoformat(text)
    except (TypeError, ValueError):
        raise BadDay(text) from None
    if abs(day - clock.today()) > MAX_DISTANCE:
        raise BadDay(text)
    return monday_of(day)


def week_url(pupil_public_id, monday):
    """A week's address; the current week's has no date, so it is one page (and one cache entry)."""
    from flask import url_for
    if monday == current_monday():
        return url_for("diary.week", pupil_id=pupil_public_id)
    return url_for("diary.week", pupil_id=pupil_public_id, day=monday.isoformat())


@dataclass
class Day:
    date: date
    lessons: list = field(default_factory=list)
    holiday: object = None
    today: bool = False


@dataclass
class Week:
    monday: date
    days: list
    loose_remarks: list

    @property
    def previous(self):
        return self.monday - timedelta(days=7)

    @property
    def next(self):
        return self.monday + timedelta(days=7)

    @property
    def empty(self):
        return not any(d.lessons for d in self.days)


def build(child, monday, parent_view):
    """The week of one pupil (three statements: lessons, marks, remarks)."""
    friday, sunday = monday + timedelta(days=4), monday + timedelta(days=6)
    rows = queries.list_lessons(child.person.id, monday, sunday)
    loose = queries.attach_pupil_entries(rows, child.person.id, monday, sunday, parent_view)
    today = clock.today()
    last = max([friday] + [r.lesson.on_date for r in rows])  # a Saturday lesson shows its day
    days = []
    for offset in range((last - monday).days + 1):
        day = monday + timedelta(days=offset)
        holiday = next((h for h in child.holidays if h.starts_on <= day <= h.ends_on), None)
        days.append(Day(day, [r for r in rows if r.lesson.on_date == day], holiday, day == today))
    return Week(monday, days, loose)
