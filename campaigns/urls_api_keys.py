"""URLs of Settings -> API keys, included by salesops/urls.py under settings/api-keys/ (no namespace:
they sit beside the other settings pages)."""

from django.urls import path

from campaigns import views_api_keys

urlpatterns = [
    path("", views_api_keys.api_key_list, name="api_key_list"),
    path("create/", views_api_keys.api_key_create, name="api_key_create"),
    path("<int:api_key_id>/revoke/", views_api_keys.api_key_revoke, name="api_key_revoke"),
]
