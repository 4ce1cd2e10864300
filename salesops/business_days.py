"""Business days (Monday to Friday), the unit of goals, sequence delays and the demo's period."""

from datetime import date, timedelta


def business_days_between(start: date, end: date) -> int:
    """Business days from `start` to `end`, both included (0 when end is before start)."""
    if end < start:
        return 0
    days = (end - start).days + 1
    full_weeks, rest = divmod(days, 7)
    count = full_weeks * 5
    for offset in range(rest):
        if (start + timedelta(days=full_weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def nth_business_day(start: date, count: int) -> date:
    """The `count`-th business day counted from `start` (included when it is one), so that
    `business_days_between(start, nth_business_day(start, count)) == count`."""
    if count < 1:
        raise ValueError("count must be 1 or more")
    day, seen = start, 0
    while True:
        if day.weekday() < 5:
            seen += 1
            if seen == count:
                return day
        day += timedelta(days=1)
