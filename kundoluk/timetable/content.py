"""Does a lesson have content? One question, answered by probes other domains register.

The journal keeps attendance, marks, topics and homework in its own tables referencing
lesson.id. A lesson with any of them is never deleted by a timetable or calendar change: it
is flagged for the deputy instead, and its homework stays visible. The timetable cannot
import the journal (it comes later and depends on the timetable), so the journal registers
a probe at import time:

    from kundoluk.timetable import content
    content.register_probe("marks", lambda ids: sa.select(Mark.lesson_id).where(Mark.lesson_id.in_(ids)))

A probe takes a list of lesson ids and returns either a SELECT of lesson ids (all probes
run as one UNION statement) or an iterable of ids.
"""
import sqlalchemy as sa

from kundoluk.extensions import db

_PROBES = {}  # name -> probe
CHUNK = 500


def register_probe(name, probe):
    """Add (or replace) a content probe under a name."""
    _PROBES[name] = probe


def unregister_probe(name):
    _PROBES.pop(name, None)


def probes():
    return dict(_PROBES)


def lessons_with_content(lesson_ids):
    """The subset of these lesson ids that have content (attendance, marks, topic, homework)."""
    ids = list(lesson_ids)
    found = set()
    if not ids or not _PROBES:
        return found
    for start in range(0, len(ids), CHUNK):
        part = ids[start:start + CHUNK]
        selects = []
        for probe in _PROBES.values():
            answer = probe(part)
            if isinstance(answer, sa.sql.Select):
                selects.append(answer)
            else:
                found.update(answer)
        if selects:
            stmt = selects[0] if len(selects) == 1 else sa.union(*selects)
            found.update(db.session.execute(stmt).scalars())
    return found & set(ids)


def has_content(lesson):
    """True if this one lesson has content."""
    return lesson.id in lessons_with_content([lesson.id])
