from django.urls import path

from agents.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("campaigns/<int:campaign_id>/", views.campaign_dashboard, name="campaign_dashboard"),
    path("campaigns/<int:campaign_id>/plan/", views.campaign_plan, name="campaign_plan"),
    path("campaigns/<int:campaign_id>/policy-dry-run/", views.policy_dry_run, name="policy_dry_run"),
    path("contacts/<int:contact_id>/", views.contact_detail, name="contact_detail"),
    path(
        "contacts/<int:contact_id>/blocks/<int:block_id>/lift/",
        views.contact_block_lift_view,
        name="contact_block_lift",
    ),
    path("audit/", views.timeline_view, name="timeline"),
    path("audit/export.csv", views.timeline_export_csv, name="timeline_export_csv"),
    path("audit/export.jsonl", views.timeline_export_jsonl, name="timeline_export_jsonl"),
    path("audit/steps/<int:step_id>/", views.step_detail, name="step_detail"),
    path("audit/events/<int:event_id>/", views.event_detail, name="event_detail"),
    path("audit/contacts/<int:contact_id>/", views.contact_history, name="contact_history"),
]
