"""The JSON API under /api/v1/ (see campaigns.api)."""

from django.urls import path

from campaigns.api import api

urlpatterns = [path("", api.urls)]
