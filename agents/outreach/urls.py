from django.urls import path

from agents.outreach import views

app_name = "agent_runs"

urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("<int:run_id>/", views.run_detail, name="run_detail"),
    path("contacts/<int:contact_id>/", views.contact_history, name="contact_history"),
]
