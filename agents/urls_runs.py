from django.urls import path

from agents import views_runs

app_name = "agent_runs"

urlpatterns = [
    path("", views_runs.run_list, name="run_list"),
    path("<int:run_id>/", views_runs.run_detail, name="run_detail"),
    path("contacts/<int:contact_id>/", views_runs.contact_history, name="contact_history"),
]
