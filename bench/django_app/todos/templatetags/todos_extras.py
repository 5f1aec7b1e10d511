"""Due dates in words, as the app shows them: "Today", "Tomorrow", "Yesterday",
"Mon 7 Dec" (with the year when it isn't this year's), "Overdue · 2 Dec"."""

from datetime import date

from django import template

register = template.Library()

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_words(day: date, today: date) -> str:
    delta = (day - today).days
    if delta == 0:
        return "Today"
    if delta == 1:
        return "Tomorrow"
    if delta == -1:
        return "Yesterday"
    words = f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    return words if day.year == today.year else f"{words} {day.year}"


@register.inclusion_tag("todos/_due.html")
def due(todo, today: date) -> dict:
    """A row's due date: its words, and whether it is overdue (undone, past)."""
    day = todo.due_on
    if not todo.done and day < today:
        short = f"{day.day} {_MONTHS[day.month - 1]}"
        if day.year != today.year:
            short = f"{short} {day.year}"
        return {"day": day, "words": f"Overdue · {short}", "overdue": True}
    return {"day": day, "words": _day_words(day, today), "overdue": False}
