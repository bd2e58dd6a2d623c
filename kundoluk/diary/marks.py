"""Marks by subject for a term: every mark, the weighted average, term and year marks, a trend."""
from dataclasses import dataclass, field

from kundoluk import clock, names
from kundoluk.diary import queries
from kundoluk.journal.grading import weighted_average

SVG_W, SVG_H, PAD = 120, 32, 3


@dataclass
class SubjectMarks:
    subject: object
    marks: list = field(default_factory=list)      # (Mark, lesson date)
    term_mark: object = None
    year_mark: object = None

    @property
    def average(self):
        return weighted_average([(m.value_num, m.weight) for m, _ in self.marks])

    @property
    def trend(self):
        """Polyline points of the numeric marks in date order (server-side SVG, no script)."""
        values = [float(m.value_num) for m, _ in self.marks if m.value_num is not None]
        if len(values) < 2:
            return None
        low, high = min(values + [2.0]), max(values + [5.0])
        step = (SVG_W - 2 * PAD) / (len(values) - 1)
        scale = (SVG_H - 2 * PAD) / ((high - low) or 1)
        return " ".join(f"{PAD + i * step:.1f},{SVG_H - PAD - (v - low) * scale:.1f}" for i, v in enumerate(values))


@dataclass
class Report:
    terms: list          # queries.TermOfClass, oldest first
    term: object         # the TermOfClass shown
    subjects: list
    history: dict
    svg_size: tuple = (SVG_W, SVG_H)

    @property
    def years(self):
        """The terms grouped by school year: [(TermOfClass of the year's first term, [terms])]."""
        groups = {}
        for t in self.terms:
            groups.setdefault((t.year.id, t.school_class.id), []).append(t)
        return [(ts[0], ts) for ts in groups.values()]

    @property
    def many_schools(self):
        return len({t.school.id for t in self.terms}) > 1


def _pick_term(terms, public_id):
    if public_id:
        return next((t for t in terms if t.term.public_id == public_id), None)
    today = clock.today()
    begun = [t for t in terms if t.term.starts_on <= today]
    return begun[-1] if begun else (terms[0] if terms else None)


def build(child, term_public_id):
    """The report for one term of any year the child studied in (four statements), or None for
    a term that is not theirs."""
    terms = queries.list_pupil_terms(child.person.id)
    chosen = _pick_term(terms, term_public_id)
    if chosen is None:
        return None if term_public_id else Report(terms, None, [], {})
    term, year_id = chosen.term, chosen.term.academic_year_id
    by_subject = {}
    for mark, on_date, subject in queries.list_term_marks(child.person.id, term, year_id):
        by_subject.setdefault(subject.id, SubjectMarks(subject)).marks.append((mark, on_date))
    # A final mark shows even where the subject has no mark this term (осв. for a pupil excused
    # from physical education); a year mark with the year's last term, or with any term where
    # the subject has marks.
    last_of_year = [t for t in terms if t.term.academic_year_id == year_id][-1].term
    with_marks = set(by_subject)
    for final, subject in queries.list_final_marks(child.person.id, year_id):
        if final.term_id == term.id:
            by_subject.setdefault(subject.id, SubjectMarks(subject)).term_mark = final
        elif final.term_id is None and (subject.id in with_marks or term.id == last_of_year.id):
            by_subject.setdefault(subject.id, SubjectMarks(subject)).year_mark = final
    subjects = sorted(by_subject.values(), key=lambda s: names.sort_key(s.subject.name_ky))
    changed = [m.id for s in subjects for m, _ in s.marks if m.version > 1]
    return Report(terms, chosen, subjects, queries.list_mark_history(changed))
