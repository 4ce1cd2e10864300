"""Open slots from a person's rules and busy times: pure computation, no database.

A slot starts on the 15-minute UTC grid, lies inside the rep's working hours on a business day of
the rep's time zone, ends before the window closes and overlaps nothing taken. It is shown in the
prospect's time zone.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from agents.meetings.models import GRID

SLOT_KEY_FORMAT = "%Y-%m-%dT%H:%MZ"
# Hours of the prospect's day a proposal should fall in, when the calendars allow it.
FRIENDLY_FROM = time(8, 0)
FRIENDLY_UNTIL = time(18, 0)
AFTERNOON = time(13, 0)
# The booking page lists times in these hours of the prospect's day first; the rest on request.
WAKING_FROM = time(7, 0)
WAKING_UNTIL = time(21, 0)


@dataclass(frozen=True)
class Rules:
    """When a person meets: their zone, the meeting length, and hours per business day (0 = Monday)."""

    time_zone: str
    meeting_minutes: int
    hours: dict[int, tuple[time, time]] = field(default_factory=dict)


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, UTC
    end: datetime
    time_zone: str  # the zone it is shown in

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.time_zone))

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(ZoneInfo(self.time_zone))

    @property
    def key(self) -> str:
        """How a form names this slot: its UTC start."""
        return self.start.astimezone(UTC).strftime(SLOT_KEY_FORMAT)

    @property
    def day_label(self) -> str:
        local = self.local_start
        return f"{local:%A} {local.day} {local:%B}"

    @property
    def short_day_label(self) -> str:
        """ "Tue 8 Dec": a column heading of the booking grid."""
        local = self.local_start
        return f"{local:%a} {local.day} {local:%b}"

    @property
    def start_label(self) -> str:
        return f"{self.local_start:%H:%M}"

    @property
    def time_label(self) -> str:
        return f"{self.local_start:%H:%M}–{self.local_end:%H:%M}"

    @property
    def label(self) -> str:
        """ "Tue 3 Mar, 10:00–10:30 (Europe/Berlin)": unambiguous in a plain-text email."""
        local = self.local_start
        return f"{local:%a} {local.day} {local:%b}, {self.time_label} ({self.time_zone})"

    def in_zone(self, time_zone: str) -> "Slot":
        return Slot(start=self.start, end=self.end, time_zone=time_zone)

    def as_dict(self) -> dict:
        return {
            "start": self.start.astimezone(UTC).isoformat(),
            "end": self.end.astimezone(UTC).isoformat(),
            "time_zone": self.time_zone,
            "local_start": self.local_start.isoformat(),
            "label": self.label,
        }


def parse_slot_key(text: str | None) -> datetime | None:
    try:
        return datetime.strptime(text or "", SLOT_KEY_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def floor_to_grid(moment: datetime) -> datetime:
    return _EPOCH + ((moment - _EPOCH) // GRID) * GRID


def ceil_to_grid(moment: datetime) -> datetime:
    floor = floor_to_grid(moment)
    return floor if floor == moment else floor + GRID


def grid_cells(start: datetime, end: datetime) -> list[datetime]:
    """The grid cells a meeting from `start` to `end` covers (a start off the grid holds its cell too)."""
    cells, moment = [], floor_to_grid(start)
    while moment < end:
        cells.append(moment)
        moment += GRID
    return cells


def _overlaps(start: datetime, end: datetime, taken: list[tuple[datetime, datetime]]) -> bool:
    return any(busy_start < end and start < busy_end for busy_start, busy_end in taken)


def open_slots(
    *,
    rules: Rules,
    window_start: datetime,
    window_end: datetime,
    taken: Iterable[tuple[datetime, datetime]],
    time_zone: str,
) -> list[Slot]:
    """Every open slot from `window_start` to `window_end`, in order, shown in `time_zone`."""
    zone = ZoneInfo(rules.time_zone)
    length = timedelta(minutes=rules.meeting_minutes)
    earliest = ceil_to_grid(window_start)
    taken = sorted(taken)
    slots: list[Slot] = []
    day: date = window_start.astimezone(zone).date()
    last_day = window_end.astimezone(zone).date()
    while day <= last_day:
        hours = rules.hours.get(day.weekday()) if day.weekday() < 5 else None
        if hours:
            day_end = datetime.combine(day, hours[1], tzinfo=zone).astimezone(UTC)
            moment = ceil_to_grid(datetime.combine(day, hours[0], tzinfo=zone))
            while moment + length <= day_end and moment + length <= window_end:
                if moment >= earliest and not _overlaps(moment, moment + length, taken):
                    slots.append(Slot(start=moment, end=moment + length, time_zone=time_zone))
                moment += length
        day += timedelta(days=1)
    return slots


def _friendly(slot: Slot) -> bool:
    start, end = slot.local_start, slot.local_end
    return (
        start.weekday() < 5
        and start.date() == end.date()
        and start.time() >= FRIENDLY_FROM
        and (end.time() <= FRIENDLY_UNTIL)
    )


def at_a_waking_hour(slot: Slot) -> bool:
    start, end = slot.local_start, slot.local_end
    return start.date() == end.date() and start.time() >= WAKING_FROM and end.time() <= WAKING_UNTIL


def pick_proposals(slots: list[Slot], *, count: int) -> list[Slot]:
    """A few slots on different days, inside the prospect's working day where possible, alternating
    morning and afternoon so that the choice is a real one."""
    chosen: list[Slot] = []
    for pool in ([slot for slot in slots if _friendly(slot)], slots):
        by_day: dict[date, list[Slot]] = {}
        chosen_days = {slot.local_start.date() for slot in chosen}
        for slot in pool:
            if slot.local_start.date() not in chosen_days:
                by_day.setdefault(slot.local_start.date(), []).append(slot)
        for day_slots in by_day.values():
            if len(chosen) >= count:
                break
            prefer_afternoon = len(chosen) % 2 == 1
            pick = next(
                (slot for slot in day_slots if (slot.local_start.time() >= AFTERNOON) == prefer_afternoon),
                day_slots[0],
            )
            chosen.append(pick)
    for slot in slots:  # fewer days than slots wanted: several on one day
        if len(chosen) >= count:
            break
        if slot not in chosen:
            chosen.append(slot)
    return sorted(chosen, key=lambda slot: slot.start)


@dataclass(frozen=True)
class SlotDay:
    """One column of the booking grid: a day of the zone the slots are shown in."""

    day: date
    label: str
    slots: list[Slot]


def slots_by_day(slots: list[Slot]) -> list[SlotDay]:
    """Slots grouped under their local day in the zone they are shown in (a UTC evening may be the
    next morning there), in order."""
    days: dict[date, list[Slot]] = {}
    for slot in sorted(slots, key=lambda slot: slot.start):
        days.setdefault(slot.local_start.date(), []).append(slot)
    return [SlotDay(day=day, label=day_slots[0].short_day_label, slots=day_slots) for day, day_slots in days.items()]
