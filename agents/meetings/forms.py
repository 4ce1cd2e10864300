from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from agents.meetings.models import MEETING_LENGTHS, Meeting
from agents.meetings.slots import Rules
from salesops.time_zones import zone_choices

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


class AvailabilityForm(forms.Form):
    time_zone = forms.ChoiceField(label="Time zone", choices=zone_choices)
    meeting_minutes = forms.TypedChoiceField(
        label="Meeting length",
        coerce=int,
        choices=[(minutes, f"{minutes} minutes") for minutes in MEETING_LENGTHS],
    )
    ics_feed_url = forms.CharField(
        label="Calendar feed (ICS) address",
        max_length=1000,
        required=False,
        help_text="Optional: your calendar's secret iCal address (https:// or webcal://). "
        "Its events become busy times.",
        widget=forms.URLInput(attrs={"placeholder": "https://calendar.example.com/…/basic.ics"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, name in enumerate(WEEKDAY_NAMES):
            time_input = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")
            self.fields[f"start_{weekday}"] = forms.TimeField(label=f"{name} from", required=False, widget=time_input)
            self.fields[f"end_{weekday}"] = forms.TimeField(label=f"{name} until", required=False, widget=time_input)

    @classmethod
    def initial_from(cls, rules: Rules, ics_feed_url: str) -> dict:
        initial = {"time_zone": rules.time_zone, "meeting_minutes": rules.meeting_minutes, "ics_feed_url": ics_feed_url}
        for weekday, (start, end) in rules.hours.items():
            initial[f"start_{weekday}"] = start
            initial[f"end_{weekday}"] = end
        return initial

    @property
    def day_rows(self):
        return [(name, self[f"start_{day}"], self[f"end_{day}"]) for day, name in enumerate(WEEKDAY_NAMES)]

    def clean(self):
        cleaned = super().clean()
        hours = {}
        for weekday, name in enumerate(WEEKDAY_NAMES):
            start, end = cleaned.get(f"start_{weekday}"), cleaned.get(f"end_{weekday}")
            if start is None and end is None:
                continue
            if start is None or end is None:
                self.add_error(f"end_{weekday}", f"Give {name} a start and an end, or leave both empty.")
            elif start >= end:
                self.add_error(f"end_{weekday}", f"{name} must end after it starts.")
            else:
                hours[weekday] = (start, end)
        cleaned["hours"] = hours
        return cleaned


class BusyBlockForm(forms.Form):
    """A busy time typed in the person's own zone."""

    start = forms.DateTimeField(label="Busy from", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    end = forms.DateTimeField(label="Busy until", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    summary = forms.CharField(label="What (only you see it)", max_length=200, required=False)

    def __init__(self, *args, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(time_zone)

    def _in_zone(self, value):
        # The browser sends wall-clock time, which the field read in the current zone: undo that.
        return timezone.make_naive(value).replace(tzinfo=self.zone)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end"):
            cleaned["start"], cleaned["end"] = self._in_zone(cleaned["start"]), self._in_zone(cleaned["end"])
            if cleaned["start"] >= cleaned["end"]:
                self.add_error("end", "A busy time must end after it starts.")
        return cleaned


class MeetingMarkForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "—"), (Meeting.Status.HELD, "Held"), (Meeting.Status.NO_SHOW, "No-show")],
    )
    qualified = forms.TypedChoiceField(
        required=False, coerce=lambda value: value == "yes", empty_value=None, choices=[("yes", "Yes"), ("no", "No")]
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("status") and cleaned.get("qualified") is None:
            raise forms.ValidationError("Mark the meeting held or no-show, or say whether it was qualified.")
        return cleaned
