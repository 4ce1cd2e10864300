from django.urls import path

from agents.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("<int:meeting_id>/mark/", views.meeting_mark, name="meeting_mark"),
    path("<int:meeting_id>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("availability/", views.availability, name="availability"),
    path("availability/busy/", views.busy_block_add, name="busy_block_add"),
    path("availability/busy/<int:block_id>/delete/", views.busy_block_delete, name="busy_block_delete"),
    path("availability/import/", views.ics_import, name="ics_import"),
]
