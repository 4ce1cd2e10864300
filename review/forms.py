"""Forms of the review inbox: the filters (lenient: a bad value falls back to the default) and one
small form per decision."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from agents.decisions import validate_reject_reason
from agents.models import Handoff
from review.selectors import AGES, BANDS, QUEUES, STATES, Cursor, InboxFilters
from salesops.time_zones import zone_or_utc

KIND_CHOICES = [("", "Every kind"), *Handoff.Kind.choices]


def filters_from(data) -> InboxFilters:
    """The inbox filters from query parameters; unknown values are ignored rather than refused."""
    campaign = str(data.get("campaign", ""))
    return InboxFilters(
        queue=data.get("queue") if data.get("queue") in QUEUES else "all",
        kind=data.get("kind") if data.get("kind") in Handoff.Kind.values else "",
        campaign_id=int(campaign) if campaign.isdigit() and len(campaign) < 12 else None,
        band=data.get("band") if data.get("band") in BANDS else "",
        age=data.get("age") if data.get("age") in AGES else "",
        state=data.get("state") if data.get("state") in STATES else "open",
    )


def cursor_from(data) -> Cursor | None:
    raw = str(data.get("after", ""))
    return Cursor.decode(raw) if raw and len(raw) < 80 else None


class RejectForm(forms.Form):
    # Which reasons exist and which need a note is decisions.validate_reject_reason's to say.
    reason = forms.CharField(label="Reason", required=False)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def clean(self):
        cleaned = super().clean()
        if "note" in cleaned:  # an over-long note is refused by its field first
            validate_reject_reason(reason=cleaned["reason"], note=cleaned["note"])
        return cleaned


class EditForm(forms.Form):
    subject = forms.CharField(label="Subject", max_length=200)
    body = forms.CharField(label="Email", widget=forms.Textarea(attrs={"rows": 14}), max_length=20000)

    def overrides(self, data) -> dict[str, str]:
        """Notes overriding verifier findings, posted as `override-<finding kind>`."""
        return {
            key.removeprefix("override-"): str(value)[:1000]
            for key, value in data.items()
            if key.startswith("override-") and str(value).strip()
        }


class RegenerateForm(forms.Form):
    instruction = forms.CharField(
        label="Instruction for the writer",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="e.g. shorter, more formal, lead with the hiring news",
    )


class DismissForm(forms.Form):
    note = forms.CharField(label="Why it can be dismissed", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


SNOOZE_CHOICES = [
    ("1h", "For an hour"),
    ("4h", "For four hours"),
    ("tomorrow", "Until tomorrow, 9:00"),
    ("next_week", "Until Monday, 9:00"),
    ("custom", "Until the time below"),
]


class SnoozeForm(forms.Form):
    until = forms.ChoiceField(label="Snooze", choices=SNOOZE_CHOICES, initial="tomorrow")
    custom = forms.DateTimeField(
        label="Until (your workspace's time)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, time_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone_or_utc(time_zone)

    def clean(self):
        cleaned = super().clean()
        choice, now = cleaned.get("until"), timezone.now()
        local_now = now.astimezone(self.zone)
        if choice == "1h":
            cleaned["until_at"] = now + timedelta(hours=1)
        elif choice == "4h":
            cleaned["until_at"] = now + timedelta(hours=4)
        elif choice == "tomorrow":
            cleaned["until_at"] = datetime.combine(local_now.date() + timedelta(days=1), time(9), tzinfo=self.zone)
        elif choice == "next_week":
            days = 7 - local_now.weekday()
            cleaned["until_at"] = datetime.combine(local_now.date() + timedelta(days=days), time(9), tzinfo=self.zone)
        elif choice == "custom":
            custom = cleaned.get("custom")
            if custom is None:
                self.add_error("custom", "Choose the date and time to snooze until.")
            else:
                cleaned["until_at"] = timezone.make_aware(timezone.make_naive(custom), self.zone)
        return cleaned


class AssignForm(forms.Form):
    assignee = forms.CharField(label="Assign to", required=False)

    def assignee_id(self) -> int | None:
        value = self.cleaned_data.get("assignee", "")
        return int(value) if value.isdigit() else None


class BulkForm(forms.Form):
    action = forms.ChoiceField(label="Action", choices=[("approve", "Approve"), ("reject", "Reject")])
    reason = forms.ChoiceField(
        label="Reason (to reject)", required=False, choices=[("", "—"), *Handoff.RejectReason.choices]
    )
    note = forms.CharField(label="Note", required=False, max_length=2000)
    scope = forms.ChoiceField(
        label="Apply to", choices=[("selected", "The selected items"), ("filter", "Every item in this filter")]
    )

    def selected_ids(self) -> list[int]:
        """The ticked rows (`ids`, one value per checkbox)."""
        return [int(value) for value in self.data.getlist("ids") if value.isdigit() and len(value) < 12]


class ComposeForm(forms.Form):
    subject = forms.CharField(label="Subject", max_length=200)
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 10}), max_length=20000)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
