"""A person's days: today in their time zone, and due dates in words.

Due dates are days, not instants ("due on 7 December"), so they are stored as dates and
compared with the person's today, which their time zone decides.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

# How far Upcoming looks ahead, today not included.
UPCOMING_DAYS = 14
DEFAULT_TIME_ZONE = "UTC"


@cache
def time_zones() -> list[str]:
    """Every IANA time zone name this system knows, sorted (the account page's choice)."""
    return sorted(available_timezones() - {"localtime", "Factory"})


def is_time_zone(name: str) -> bool:
    return name in _time_zone_set()


@cache
def _time_zone_set() -> frozenset[str]:
    return frozenset(time_zones())


def today_in(time_zone: str) -> date:
    """The date it is now where the person is (UTC if their zone is unknown here)."""
    zone = ZoneInfo(time_zone) if is_time_zone(time_zone) else UTC
    return datetime.now(zone).date()


def upcoming_until(today: date) -> date:
    return today + timedelta(days=UPCOMING_DAYS)


def day_words(day: date, today: date) -> str:
    """ "Today", "Tomorrow", "Yesterday", or the day: "Mon 7 Dec" (with the year when
    it isn't this year's)."""
    delta = (day - today).days
    if delta == 0:
        return "Today"
    if delta == 1:
        return "Tomorrow"
    if delta == -1:
        return "Yesterday"
    # Formatted by hand: strftime's names follow the process's locale.
    words = f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return words if day.year == today.year else f"{words} {day.year}"


def due_words(due_on: date, today: date, done: bool) -> tuple[str, bool]:
    """What a row says of its due date, and whether it is overdue (undone, past)."""
    overdue = not done and due_on < today
    if overdue:
        short = f"{due_on.day} {_MONTHS[due_on.month - 1]}"
        if due_on.year != today.year:
            short = f"{short} {due_on.year}"
        return f"Overdue · {short}", True
    return day_words(due_on, today), False


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
