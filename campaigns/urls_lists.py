"""URLs of contact lists and a campaign's audience (names live in the campaigns namespace)."""

from django.urls import path

from campaigns import views_lists

urlpatterns: list = [
    path("lists/", views_lists.list_index, name="list_index"),
    path("lists/new/", views_lists.list_create, name="list_create"),
    path("lists/add-accounts/", views_lists.list_add_accounts, name="list_add_accounts"),
    path("lists/<int:list_id>/", views_lists.list_detail, name="list_detail"),
    path("lists/<int:list_id>/filter/", views_lists.list_filter_edit, name="list_filter_edit"),
    path(
        "lists/<int:list_id>/members/<int:contact_id>/remove/",
        views_lists.list_member_remove,
        name="list_member_remove",
    ),
    path("<int:campaign_id>/audience/", views_lists.campaign_audience, name="campaign_audience"),
]
