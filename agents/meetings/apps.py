from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    """Reps' availability, proposed slots, the public booking page, meetings and their invitations."""

    name = "agents.meetings"
    label = "meetings"
    verbose_name = "Meetings"
