from django.urls import path

from review import views

app_name = "review"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("poll/", views.poll, name="poll"),
    path("bulk/", views.bulk, name="bulk"),
    path("threads/<int:contact_id>/", views.thread, name="thread"),
    path("<int:handoff_id>/", views.item, name="item"),
    path("<int:handoff_id>/approve/", views.approve, name="approve"),
    path("<int:handoff_id>/edit/", views.edit, name="edit"),
    path("<int:handoff_id>/reject/", views.reject, name="reject"),
    path("<int:handoff_id>/regenerate/", views.regenerate, name="regenerate"),
    path("<int:handoff_id>/take-over/", views.take_over, name="take_over"),
    path("<int:handoff_id>/hand-back/", views.hand_back, name="hand_back"),
    path("<int:handoff_id>/write/", views.compose, name="compose"),
    path("<int:handoff_id>/snooze/", views.snooze, name="snooze"),
    path("<int:handoff_id>/assign/", views.assign, name="assign"),
    path("<int:handoff_id>/dismiss/", views.dismiss, name="dismiss"),
]
