"""Meetings: when a person can meet (availability, working hours, busy blocks) and what was booked.

No double booking is a database invariant, on SQLite and PostgreSQL alike: a meeting holds every
15-minute cell of its rep's calendar that it covers (`BookedCell`, unique per rep and cell), and two
live meetings of one rep cannot start at the same time (`meeting_one_live_per_rep_start`).
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# Slots start on this grid (in UTC, which lines up with every current time zone's quarter hours),
# and a meeting claims one `BookedCell` per grid cell it covers.
GRID = timedelta(minutes=15)
MEETING_LENGTHS = [15, 30, 45, 60, 90]
LIVE_STATUSES = ["booked", "held", "no_show"]


def new_meeting_uid() -> str:
    return f"{uuid.uuid4()}@salesops"


class Availability(models.Model):
    """When one member of a workspace takes meetings: time zone, meeting length, calendar feed."""

    workspace = models.ForeignKey("salesops.Workspace", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    time_zone = models.CharField(max_length=64)
    meeting_minutes = models.PositiveSmallIntegerField(
        default=30, choices=[(minutes, f"{minutes} minutes") for minutes in MEETING_LENGTHS]
    )
    # An ICS feed of the person's own calendar (Google, Outlook, iCloud "secret address"); its events
    # become busy blocks when imported.
    ics_feed_url = models.CharField(max_length=1000, blank=True)
    ics_imported_at = models.DateTimeField(null=True, blank=True)
    ics_error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "availabilities"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="availability_one_per_member"),
            models.CheckConstraint(
                condition=Q(meeting_minutes__in=MEETING_LENGTHS), name="availability_meeting_length_valid"
            ),
        ]

    def __str__(self):
        return f"Availability of {self.user} in {self.workspace}"


class WorkingHours(models.Model):
    """The hours of one business day (0 = Monday … 4 = Friday) a person takes meetings, in their zone."""

    workspace = models.ForeignKey("salesops.Workspace", on_delete=models.CASCADE, related_name="+")
    availability = models.ForeignKey(Availability, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField()
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        verbose_name_plural = "working hours"
        ordering = ["availability", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["availability", "weekday"], name="working_hours_one_per_weekday"),
            models.CheckConstraint(condition=Q(weekday__lte=4), name="working_hours_business_days_only"),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="working_hours_ordered"),
        ]

    def __str__(self):
        return f"{self.availability}: day {self.weekday} {self.start}-{self.end}"


class BusyBlock(models.Model):
    """A time a person cannot meet: typed in, or imported from their calendar feed."""

    class Source(models.TextChoices):
        MANUAL = "manual", "Added by hand"
        ICS = "ics", "Calendar feed"

    workspace = models.ForeignKey("salesops.Workspace", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    summary = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="busy_block_ordered"),
            models.CheckConstraint(condition=Q(source__in=["manual", "ics"]), name="busy_block_source_valid"),
        ]
        indexes = [models.Index(fields=["user", "end", "start"], name="busy_block_user_time_idx")]

    def __str__(self):
        return f"{self.user} busy {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"


class Meeting(models.Model):
    """A booked meeting between a rep and a prospect, with the calendar invitation's identity."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED = "cancelled", "Cancelled"
        HELD = "held", "Held"
        NO_SHOW = "no_show", "No-show"

    workspace = models.ForeignKey("salesops.Workspace", on_delete=models.CASCADE, related_name="+")
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey("campaigns.Contact", on_delete=models.CASCADE, related_name="meetings")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The prospect's time zone: the one the slot was shown and chosen in.
    time_zone = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)
    qualified = models.BooleanField(default=False)
    # The invitation's UID and SEQUENCE (RFC 5545): each change of time or status sends SEQUENCE + 1.
    uid = models.CharField(max_length=120, unique=True, default=new_meeting_uid)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "start"],
                condition=Q(status__in=LIVE_STATUSES),
                name="meeting_one_live_per_rep_start",
            ),
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="meeting_ordered"),
            models.CheckConstraint(
                condition=Q(status__in=["booked", "cancelled", "held", "no_show"]), name="meeting_status_valid"
            ),
            # A meeting counts toward the goal once it was held and a person judged it qualified: one
            # still ahead, cancelled or missed cannot be.
            models.CheckConstraint(
                condition=Q(qualified=False) | Q(status="held"), name="meeting_qualified_only_if_held"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "start"], name="meeting_ws_start_idx"),
            models.Index(fields=["rep", "start"], name="meeting_rep_start_idx"),
            models.Index(fields=["campaign", "qualified", "status"], name="meeting_campaign_goal_idx"),
        ]

    def __str__(self):
        return f"{self.contact} with {self.rep} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class BookedCell(models.Model):
    """One 15-minute cell of a rep's calendar held by a live meeting. Unique per rep and cell, so
    overlapping meetings cannot both be written, whatever their lengths."""

    workspace = models.ForeignKey("salesops.Workspace", on_delete=models.CASCADE, related_name="+")
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="cells")
    starts_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rep", "starts_at"], name="booked_cell_one_per_rep_time")]

    def __str__(self):
        return f"{self.rep} at {self.starts_at:%Y-%m-%d %H:%M}"
