"""Averages and the term- and year-mark proposals (pure functions, no database).

The page proposes; the teacher decides. Each proposal carries the rule that produced it,
so the page can show why (and the term mark keeps a snapshot of it).
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_decimal, gettext as _, ngettext

from kundoluk.journal.schemes import EXEMPT, NOT_ASSESSED

TWO = Decimal("0.01")
# A pupil who missed more than this share of the term's lessons and has too few marks
# is proposed "н/а" (not assessed) instead of a mark.
MISSED_SHARE_FOR_NOT_ASSESSED = Decimal("0.5")


@dataclass
class Proposal:
    value: str | None        # None: nothing to propose
    average: Decimal | None
    rule: str                # a short code (stored with the term mark)
    count: int = 0

    @property
    def explanation(self):
        """The rule in words, in the reader's language."""
        average = format_decimal(self.average) if self.average is not None else ""
        if self.rule == "weighted_average":
            return ngettext("weighted average %(average)s of %(num)d mark, rounded half up",
                            "weighted average %(average)s of %(num)d marks, rounded half up",
                            self.count, average=average)
        if self.rule == "term_average":
            return ngettext("average %(average)s of %(num)d term mark, rounded half up",
                            "average %(average)s of %(num)d term marks, rounded half up",
                            self.count, average=average)
        if self.rule == "too_few_marks":
            return ngettext("only %(num)d mark: too few for a proposal",
                            "only %(num)d marks: too few for a proposal", self.count)
        if self.rule == "missed_lessons":
            return _("too few marks and more than half of the lessons missed: н/а")
        if self.rule == "all_exempt":
            return _("exempt all term")
        if self.rule == "terms_missing":
            return _("not every term mark is given yet")
        return _("this grade gets no marks")


RULES = ("weighted_average", "too_few_marks", "missed_lessons", "all_exempt", "term_average",
         "terms_missing", "no_marks")


def weighted_average(marks):
    """Σ value·weight ÷ Σ weight over (value_num, weight) pairs with a number; None if none."""
    numeric = [(Decimal(str(v)), Decimal(str(w))) for v, w in marks if v is not None and w]
    total = sum((w for _, w in numeric), Decimal(0))
    if not total:
        return None
    return (sum((v * w for v, w in numeric), Decimal(0)) / total).quantize(TWO, ROUND_HALF_UP)


def round_mark(average):
    return str(int(average.quantize(Decimal(1), ROUND_HALF_UP)))


def propose_term(marks, *, lessons=0, missed=0, min_marks=3, scheme="five_point", exempt=False):
    """Propose a term mark from the term's marks [(value_num, weight)] and attendance."""
    if scheme == "no_marks":
        return Proposal(None, None, "no_marks")
    numeric = [(v, w) for v, w in marks if v is not None]
    average = weighted_average(numeric)
    if exempt and not numeric:
        return Proposal(EXEMPT, None, "all_exempt")
    if len(numeric) < min_marks:
        if lessons and Decimal(missed) / Decimal(lessons) > MISSED_SHARE_FOR_NOT_ASSESSED:
            return Proposal(NOT_ASSESSED, average, "missed_lessons", len(numeric))
        return Proposal(None, average, "too_few_marks", len(numeric))
    return Proposal(round_mark(average), average, "weighted_average", len(numeric))


def propose_year(term_values, terms_total, scheme="five_point"):
    """Propose a year mark from the confirmed term marks (values as stored)."""
    if scheme == "no_marks":
        return Proposal(None, None, "no_marks")
    given = [v for v in term_values if v]
    if len(given) < terms_total:
        return Proposal(None, None, "terms_missing", len(given))
    if all(v == EXEMPT for v in given):
        return Proposal(EXEMPT, None, "all_exempt", len(given))
    numeric = [Decimal(v) for v in given if v not in (EXEMPT, NOT_ASSESSED)]
    if not numeric:
        return Proposal(NOT_ASSESSED, None, "term_average", 0)
    average = (sum(numeric) / len(numeric)).quantize(TWO, ROUND_HALF_UP)
    return Proposal(round_mark(average), average, "term_average", len(numeric))
