"""The prospect's booking pages: no login, a signed token in every URL."""

from django.urls import path

from agents.meetings import public_views

app_name = "booking"

urlpatterns = [
    path("<str:token>/", public_views.book, name="slots"),
    path("meeting/<str:token>/", public_views.meeting, name="meeting"),
    path("meeting/<str:token>/reschedule/", public_views.reschedule, name="reschedule"),
    path("meeting/<str:token>/cancel/", public_views.cancel, name="cancel"),
    path("meeting/<str:token>/meeting.ics", public_views.ics, name="ics"),
]
