"""The agent team's pages, included by salesops/urls.py at the root. Each step's URLs live beside its views."""

from django.urls import include, path

urlpatterns = [
    # Admin settings (mailboxes, suppression, outbox, sandbox) and the public unsubscribe link.
    path("", include("agents.delivery.urls")),
    path("agent-runs/", include("agents.outreach.urls")),
    # The planner's picks for a campaign (managers).
    path("planner/", include("agents.outreach.urls_planner")),
]
