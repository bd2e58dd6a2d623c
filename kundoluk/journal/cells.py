"""The journal grid's cells as HTML, built in Python: a class of 30 with a full quarter is
about 800 cells, and a Jinja macro per cell costs several times more than this.

A cell: live marks as <b data-s=slot data-v=version>, removed ones as empty <u> (their
version is needed to write the slot again), then the attendance symbol. Everything typed by
people goes through markupsafe.escape.
"""
from markupsafe import Markup, escape

from kundoluk.journal import schemes


def symbols():
    """The translated attendance symbols, looked up once per page."""
    return {code: str(short) for code, (_label, short) in schemes.ATTENDANCE.items()}


def cell_html(marks, attendance=None, locked=False, state="", message="", mine="", short=None):
    """One <td> of the grid (see the module docstring)."""
    live = [m for m in marks if not m.deleted]
    notes = [m.comment for m in live if m.comment]
    classes = "lk" if locked else " ".join(c for c in (state, "cm" if notes else "") if c)
    attrs = f' class="{classes}"' if classes else ""
    title = message or " · ".join(notes)
    if title:
        attrs += f' title="{escape(title)}"'
    if mine:
        attrs += f' data-mine="{escape(mine)}"'
    body = "".join(f'<b data-s="{m.slot}" data-v="{m.version}">{escape(m.value)}</b>' for m in live)
    body += "".join(f'<u data-s="{m.slot}" data-v="{m.version}"></u>' for m in marks if m.deleted)
    if attendance is not None and not attendance.deleted:
        body += f"<i>{escape((short or symbols()).get(attendance.code, ''))}</i>"
    return Markup(f"<td{attrs}>{body}</td>")


def row_html(row, short):
    """All lesson cells of one pupil's row of the journal page."""
    return Markup("".join(cell_html(c.marks if c else (), c.attendance if c else None, locked, short=short)
                          for c, locked in zip(row.cells, row.locked)))
