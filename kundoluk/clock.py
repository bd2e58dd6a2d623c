"""The one source of "today" and "now", in the school's time zone (Asia/Bishkek by default).

Tests set the moment with set_now(); deployments may pin the date with KUNDOLUK_TODAY
(the demo does, to show a chosen day). Nothing else in the code reads the real clock.
"""
import os
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Bishkek"
_fixed_utc = None  # set by tests


def set_now(moment):
    """Pin the clock to an aware datetime (tests); None returns to the real clock."""
    global _fixed_utc
    if moment is not None and moment.tzinfo is None:
        raise ValueError("set_now needs an aware datetime")
    _fixed_utc = None if moment is None else moment.astimezone(timezone.utc)


def now_utc():
    """The current moment, aware, in UTC."""
    if _fixed_utc is not None:
        return _fixed_utc
    real = datetime.now(timezone.utc)
    pinned = os.environ.get("KUNDOLUK_TODAY")
    if pinned:
        # Keep the time of day running, on the pinned local date.
        local = real.astimezone(ZoneInfo(DEFAULT_TZ))
        day = date.fromisoformat(pinned)
        return datetime.combine(day, local.time(), ZoneInfo(DEFAULT_TZ)).astimezone(timezone.utc)
    return real


def now(tz=DEFAULT_TZ):
    """The current local time in a school's time zone."""
    return now_utc().astimezone(ZoneInfo(tz))


def today(tz=DEFAULT_TZ):
    """The school's local civil date."""
    return now(tz).date()


def local_midnight_utc(day, tz=DEFAULT_TZ):
    """The UTC moment a local date begins."""
    return datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(timezone.utc)
