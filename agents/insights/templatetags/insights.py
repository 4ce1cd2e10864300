"""Formatting for the dashboards: shares, durations, money."""

from django import template

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.1234 -> "12.3 %"; None (nothing to divide by) -> "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.{int(digits)}f} %"


@register.filter
def duration(seconds) -> str:
    """Seconds as "2 h 5 min", "14 min" or "40 s"; None -> "—"."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours >= 48:
        return f"{hours // 24} d {hours % 24} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{seconds} s"


@register.filter
def usd(value, digits: int = 4) -> str:
    if value is None:
        return "—"
    return f"${float(value):,.{int(digits)}f}"


@register.filter
def number(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{float(value):,.{int(digits)}f}"
