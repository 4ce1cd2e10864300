from django.urls import path

from agents.outreach import views

app_name = "planner"

urlpatterns = [
    path("campaigns/<int:campaign_id>/picks/", views.campaign_picks, name="campaign_picks"),
    path("campaigns/<int:campaign_id>/picks/<int:contact_id>/", views.lead_choice, name="lead_choice"),
]
