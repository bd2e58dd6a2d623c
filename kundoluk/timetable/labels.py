"""The timetable's fixed vocabulary, translated (names of rooms and subjects are data)."""
from flask_babel import lazy_gettext as _l

WEEKDAYS = {1: _l("Monday"), 2: _l("Tuesday"), 3: _l("Wednesday"), 4: _l("Thursday"), 5: _l("Friday"),
            6: _l("Saturday"), 7: _l("Sunday")}
WEEKDAYS_SHORT = {1: _l("Mon"), 2: _l("Tue"), 3: _l("Wed"), 4: _l("Thu"), 5: _l("Fri"), 6: _l("Sat"),
                  7: _l("Sun")}
PARITIES = {"every": _l("every week"), "odd": _l("odd weeks"), "even": _l("even weeks")}
FLAGS = {"timetable_changed": _l("the timetable changed; move or cancel this lesson"),
         "calendar_changed": _l("the term or holiday dates changed; move or cancel this lesson")}
CHANGES = {
    "add": _l("one-off lesson added"), "cancel": _l("cancelled"), "restore": _l("restored"),
    "move": _l("moved"), "room": _l("room changed"), "substitute": _l("substitute assigned"),
    "unsubstitute": _l("substitute removed"), "flag": _l("flagged for the deputy"),
    "unflag": _l("kept as it is"), "entry_add": _l("added to the timetable"),
    "entry_end": _l("removed from the timetable"), "mass_cancel": _l("cancelled for several grades"),
}


def weekday(number):
    return WEEKDAYS.get(number, "")


def change(kind):
    return CHANGES.get(kind, kind)
