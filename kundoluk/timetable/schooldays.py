"""Which dates are school days for a grade, week parity, and bell times (pure functions).

Terms and holidays are data attached to grade ranges: grade 1 has an extra holiday, grades
10–11 may run half-years while 1–9 run quarters. A lesson is a local date + period; its
clock times come from the shift's bell, or from that date's bell override (a shortened day
changes times, never the lessons).
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

ALL_GRADES = range(1, 13)  # the 12-year school is being introduced


def monday(day):
    return day - timedelta(days=day.isoweekday() - 1)


def family_monday(today):
    """The week a pupil or parent opens on: this one, and on Sunday the coming one. On Sunday
    evening a family looks at Monday's lessons and homework; the week just ended is one link
    back. Only Sunday: some schools teach on Saturday."""
    return monday(today + timedelta(days=1) if today.isoweekday() == 7 else today)


def week_number(year_start, day):
    """Week 1 is the week (Monday to Sunday) holding the first day of the school year.

    Counted from the year, not ISO week numbers: ISO numbering restarts in January and
    some years have 53 weeks, which would give two "odd" weeks in a row mid-year.
    """
    return (monday(day) - monday(year_start)).days // 7 + 1


def parity_of(year_start, day):
    return "odd" if week_number(year_start, day) % 2 else "even"


def parity_matches(parity, year_start, day):
    return parity == "every" or parity == parity_of(year_start, day)


@dataclass
class Calendar:
    """One school year's terms and holidays, answering "is this a school day for grade g"."""

    starts_on: date
    ends_on: date
    terms: list = field(default_factory=list)     # (term_id, grade_from, grade_to, starts_on, ends_on)
    holidays: list = field(default_factory=list)  # (grade_from, grade_to, starts_on, ends_on)

    def term_for(self, grade, day):
        """The term holding this date for this grade, or None (grade None: any grade)."""
        if grade is None:
            return next((t for g in ALL_GRADES if (t := self.term_for(g, day)) is not None), None)
        if self.is_holiday(grade, day):
            return None
        for term_id, low, high, start, end in self.terms:
            if low <= grade <= high and start <= day <= end:
                return term_id
        return None

    def is_holiday(self, grade, day):
        return any(low <= grade <= high and start <= day <= end
                   for low, high, start, end in self.holidays)

    def school_day_term(self, grade, day):
        """The term if the date is a lesson day (Monday–Friday in a term, not a holiday)."""
        if day.isoweekday() > 5 or not self.starts_on <= day <= self.ends_on:
            return None
        return self.term_for(grade, day)

    def in_year(self, day):
        return self.starts_on <= day <= self.ends_on


def dates_on_weekday(weekday, start, end):
    """Every date from start to end (inclusive) falling on an ISO weekday."""
    day = start + timedelta(days=(weekday - start.isoweekday()) % 7)
    while day <= end:
        yield day
        day += timedelta(days=7)


def overlaps(a_start, a_end, b_start, b_end):
    """Two half-open clock intervals share a moment (a lesson ending at 9:35 and one starting
    at 9:35 do not clash)."""
    return a_start < b_end and b_start < a_end


class Bells:
    """Bell times of a school's shifts, with one-day overrides (shortened days)."""

    def __init__(self, bells, overrides=()):
        self.regular = {(shift_id, period): (start, end) for shift_id, period, start, end in bells}
        self.special = {(shift_id, day, period): (start, end)
                        for shift_id, day, period, start, end in overrides}
        self.numbers = {}  # shift_id -> shift number, when the loader knows them

    def has_period(self, shift_id, period):
        return (shift_id, period) in self.regular

    def weekly(self, shift_id, period):
        return self.regular.get((shift_id, period))

    def on(self, shift_id, day, period):
        """The times of a period on a date: the override if that day has one, else the bell.
        A period the shortened day does not list keeps its usual times."""
        return self.special.get((shift_id, day, period)) or self.regular.get((shift_id, period))

    def periods(self, shift_id):
        return sorted(p for s, p in self.regular if s == shift_id)
