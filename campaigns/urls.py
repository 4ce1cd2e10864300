from django.urls import path

from campaigns import urls_imports, views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("icps/", views.icp_list, name="icp_list"),
    path("accounts/", views.account_list, name="account_list"),
    *urls_imports.urlpatterns,
]
